"""What the checks read from other rows, fetched once for a whole sub-batch of applications.

Validating one application at a time asked the database three small questions each time (who else
uses this NTN or CNIC, who else uploaded this file, what did the ISP answer), and for subscriptions two
more (who else registered this number or account, how many its holder has). Asked once for 25
applications, the answers are the same rows; each check then picks out its application's share, in
a fixed order (by row id), so a sub-batch and one-at-a-time give the same findings.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.choices import State
from app.extensions import db
from app.models import ApplicantProfile, Application, Document, IspConfirmation, Subscription
from app.services.id_lists import among

# Whose subscriptions another one collides with: approved, or waiting on the way to a decision.
PENDING_SUBSCRIPTION_STATES = (State.VALIDATING, State.READY, State.FLAGGED, State.NEEDS_INFO)
SUBSCRIBED_STATES = (State.APPROVED,) + PENDING_SUBSCRIPTION_STATES


def holder_numbers(application: Application) -> list[str]:
    """The NTN and CNIC of the application's applicant, those they have: who holds its subscriptions."""
    profile = application.applicant.profile
    return [number for number in ((profile.ntn, profile.cnic) if profile else ()) if number]


@dataclass
class Lookups:
    profiles_by_ntn: dict[str, list] = field(default_factory=dict)    # NTN -> rows (id, user_id, ntn, cnic)
    profiles_by_cnic: dict[str, list] = field(default_factory=dict)
    documents_by_sha256: dict[str, list] = field(default_factory=dict)  # sha256 -> rows (id, sha256, application, applicant)
    # (organisation id, identifier) -> subscription rows (id, application_id, applicant_id, state) on approved
    # and pending applications; and holder (an NTN or CNIC) -> the (organisation id, identifier) pairs it holds.
    subscriptions_by_key: dict[tuple, list] = field(default_factory=dict)
    subscriptions_by_holder: dict[str, set] = field(default_factory=dict)
    # application id -> each organisation's answer about its part (the profile ISP's, each operator's)
    confirmations_by_application: dict[int, list[IspConfirmation]] = field(default_factory=dict)

    @classmethod
    def load(cls, applications: list[Application]) -> "Lookups":
        lookups = cls()
        profiles = [a.applicant.profile for a in applications if a.applicant.profile is not None]
        lookups._load_profiles({p.ntn for p in profiles if p.ntn}, {p.cnic for p in profiles if p.cnic})
        lookups._load_documents({d.sha256 for a in applications for d in a.documents})
        lookups._load_confirmations([a.id for a in applications])
        with_subscriptions = [a for a in applications if a.subscriptions]
        if with_subscriptions:  # address-only sub-batches ask nothing more
            lookups._load_subscriptions({s.identifier for a in with_subscriptions for s in a.subscriptions})
            lookups._load_holdings({number for a in with_subscriptions for number in holder_numbers(a)})
        return lookups

    def _load_profiles(self, ntns: set[str], cnics: set[str]) -> None:
        if not ntns and not cnics:
            return
        matches = [column.in_(sorted(values)) for column, values in
                   ((ApplicantProfile.ntn, ntns), (ApplicantProfile.cnic, cnics)) if values]
        rows = db.session.execute(select(ApplicantProfile.id, ApplicantProfile.user_id, ApplicantProfile.ntn,
                                         ApplicantProfile.cnic).where(or_(*matches)).order_by(ApplicantProfile.id))
        by_ntn, by_cnic = defaultdict(list), defaultdict(list)
        for row in rows:
            if row.ntn in ntns:
                by_ntn[row.ntn].append(row)
            if row.cnic in cnics:
                by_cnic[row.cnic].append(row)
        self.profiles_by_ntn, self.profiles_by_cnic = dict(by_ntn), dict(by_cnic)

    def _load_documents(self, hashes: set[str]) -> None:
        if not hashes:
            return
        rows = db.session.execute(
            select(Document.id, Document.sha256, Document.application_id, Application.applicant_id)
            .join(Application, Application.id == Document.application_id)
            .where(Document.sha256.in_(sorted(hashes))).order_by(Document.id))
        found = defaultdict(list)
        for row in rows:
            found[row.sha256].append(row)
        self.documents_by_sha256 = dict(found)

    def _load_confirmations(self, application_ids: list[int]) -> None:
        # Locked until the validation commits: an ISP's answer arriving meanwhile waits, then sees the
        # applications' new state and findings (isp_confirmations.answer locks the same row first).
        confirmations = db.session.scalars(
            select(IspConfirmation).where(among(IspConfirmation.application_id, application_ids))
            .options(selectinload(IspConfirmation.organisation)).with_for_update(of=IspConfirmation)
            .order_by(IspConfirmation.id))
        found = defaultdict(list)
        for confirmation in confirmations:
            found[confirmation.application_id].append(confirmation)
        self.confirmations_by_application = dict(found)

    def _load_subscriptions(self, identifiers: set[str]) -> None:
        """One query for the sub-batch: the approved and pending subscriptions with any of these identifiers
        (ix_subscriptions_identifier), whatever their organisation; each check keeps its own pair's."""
        rows = db.session.execute(
            select(Subscription.id, Subscription.organisation_id, Subscription.identifier,
                   Subscription.application_id, Application.applicant_id, Application.state)
            .join(Application, Application.id == Subscription.application_id)
            .where(Subscription.identifier.in_(sorted(identifiers))).order_by(Subscription.id))
        found = defaultdict(list)
        for row in rows:
            if row.state in SUBSCRIBED_STATES:  # here, not in SQL: see _load_holdings
                found[(row.organisation_id, row.identifier)].append(row)
        self.subscriptions_by_key = dict(found)

    def _load_holdings(self, numbers: set[str]) -> None:
        """One query for the sub-batch: the subscriptions on approved and pending applications of every account
        whose profile carries one of these NTNs or CNICs."""
        if not numbers:
            return
        # The states are filtered here, not in SQL: given `state IN (...)`, SQLite (without statistics) walked
        # every approved application by ix_applications_state instead of starting from the few profiles.
        rows = db.session.execute(
            select(ApplicantProfile.ntn, ApplicantProfile.cnic, Subscription.organisation_id, Subscription.identifier,
                   Application.state)
            .join(Application, Application.applicant_id == ApplicantProfile.user_id)
            .join(Subscription, Subscription.application_id == Application.id)
            .where(or_(ApplicantProfile.ntn.in_(sorted(numbers)), ApplicantProfile.cnic.in_(sorted(numbers)))))
        held = defaultdict(set)
        for ntn, cnic, organisation_id, identifier, state in rows:
            if state not in SUBSCRIBED_STATES:
                continue
            for number in {ntn, cnic} & numbers:
                held[number].add((organisation_id, identifier))
        self.subscriptions_by_holder = dict(held)

    def subscriptions_like(self, organisation_id: int, identifier: str) -> list:
        """Approved and pending subscriptions with this operator and identifier (any application), by id."""
        return self.subscriptions_by_key.get((organisation_id, identifier), [])

    def held_by(self, number: str) -> set:
        """The (organisation id, identifier) pairs on approved and pending applications of this NTN or CNIC."""
        return self.subscriptions_by_holder.get(number, set())

    def profiles_sharing(self, profile: ApplicantProfile) -> list:
        """Other accounts' profiles with this profile's NTN (in their NTN) or CNIC (in their CNIC)."""
        rows = {row.id: row for row in self.profiles_by_ntn.get(profile.ntn, []) + self.profiles_by_cnic.get(profile.cnic, [])
                if row.user_id != profile.user_id}
        return [rows[key] for key in sorted(rows)]

    def documents_of_others(self, application: Application, hashes) -> list:
        """Documents with one of these hashes in other applicants' applications: (sha256, application_id, applicant_id)."""
        rows = [row for sha256 in hashes for row in self.documents_by_sha256.get(sha256, [])
                if row.applicant_id != application.applicant_id]
        return [(row.sha256, row.application_id, row.applicant_id) for row in sorted(rows, key=lambda row: row.id)]

    def confirmations(self, application_id: int) -> list[IspConfirmation]:
        return self.confirmations_by_application.get(application_id, [])
