"""The applicant's NTN or CNIC used by another account: allowed, but shown to reviewers."""
from app.choices import FindingCode, Severity
from app.i18n import Phrase
from app.services.validation.checks.base import CheckContext, Draft


def check_identity(ctx: CheckContext):
    profile = ctx.application.applicant.profile
    if profile is None:
        return
    numbers = [(label, value) for label, value in (("NTN", profile.ntn), ("CNIC", profile.cnic)) if value]
    if not numbers:
        return
    for other in ctx.lookups.profiles_sharing(profile):
        label, value = next((l, v) for l, v in numbers if v in (other.ntn, other.cnic))
        yield Draft(FindingCode.IDENTITY_SHARED, Severity.WARNING,
                    Phrase("%(label)s %(number)s is also used by another account.", label=label, number=value),
                    data={"user_id": other.user_id})
