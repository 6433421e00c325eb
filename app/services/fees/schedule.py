"""The fee schedule: per category, an amount and a threshold from a date on. A row is never edited nor dated in the
past: a change of fee is a new row from today or a later day, so what any submission was charged stays explained by
the row in force that day. Each addition is audited; the caller commits."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app import audit
from app.choices import DEFAULT_FEE_THRESHOLD, Category
from app.extensions import db
from app.i18n import _
from app.models import FeeSchedule
from app.models.types import utcnow
from app.services import Conflict, ServiceError
from app.services.decision_clock import PKT
from app.services.holidays import parse_day

MAX_AMOUNT = 100_000_000  # rupees: a typing slip (an extra zero or five) is refused, not charged
MAX_THRESHOLD = 1_000_000


def today() -> date:
    """Today in Pakistan: a fee takes effect at the start of a Pakistani day."""
    return utcnow().astimezone(PKT).date()


@dataclass(frozen=True)
class ScheduleInput:
    category: object
    amount: object
    effective_from: object
    threshold: object = DEFAULT_FEE_THRESHOLD


def _whole(value, field: str, what: str, most: int) -> int:
    text = value.strip().replace(",", "") if isinstance(value, str) else value
    if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 12:
        text = int(text)
    if not isinstance(text, int) or isinstance(text, bool) or not 0 <= text <= most:
        raise ServiceError(_("%(value)s is not %(what)s; write a whole number from 0 to %(most)s.",
                             value=repr(value)[:40], what=what, most=f"{most:,}"), field=field)
    return text


def _checked(data: ScheduleInput) -> tuple[str, int, int, date]:
    if data.category not in Category.ALL:
        raise ServiceError(_("%(value)s is not a category; use one of %(choices)s.", value=repr(data.category)[:40],
                             choices=", ".join(Category.ALL)), field="category")
    amount = _whole(data.amount, "amount", _("an amount in rupees"), MAX_AMOUNT)
    threshold = _whole(data.threshold, "threshold", _("a number of addresses"), MAX_THRESHOLD)
    if threshold < 1:
        raise ServiceError(_("The threshold is the number of addresses from which the fee is due; it is at least 1."),
                           field="threshold")
    try:
        effective_from = parse_day(data.effective_from)
    except ServiceError as exc:
        raise ServiceError(exc.message, field="effective_from") from None
    if effective_from < today():
        raise ServiceError(_("%(day)s is in the past; a fee takes effect today (%(today)s) or later, so that what was "
                             "charged before stays as it was.", day=effective_from.isoformat(),
                             today=today().isoformat()), field="effective_from")
    return data.category, amount, threshold, effective_from


def add_schedule(data: ScheduleInput, actor=None) -> FeeSchedule:
    """A new schedule row; refuses a bad category, amount, threshold or date, a date in the past, or a second row for
    the same category and day."""
    category, amount, threshold, effective_from = _checked(data)
    if db.session.scalar(select(FeeSchedule.id).where(FeeSchedule.category == category,
                                                      FeeSchedule.effective_from == effective_from)):
        raise Conflict(_("%(category)s already has a fee from %(day)s; choose a later day for the change.",
                         category=Category.LABELS[category], day=effective_from.isoformat()), field="effective_from")
    row = FeeSchedule(category=category, amount=amount, threshold=threshold, effective_from=effective_from,
                      created_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    audit.record("fee_schedule.added", row, actor=actor, category=category, amount=amount, currency="PKR",
                 threshold=threshold, effective_from=effective_from.isoformat())
    return row


def in_force(category: str | None, on: date | None = None) -> FeeSchedule | None:
    """The row for `category` in force on `on` (today in Pakistan by default), or None: no fee."""
    return db.session.scalar(select(FeeSchedule).where(FeeSchedule.category == category,
                                                       FeeSchedule.effective_from <= (on or today()))
                             .order_by(FeeSchedule.effective_from.desc()).limit(1))


def all_schedules() -> list[FeeSchedule]:
    return list(db.session.scalars(select(FeeSchedule).order_by(FeeSchedule.category,
                                                                FeeSchedule.effective_from.desc())))
