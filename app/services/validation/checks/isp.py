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
import re

from app.choices import ConfirmationState, FindingCode, Severity, SubscriptionKind
from app.i18n import Phrase, _, ngettext
from app.models import Application, IspConfirmation
from app.services.validation.checks.base import CheckContext, Draft

# Each organisation's answer as one whole sentence per shape of its part, so a language can word the list its way:
# (the subscriber id?, mobile numbers: none, 1 or 2 for more, accounts: likewise) -> (confirmed, disputed,
# awaited); the same English as part_words() makes, which review/ still uses in its own sentences.
_ANSWERS = {
    (True, 0, 0): (
        Phrase("%(isp)s confirmed that subscriber id %(subscriber_id)s is the applicant's connection."),
        Phrase("%(isp)s disputed subscriber id %(subscriber_id)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of subscriber id %(subscriber_id)s.")),
    (True, 0, 1): (
        Phrase("%(isp)s confirmed that subscriber id %(subscriber_id)s and account %(accounts)s are "
               "the applicant's connections."),
        Phrase("%(isp)s disputed subscriber id %(subscriber_id)s and account %(accounts)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of subscriber id %(subscriber_id)s and account %(accounts)s.")),
    (True, 0, 2): (
        Phrase("%(isp)s confirmed that subscriber id %(subscriber_id)s and accounts %(accounts)s "
               "are the applicant's connections."),
        Phrase("%(isp)s disputed subscriber id %(subscriber_id)s and accounts %(accounts)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of subscriber id %(subscriber_id)s and accounts %(accounts)s.")),
    (True, 1, 0): (
        Phrase("%(isp)s confirmed that subscriber id %(subscriber_id)s and mobile number "
               "%(mobile_numbers)s are the applicant's connections."),
        Phrase("%(isp)s disputed subscriber id %(subscriber_id)s and mobile number %(mobile_numbers)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of subscriber id %(subscriber_id)s and mobile "
               "number %(mobile_numbers)s.")),
    (True, 1, 1): (
        Phrase("%(isp)s confirmed that subscriber id %(subscriber_id)s and mobile number "
               "%(mobile_numbers)s and account %(accounts)s are the applicant's connections."),
        Phrase("%(isp)s disputed subscriber id %(subscriber_id)s and mobile number "
               "%(mobile_numbers)s and account %(accounts)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of subscriber id %(subscriber_id)s and mobile "
               "number %(mobile_numbers)s and account %(accounts)s.")),
    (True, 1, 2): (
        Phrase("%(isp)s confirmed that subscriber id %(subscriber_id)s and mobile number "
               "%(mobile_numbers)s and accounts %(accounts)s are the applicant's connections."),
        Phrase("%(isp)s disputed subscriber id %(subscriber_id)s and mobile number "
               "%(mobile_numbers)s and accounts %(accounts)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of subscriber id %(subscriber_id)s and mobile "
               "number %(mobile_numbers)s and accounts %(accounts)s.")),
    (True, 2, 0): (
        Phrase("%(isp)s confirmed that subscriber id %(subscriber_id)s and mobile numbers "
               "%(mobile_numbers)s are the applicant's connections."),
        Phrase("%(isp)s disputed subscriber id %(subscriber_id)s and mobile numbers %(mobile_numbers)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of subscriber id %(subscriber_id)s and mobile "
               "numbers %(mobile_numbers)s.")),
    (True, 2, 1): (
        Phrase("%(isp)s confirmed that subscriber id %(subscriber_id)s and mobile numbers "
               "%(mobile_numbers)s and account %(accounts)s are the applicant's connections."),
        Phrase("%(isp)s disputed subscriber id %(subscriber_id)s and mobile numbers "
               "%(mobile_numbers)s and account %(accounts)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of subscriber id %(subscriber_id)s and mobile "
               "numbers %(mobile_numbers)s and account %(accounts)s.")),
    (True, 2, 2): (
        Phrase("%(isp)s confirmed that subscriber id %(subscriber_id)s and mobile numbers "
               "%(mobile_numbers)s and accounts %(accounts)s are the applicant's connections."),
        Phrase("%(isp)s disputed subscriber id %(subscriber_id)s and mobile numbers "
               "%(mobile_numbers)s and accounts %(accounts)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of subscriber id %(subscriber_id)s and mobile "
               "numbers %(mobile_numbers)s and accounts %(accounts)s.")),
    (False, 0, 1): (
        Phrase("%(isp)s confirmed that account %(accounts)s is the applicant's connection."),
        Phrase("%(isp)s disputed account %(accounts)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of account %(accounts)s.")),
    (False, 0, 2): (
        Phrase("%(isp)s confirmed that accounts %(accounts)s are the applicant's connections."),
        Phrase("%(isp)s disputed accounts %(accounts)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of accounts %(accounts)s.")),
    (False, 1, 0): (
        Phrase("%(isp)s confirmed that mobile number %(mobile_numbers)s is the applicant's connection."),
        Phrase("%(isp)s disputed mobile number %(mobile_numbers)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of mobile number %(mobile_numbers)s.")),
    (False, 1, 1): (
        Phrase("%(isp)s confirmed that mobile number %(mobile_numbers)s and account %(accounts)s "
               "are the applicant's connections."),
        Phrase("%(isp)s disputed mobile number %(mobile_numbers)s and account %(accounts)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of mobile number %(mobile_numbers)s and account %(accounts)s.")),
    (False, 1, 2): (
        Phrase("%(isp)s confirmed that mobile number %(mobile_numbers)s and accounts %(accounts)s "
               "are the applicant's connections."),
        Phrase("%(isp)s disputed mobile number %(mobile_numbers)s and accounts %(accounts)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of mobile number %(mobile_numbers)s and accounts %(accounts)s.")),
    (False, 2, 0): (
        Phrase("%(isp)s confirmed that mobile numbers %(mobile_numbers)s are the applicant's connections."),
        Phrase("%(isp)s disputed mobile numbers %(mobile_numbers)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of mobile numbers %(mobile_numbers)s.")),
    (False, 2, 1): (
        Phrase("%(isp)s confirmed that mobile numbers %(mobile_numbers)s and account %(accounts)s "
               "are the applicant's connections."),
        Phrase("%(isp)s disputed mobile numbers %(mobile_numbers)s and account %(accounts)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of mobile numbers %(mobile_numbers)s and account %(accounts)s.")),
    (False, 2, 2): (
        Phrase("%(isp)s confirmed that mobile numbers %(mobile_numbers)s and accounts %(accounts)s "
               "are the applicant's connections."),
        Phrase("%(isp)s disputed mobile numbers %(mobile_numbers)s and accounts %(accounts)s: “%(reason)s”"),
        Phrase("Awaiting %(isp)s's confirmation of mobile numbers %(mobile_numbers)s and accounts %(accounts)s.")),
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


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
                    _not_on_raasta(profile.isp_name, profile.isp_subscriber_id),
                    data={"isp_name": profile.isp_name, "subscriber_id": profile.isp_subscriber_id})


def _not_on_raasta(isp: str | None, subscriber_id: str | None) -> Phrase:
    if isp and subscriber_id:
        return Phrase("ISP %(isp)s is not on Raasta; nobody confirmed subscriber id %(subscriber_id)s.",
                      isp=isp, subscriber_id=subscriber_id)
    if isp:
        return Phrase("ISP %(isp)s is not on Raasta; nobody confirmed subscriber id (none given).", isp=isp)
    if subscriber_id:
        return Phrase("ISP (none given) is not on Raasta; nobody confirmed subscriber id %(subscriber_id)s.",
                      subscriber_id=subscriber_id)
    return Phrase("ISP (none given) is not on Raasta; nobody confirmed subscriber id (none given).")


def served_by(application: Application, organisation_id: int) -> list:
    """The application's subscriptions that this organisation serves, in their order."""
    return [s for s in application.subscriptions if s.organisation_id == organisation_id]


def covers_addresses(confirmation: IspConfirmation) -> bool:
    """Whether this confirmation is the profile ISP's, about the address entries' subscriber id. An operator
    asked only about subscriptions has no subscriber id (isp_confirmations.ask_on_submission)."""
    return bool(confirmation.subscriber_id) or not served_by(confirmation.application, confirmation.organisation_id)


def part_words(confirmation: IspConfirmation) -> str:
    """What this organisation confirms, in the current language: "subscriber id PTCL-1", "mobile number
    +923001234567", or both joined ("... and ...")."""
    parts = [_("subscriber id %(id)s", id=confirmation.subscriber_id)] if covers_addresses(confirmation) else []
    subscriptions = served_by(confirmation.application, confirmation.organisation_id)
    numbers = [s.identifier for s in subscriptions if s.kind == SubscriptionKind.MOBILE]
    accounts = [s.identifier for s in subscriptions if s.kind == SubscriptionKind.FIXED]
    if numbers:
        parts.append(ngettext("mobile number %(ids)s", "mobile numbers %(ids)s", len(numbers), ids=", ".join(numbers)))
    if accounts:
        parts.append(ngettext("account %(ids)s", "accounts %(ids)s", len(accounts), ids=", ".join(accounts)))
    joined = parts[0] if parts else ""
    for part in parts[1:]:
        joined = _("%(first)s and %(then)s", first=joined, then=part)
    return joined


def finding_draft(confirmation: IspConfirmation) -> Draft:
    """What a confirmation says to reviewers: confirmed (info), disputed (error) or still awaited (warning)."""
    isp = confirmation.organisation.name
    subscriptions = served_by(confirmation.application, confirmation.organisation_id)
    data = {"organisation_id": confirmation.organisation_id, "organisation": isp,
            "subscriber_id": confirmation.subscriber_id, "subscription_ids": [s.id for s in subscriptions]}
    mobile_numbers = [s.identifier for s in subscriptions if s.kind == SubscriptionKind.MOBILE]
    accounts = [s.identifier for s in subscriptions if s.kind == SubscriptionKind.FIXED]
    confirmed, disputed, awaited = _ANSWERS[
        (covers_addresses(confirmation), min(len(mobile_numbers), 2), min(len(accounts), 2))]
    values = {"isp": isp, "subscriber_id": confirmation.subscriber_id, "mobile_numbers": ", ".join(mobile_numbers),
              "accounts": ", ".join(accounts), "reason": confirmation.reason}

    def said(sentence: Phrase) -> Phrase:
        return Phrase(sentence.msgid, **{name: values[name] for name in _PLACEHOLDER.findall(sentence.msgid)})

    if confirmation.state == ConfirmationState.CONFIRMED:
        return Draft(FindingCode.ISP_CONFIRMED, Severity.INFO, said(confirmed), data=data)
    if confirmation.state == ConfirmationState.DISPUTED:
        return Draft(FindingCode.ISP_DISPUTED, Severity.ERROR, said(disputed), data=data)
    return Draft(FindingCode.ISP_PENDING, Severity.WARNING, said(awaited), data=data)
