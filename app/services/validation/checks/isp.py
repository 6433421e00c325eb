"""Each organisation's word on its part: confirmed (info), disputed (error), awaited (warning), impossible (info).

An application is confirmed by every organisation that serves a part of it: the ISP in the applicant's profile
for the address entries (its subscriber id), and each operator for the subscriptions it serves (the mobile
numbers or accounts). Each gives its own finding, naming its part, so a reviewer sees which part one disputes
and `isp.pending` stays until every organisation concerned confirmed.

An awaited answer is a warning, so the queue's worst-finding column shows it: an application batched before
its ISP answered was once approved and then disputed. With REQUIRE_ISP_CONFIRMATION on, it also keeps the
application out of batches (review/isp_confirmation_rule.py).

Runs on every validation, so a resubmitted or re-validated application always carries the current
answers; isp_confirmations.answer() puts the same finding on the application the moment the ISP answers.
"""
from app.choices import ConfirmationState, FindingCode, Severity, SubscriptionKind
from app.models import Application, IspConfirmation
from app.services.validation.checks.base import CheckContext, Draft

_NOUNS = {SubscriptionKind.MOBILE: ("mobile number", "mobile numbers"),
          SubscriptionKind.FIXED: ("account", "accounts")}


def check_isp(ctx: CheckContext):
    # Row-locked by Lookups until the validation commits (isp_confirmations.answer waits for them).
    confirmations = ctx.lookups.confirmations(ctx.application.id)
    for confirmation in confirmations:
        yield finding_draft(confirmation)
    profile = ctx.application.applicant.profile
    asked = {c.organisation_id for c in confirmations if covers_addresses(c)}
    addresses = bool(ctx.application.entries) or not ctx.application.subscriptions
    if profile is not None and addresses and profile.isp_organisation_id not in asked:
        yield Draft(FindingCode.ISP_UNCONFIRMED, Severity.INFO,
                    f"ISP {profile.isp_name or '(none given)'} is not on Raasta; nobody confirmed subscriber id "
                    f"{profile.isp_subscriber_id or '(none given)'}.",
                    data={"isp_name": profile.isp_name, "subscriber_id": profile.isp_subscriber_id})


def served_by(application: Application, organisation_id: int) -> list:
    """The application's subscriptions that this organisation serves, in their order."""
    return [s for s in application.subscriptions if s.organisation_id == organisation_id]


def covers_addresses(confirmation: IspConfirmation) -> bool:
    """Whether this confirmation is the profile ISP's, about the address entries' subscriber id. An operator
    asked only about subscriptions has no subscriber id (isp_confirmations.ask_on_submission)."""
    return bool(confirmation.subscriber_id) or not served_by(confirmation.application, confirmation.organisation_id)


def part_words(confirmation: IspConfirmation) -> str:
    """What this organisation confirms, in words: "subscriber id PTCL-1", "mobile number +923001234567", both."""
    parts = [f"subscriber id {confirmation.subscriber_id}"] if covers_addresses(confirmation) else []
    subscriptions = served_by(confirmation.application, confirmation.organisation_id)
    for kind, (one, many) in _NOUNS.items():
        identifiers = [s.identifier for s in subscriptions if s.kind == kind]
        if identifiers:
            parts.append(f"{one if len(identifiers) == 1 else many} {', '.join(identifiers)}")
    return " and ".join(parts)


def _is_the_applicants(confirmation: IspConfirmation, data: dict) -> str:
    one = len(data["subscription_ids"]) + bool(confirmation.subscriber_id) <= 1
    return "is the applicant's connection" if one else "are the applicant's connections"


def finding_draft(confirmation: IspConfirmation) -> Draft:
    """What a confirmation says to reviewers: confirmed (info), disputed (error) or still awaited (warning)."""
    isp, part = confirmation.organisation.name, part_words(confirmation)
    data = {"organisation_id": confirmation.organisation_id, "organisation": isp,
            "subscriber_id": confirmation.subscriber_id,
            "subscription_ids": [s.id for s in served_by(confirmation.application, confirmation.organisation_id)]}
    if confirmation.state == ConfirmationState.CONFIRMED:
        return Draft(FindingCode.ISP_CONFIRMED, Severity.INFO,
                     f"{isp} confirmed that {part} {_is_the_applicants(confirmation, data)}.", data=data)
    if confirmation.state == ConfirmationState.DISPUTED:
        return Draft(FindingCode.ISP_DISPUTED, Severity.ERROR,
                     f"{isp} disputed {part}: “{confirmation.reason}”", data=data)
    return Draft(FindingCode.ISP_PENDING, Severity.WARNING, f"Awaiting {isp}'s confirmation of {part}.", data=data)
