"""Subscriptions for the validation bench (issue 22): approved ones in the register, and a share of the
applications of a second bulk run carrying mobile numbers.

The bulk applications are split in two halves of the same make-up (bench/validation_data.py draws them
alike): the first half is validated address-only, as before; then, in the same run and on the same warm
workers, the second half, of which `fraction` also carry one or two mobile numbers. Some of those numbers are
approved already (another applicant's: an error; the applicant's own: info) and some are in two pending
applications (a warning on both), so the checks' every branch runs.
"""
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, insert, select, text

from app.choices import OrganisationKind, SubscriptionKind
from app.models import ApprovedSubscription, IspOrganisation, Subscription

SEED = 20261206
SHARE_TWO = 0.3                 # of the applications with subscriptions, those with two numbers
APPROVED_OTHER_SHARE = 0.05     # of them, a number approved already (OWN_SHARE of those for the same applicant)
OWN_SHARE = 0.2
PENDING_SHARE = 0.02            # a number also in another application of the run


@dataclass
class SubscriptionData:
    approved: list[tuple] = field(default_factory=list)   # (application id, applicant id, operator index, number)
    pending: list[tuple] = field(default_factory=list)    # (application id, position, operator index, number)
    run_ids: list[int] = field(default_factory=list)      # the second bulk run's applications
    carrying: set[int] = field(default_factory=set)       # those of them with subscriptions
    approved_other: set[int] = field(default_factory=set)  # must get subscription.approved_other
    approved_own: set[int] = field(default_factory=set)    # must get subscription.approved_own
    pending_pairs: set[int] = field(default_factory=set)   # must get subscription.pending

    def describe(self) -> str:
        return (f"{len(self.approved):,} approved subscriptions; second bulk run of {len(self.run_ids):,} "
                f"applications, {len(self.carrying):,} of them with {len(self.pending):,} mobile numbers "
                f"({len(self.approved_other):,} approved for another applicant, {len(self.approved_own):,} their "
                f"own, {len(self.pending_pairs):,} in two pending applications)")


def _number(n: int) -> str:
    return f"+9230{n:08d}"


def split_and_generate(data, fraction: float, approved_count: int) -> SubscriptionData:
    """Move the second half of data.bulk_ids into the subscription run and draw its subscriptions."""
    rng = np.random.default_rng(SEED)
    result = SubscriptionData()
    half = len(data.bulk_ids) // 2
    result.run_ids, data.bulk_ids[:] = data.bulk_ids[half:], data.bulk_ids[:half]
    approved = data.approved
    for n in range(approved_count):
        application_id, applicant_id, _ = approved[n % len(approved)]
        result.approved.append((application_id, applicant_id, n % 4, _number(n)))
    applicant_of = {application_id: applicant_id for application_id, applicant_id, _ in data.pending}
    carrying = sorted(rng.choice(result.run_ids, size=int(len(result.run_ids) * fraction), replace=False).tolist())
    result.carrying = set(carrying)
    fresh, copyable = approved_count, []  # numbers approved for nobody, to put in a second application
    for application_id in carrying:
        for position in range(2 if rng.random() < SHARE_TWO else 1):
            operator, number = int(rng.integers(0, 4)), None
            if position == 0 and result.approved and rng.random() < APPROVED_OTHER_SHARE:
                _, owner, operator, number = result.approved[int(rng.integers(0, len(result.approved)))]
                (result.approved_own if owner == applicant_of[application_id] else result.approved_other).add(
                    application_id)
            elif position == 0 and copyable and rng.random() < PENDING_SHARE:
                other, operator, number = copyable[int(rng.integers(0, len(copyable)))]
                if applicant_of[other] != applicant_of[application_id]:
                    result.pending_pairs.update((other, application_id))
            if number is None:
                number, fresh = _number(fresh), fresh + 1
                copyable.append((application_id, operator, number))
            result.pending.append((application_id, position, operator, number))
    return result


def seed(engine, subscriptions: SubscriptionData, now) -> None:
    """Insert the subscriptions (approved ones with their ApprovedSubscription rows) in bulk."""
    with engine.begin() as connection:
        operators = connection.scalars(select(IspOrganisation.id).where(
            IspOrganisation.kind == OrganisationKind.MOBILE).order_by(IspOrganisation.id)).all()[:4]
        first = (connection.scalar(select(func.max(Subscription.id))) or 0) + 1
        rows, approved_rows = [], []
        for n, (application_id, applicant_id, operator, number) in enumerate(subscriptions.approved):
            rows.append({"id": first + n, "application_id": application_id, "position": 0,
                         "kind": SubscriptionKind.MOBILE, "organisation_id": operators[operator],
                         "identifier": number, "verified_at": now, "created_at": now})
            approved_rows.append({"application_id": application_id, "subscription_id": first + n,
                                  "applicant_id": applicant_id, "organisation_id": operators[operator],
                                  "kind": SubscriptionKind.MOBILE, "identifier": number})
        start = first + len(rows)
        rows += [{"id": start + n, "application_id": application_id, "position": position,
                  "kind": SubscriptionKind.MOBILE, "organisation_id": operators[operator], "identifier": number,
                  "verified_at": now, "created_at": now}
                 for n, (application_id, position, operator, number) in enumerate(subscriptions.pending)]
        for i in range(0, len(rows), 20_000):
            connection.execute(insert(Subscription.__table__), rows[i:i + 20_000])
        for i in range(0, len(approved_rows), 20_000):
            connection.execute(insert(ApprovedSubscription.__table__), approved_rows[i:i + 20_000])
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT setval(pg_get_serial_sequence('subscriptions', 'id'), "
                                    "(SELECT max(id) FROM subscriptions))"))
            connection.execute(text("ANALYZE subscriptions, approved_subscriptions"))


def check(subscriptions: SubscriptionData) -> dict:
    """The subscription findings of the run against what was seeded."""
    from app.choices import FindingCode
    from app.extensions import db
    from app.models import Finding

    ids = subscriptions.run_ids

    def having(code):
        return set(db.session.scalars(select(Finding.application_id).where(
            Finding.code == code, Finding.application_id.between(min(ids), max(ids))).distinct()))

    other, own = having(FindingCode.SUBSCRIPTION_APPROVED_OTHER), having(FindingCode.SUBSCRIPTION_APPROVED_OWN)
    pending = having(FindingCode.SUBSCRIPTION_PENDING)
    return {"approved_other_expected": len(subscriptions.approved_other),
            "approved_other_missing": len(subscriptions.approved_other - other),
            "approved_other_unexpected": len(other - subscriptions.approved_other),
            "approved_own_missing": len(subscriptions.approved_own - own),
            "pending_missing": len(subscriptions.pending_pairs - pending),
            "many_per_holder": len(having(FindingCode.SUBSCRIPTION_MANY))}


def problems(found: dict) -> list[str]:
    wrong = {k: v for k, v in found.items() if k.endswith(("_missing", "_unexpected")) and v}
    return [f"subscription findings: {wrong}"] if wrong else []
