"""Whether an application owes a fee, and why.

The rule counts **addresses**, not entries: a /29 is 8 addresses, as the regulator's "5 or more addresses" reads,
and an applicant cannot stay under it by writing one range instead of five lines. It counts the union of this
application's entries and the space already approved for the same applicant (ApprovedPrefix rows: what stands in
the whitelist now, of any category), so an address counted twice (a renewal repeating an approved range) counts
once. Subscriptions (mobile numbers, broadband accounts) are not addresses and are not counted.
"""
from dataclasses import dataclass

from sqlalchemy import select

from app.choices import Category
from app.extensions import db
from app.i18n import _, ngettext
from app.models import Application, ApprovedPrefix, FeeSchedule
from app.services.fees.schedule import in_force

STORED_COUNT_MAX = 2**31 - 1  # an IPv6 prefix holds more addresses than an integer column: stored capped


@dataclass(frozen=True)
class Quote:
    """What submitting the application makes due."""

    schedule: FeeSchedule
    addresses: int

    @property
    def amount(self) -> int:
        return self.schedule.amount


def counted_addresses(application: Application) -> int:
    """Distinct addresses in the application's entries and in the space approved for its applicant."""
    spans = [(e.version, e.start, e.end) for e in application.entries]
    spans += db.session.execute(select(ApprovedPrefix.version, ApprovedPrefix.start, ApprovedPrefix.end)
                                .where(ApprovedPrefix.applicant_id == application.applicant_id)).all()
    total = 0
    for version in (4, 6):
        end_so_far = -1
        for _version, start, end in sorted(s for s in spans if s[0] == version):
            if end > end_so_far:
                total += end - max(start, end_so_far + 1) + 1
                end_so_far = end
    return total


def quote(application: Application) -> Quote | None:
    """The fee submitting `application` today makes due, or None: its category has no fee in force (or a fee of
    0), or it stays under the threshold."""
    schedule = in_force(application.category)
    if schedule is None or schedule.amount == 0:
        return None
    addresses = counted_addresses(application)
    return Quote(schedule, min(addresses, STORED_COUNT_MAX)) if addresses >= schedule.threshold else None


def reason(category: str | None, threshold: int, addresses: int) -> str:
    """Why the fee is due, in the reader's language."""
    return ngettext("A %(category)s application reaching %(threshold)s or more addresses, counting those already "
                    "approved for the same applicant, carries a fee: this one counts %(num)s address.",
                    "A %(category)s application reaching %(threshold)s or more addresses, counting those already "
                    "approved for the same applicant, carries a fee: this one counts %(num)s addresses.",
                    addresses, category=str(Category.LABELS.get(category, category or "")).lower(),
                    threshold=threshold)


def amount_text(amount: int, currency: str = "PKR") -> str:
    return _("%(currency)s %(amount)s", currency=currency, amount=f"{amount:,}")
