"""The ISP's word on the subscriber id: confirmed (info), disputed (error), awaited (warning), impossible (info).

An awaited answer is a warning, so the queue's worst-finding column shows it: an application batched before
its ISP answered was once approved and then disputed. With REQUIRE_ISP_CONFIRMATION on, it also keeps the
application out of batches (review/isp_confirmation_rule.py).

Runs on every validation, so a resubmitted or re-validated application always carries the current
answer; isp_confirmations.answer() puts the same finding on the application the moment the ISP answers.
"""
from app.choices import ConfirmationState, FindingCode, Severity
from app.models import IspConfirmation
from app.services.validation.checks.base import CheckContext, Draft


def check_isp(ctx: CheckContext):
    # Row-locked by Lookups until the validation commits (isp_confirmations.answer waits for it).
    confirmation = ctx.lookups.confirmation(ctx.application.id)
    if confirmation is not None:
        yield finding_draft(confirmation)
        return
    profile = ctx.application.applicant.profile
    if profile is not None:
        yield Draft(FindingCode.ISP_UNCONFIRMED, Severity.INFO,
                    f"ISP {profile.isp_name or '(none given)'} is not on Raasta; nobody confirmed subscriber id "
                    f"{profile.isp_subscriber_id or '(none given)'}.",
                    data={"isp_name": profile.isp_name, "subscriber_id": profile.isp_subscriber_id})


def finding_draft(confirmation: IspConfirmation) -> Draft:
    """What a confirmation says to reviewers: confirmed (info), disputed (error) or still awaited (warning)."""
    isp, subscriber = confirmation.organisation.name, confirmation.subscriber_id
    data = {"organisation_id": confirmation.organisation_id, "subscriber_id": subscriber}
    if confirmation.state == ConfirmationState.CONFIRMED:
        return Draft(FindingCode.ISP_CONFIRMED, Severity.INFO,
                     f"{isp} confirmed that subscriber id {subscriber} is the applicant's connection.", data=data)
    if confirmation.state == ConfirmationState.DISPUTED:
        return Draft(FindingCode.ISP_DISPUTED, Severity.ERROR,
                     f"{isp} disputed subscriber id {subscriber}: “{confirmation.reason}”", data=data)
    return Draft(FindingCode.ISP_PENDING, Severity.WARNING,
                 f"Awaiting {isp}'s confirmation of subscriber id {subscriber}.", data=data)
