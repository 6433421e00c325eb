"""A batch summarised by risk signals, for the checker to read before approving: what deserves a second look.

Each signal is a count of the batch's applications it concerns and their ids (the first MAX_LISTED). The
signals read what the rows already say, nothing looked up afresh:
- new applicant: the account is younger than NEW_ACCOUNT_DAYS, or this is its first submitted application;
- wide range: an address entry wider than a /24 (IPv4) or a /48 (IPv6), i.e. more than one ordinary customer
  assignment (AddressEntry.size_class says it: a /24 spans 2**8 addresses, class 8);
- many subscriptions: the applicant's CNIC or NTN holds more than SUBSCRIPTIONS_PER_HOLDER_WARN mobile numbers
  and accounts across approved and pending applications (the setting validation's own warning uses), counted now;
- foreign network: validation's geo findings (outside Pakistan, several countries) or an entry announced by
  another ISP than the profile's (the offline GeoIP/ASN data, read at validation);
- overrides: a reviewer overrode a finding on it (an error, or isp.pending).
One query per signal (and one more for the subscriptions' holders), whatever the batch's size: a batch may hold
10,000 applications. Nothing here changes a row.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, or_, select

from app.addresses import codes as address_codes
from app.choices import FindingCode
from app.extensions import db
from app.models import (
    AddressEntry,
    ApplicantProfile,
    Application,
    Batch,
    Finding,
    Override,
    Subscription,
    User,
    batch_applications,
)
from app.models.types import utcnow
from app.services.validation.checks.lookups import SUBSCRIBED_STATES

NEW_ACCOUNT_DAYS = 30
WIDE_CLASS = {4: 8, 6: 80}  # size_class of a /24 and of a /48: wider is a class above
FOREIGN_CODES = (address_codes.COUNTRY_FOREIGN, address_codes.COUNTRY_MIXED, FindingCode.OTHER_ISP)
MAX_LISTED = 100

NEW_APPLICANT, WIDE_RANGE, MANY_SUBSCRIPTIONS, FOREIGN_NETWORK, OVERRIDES = (
    "new_applicant", "wide_range", "many_subscriptions", "foreign_network", "overrides")
SIGNALS = (NEW_APPLICANT, WIDE_RANGE, MANY_SUBSCRIPTIONS, FOREIGN_NETWORK, OVERRIDES)


@dataclass
class Signal:
    code: str
    count: int = 0
    application_ids: list[int] = field(default_factory=list)  # the first MAX_LISTED, by id


def _members(batch: Batch):
    return select(batch_applications.c.application_id).where(batch_applications.c.batch_id == batch.id)


def _ids(query) -> set[int]:
    return set(db.session.scalars(query))


def _new_applicants(batch: Batch) -> set[int]:
    earlier = Application.__table__.alias("earlier")
    first_ever = ~exists().where(earlier.c.applicant_id == Application.applicant_id, earlier.c.id != Application.id,
                                 earlier.c.submitted_at.is_not(None),
                                 earlier.c.submitted_at < Application.submitted_at)
    young = User.created_at > utcnow() - timedelta(days=NEW_ACCOUNT_DAYS)
    return _ids(select(Application.id).join(User, User.id == Application.applicant_id)
                .where(Application.id.in_(_members(batch)), or_(young, first_ever)))


def _wide_ranges(batch: Batch) -> set[int]:
    return _ids(select(AddressEntry.application_id).distinct().where(
        AddressEntry.application_id.in_(_members(batch)),
        or_(*((AddressEntry.version == version) & (AddressEntry.size_class > size_class)
              for version, size_class in WIDE_CLASS.items()))))


def _many_subscriptions(batch: Batch) -> set[int]:
    """The batch's applications with subscriptions whose applicant's CNIC or NTN holds too many; two queries."""
    holders: dict[int, set[str]] = {}
    for application_id, ntn, cnic in db.session.execute(
            select(Application.id, ApplicantProfile.ntn, ApplicantProfile.cnic)
            .join(ApplicantProfile, ApplicantProfile.user_id == Application.applicant_id)
            .where(Application.id.in_(_members(batch)),
                   exists().where(Subscription.application_id == Application.id))):
        holders[application_id] = {number for number in (ntn, cnic) if number}
    if not holders:
        return set()
    batch_profiles = (select(ApplicantProfile.ntn, ApplicantProfile.cnic)
                      .join(Application, Application.applicant_id == ApplicantProfile.user_id)
                      .where(Application.id.in_(_members(batch))).subquery())
    held: dict[str, set] = {}
    for ntn, cnic, organisation_id, identifier, state in db.session.execute(
            select(ApplicantProfile.ntn, ApplicantProfile.cnic, Subscription.organisation_id,
                   Subscription.identifier, Application.state)
            .join(Application, Application.applicant_id == ApplicantProfile.user_id)
            .join(Subscription, Subscription.application_id == Application.id)
            .where(or_(ApplicantProfile.ntn.in_(select(batch_profiles.c.ntn)),
                       ApplicantProfile.cnic.in_(select(batch_profiles.c.cnic))))):
        if state in SUBSCRIBED_STATES:
            for number in (ntn, cnic):
                if number:
                    held.setdefault(number, set()).add((organisation_id, identifier))
    most = current_app.config["SUBSCRIPTIONS_PER_HOLDER_WARN"]
    return {application_id for application_id, numbers in holders.items()
            if any(len(held.get(number, ())) > most for number in numbers)}


def _with_findings(batch: Batch, codes) -> set[int]:
    return _ids(select(Finding.application_id).distinct().where(Finding.application_id.in_(_members(batch)),
                                                                Finding.code.in_(codes)))


def _overridden(batch: Batch) -> set[int]:
    return _ids(select(Override.application_id).distinct().where(Override.application_id.in_(_members(batch))))


def risk_signals(batch: Batch) -> list[Signal]:
    """Every signal, in SIGNALS' order, those concerning no application included (a checker reads "0" too)."""
    found = {NEW_APPLICANT: _new_applicants(batch), WIDE_RANGE: _wide_ranges(batch),
             MANY_SUBSCRIPTIONS: _many_subscriptions(batch), FOREIGN_NETWORK: _with_findings(batch, FOREIGN_CODES),
             OVERRIDES: _overridden(batch)}
    return [Signal(code, len(found[code]), sorted(found[code])[:MAX_LISTED]) for code in SIGNALS]
