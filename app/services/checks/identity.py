"""The applicant's NTN or CNIC used by another account: allowed, but shown to reviewers."""
from sqlalchemy import or_, select

from app.choices import FindingCode, Severity
from app.extensions import db
from app.models import ApplicantProfile
from app.services.checks.base import CheckContext, Draft


def check_identity(ctx: CheckContext):
    profile = ctx.application.applicant.profile
    if profile is None:
        return
    numbers = [(label, value) for label, value in (("NTN", profile.ntn), ("CNIC", profile.cnic)) if value]
    if not numbers:
        return
    others = db.session.scalars(select(ApplicantProfile).where(
        ApplicantProfile.user_id != profile.user_id,
        or_(*[(ApplicantProfile.ntn if label == "NTN" else ApplicantProfile.cnic) == value for label, value in numbers]),
    )).all()
    for other in others:
        label, value = next((l, v) for l, v in numbers if v in (other.ntn, other.cnic))
        yield Draft(FindingCode.IDENTITY_SHARED, Severity.WARNING,
                    f"{label} {value} is also used by another account.", data={"user_id": other.user_id})
