"""What the checks read from other rows, fetched once for a whole sub-batch of applications.

Validating one application at a time asked the database three small questions each time (who else
uses this NTN or CNIC, who else uploaded this file, what did the ISP answer). Asked once for 25
applications, the answers are the same rows; each check then picks out its application's share, in
a fixed order (by row id), so a sub-batch and one-at-a-time give the same findings.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import ApplicantProfile, Application, Document, IspConfirmation
from app.services.id_lists import among


@dataclass
class Lookups:
    profiles_by_ntn: dict[str, list] = field(default_factory=dict)    # NTN -> rows (id, user_id, ntn, cnic)
    profiles_by_cnic: dict[str, list] = field(default_factory=dict)
    documents_by_sha256: dict[str, list] = field(default_factory=dict)  # sha256 -> rows (id, sha256, application, applicant)
    # application id -> each organisation's answer about its part (the profile ISP's, each operator's)
    confirmations_by_application: dict[int, list[IspConfirmation]] = field(default_factory=dict)

    @classmethod
    def load(cls, applications: list[Application]) -> "Lookups":
        lookups = cls()
        profiles = [a.applicant.profile for a in applications if a.applicant.profile is not None]
        lookups._load_profiles({p.ntn for p in profiles if p.ntn}, {p.cnic for p in profiles if p.cnic})
        lookups._load_documents({d.sha256 for a in applications for d in a.documents})
        lookups._load_confirmations([a.id for a in applications])
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
