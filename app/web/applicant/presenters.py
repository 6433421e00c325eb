"""What the applicant reads about their application: the next step, its findings, and the timeline in words."""
from app import audit
from app.choices import (
    REVIEWER_ONLY_FINDINGS,
    DocumentKind,
    FindingCode,
    Role,
    State,
    SubscriptionKind,
)
from app.i18n import _, _l
from app.models import Application, Finding, User
from app.models.types import utcnow
from app.services.decision_clock import WAITING_STATES, is_late
from app.services.holidays import decision_hours
from app.services.pakistani_numbers import mobile_national
from app.services.subscriptions.code_limits import in_words
from app.services.subscriptions.sms_codes import proof_step

NEXT_STEPS = {
    State.DRAFT: _l("Check your entries, add the documents your category needs, then submit for the automatic "
                    "checks."),
    State.VALIDATING: _l("The automatic checks are running. This page updates by itself."),
    State.VALIDATION_FAILED: _l("The checks could not run. Nothing is lost: an administrator will retry them."),
    State.READY: _l("The automatic checks passed. A reviewer at the regulator will look at it next."),
    State.FLAGGED: _l("The checks found problems (listed below). Correct them and submit again, or leave it as it is "
                      "for a reviewer to decide."),
    State.NEEDS_INFO: _l("A reviewer needs more from you. Edit the application or add documents, then submit "
                         "again."),
    State.APPROVED: _l("Approved. ISPs apply it with the next whitelist they download."),
    State.SUSPENDED: _l("Suspended: your ISP told us that the subscriber id in your profile is not your "
                        "connection (its words are below), so ISPs no longer let these addresses through. Check the "
                        "subscriber id with your ISP: if it is yours, ask your ISP to correct its answer on Raasta; "
                        "if there is another mistake, contact the regulator. A reviewer will decide whether to "
                        "reinstate the approval or revoke it, and you will be told."),
    State.REJECTED: _l("Rejected. The reason is shown above; you may start a new application."),
    State.REVOKED: _l("The approval was revoked. The reason is shown above."),
    State.EXPIRED: _l("Expired. Renew it to be whitelisted again."),
    State.WITHDRAWN: _l("You withdrew this application."),
}

# A ready (or flagged and accepted) application a reviewer has put in a batch: its state is unchanged, but
# it no longer waits for a first look, and the applicant can no longer change it (reopening.reopen refuses).
IN_BATCH_LABEL = _l("Awaiting approval")
IN_BATCH_STEP = _l("A reviewer has checked it and passed it on for approval: a second reviewer now approves it or "
                   "sends it back (every approval takes two). It cannot be edited while it waits; if something must "
                   "change, withdraw it and apply again.")

_EVENT_WORDS = {
    "application.created": _l("Draft created"),
    "application.edited": _l("Edited"),
    "application.draft": _l("Opened for corrections (a draft again)"),
    "application.validating": _l("Submitted for the automatic checks"),
    "application.ready": _l("Checks passed"),
    "application.flagged": _l("Checks found problems"),
    "application.validation_failed": _l("Checks could not run"),
    "application.needs_info": _l("Reviewer asked for more information"),
    "application.approved": _l("Approved"),
    "application.suspended": _l("Approval suspended: your ISP disputed the subscriber id"),
    "application.isp_confirmed": _l("Your ISP confirmed the subscriber id"),
    "application.isp_disputed": _l("Your ISP disputed the subscriber id"),
    "application.rejected": _l("Rejected"),
    "application.revoked": _l("Approval revoked"),
    "application.expired": _l("Expired"),
    "application.withdrawn": _l("Withdrawn"),
    "application.overridden": _l("A reviewer accepted a finding"),
    "document.uploaded": _l("Document uploaded"),
    "document.removed": _l("Document removed"),
    "document.carried_over": _l("Document added from your earlier applications"),
    "document.downloaded": _l("Document opened"),
    "subscription.code_requested": _l("Code asked for by SMS"),
    "subscription.code_wrong": _l("Wrong code typed"),
    "subscription.code_voided": _l("Code voided after five wrong tries"),
    "subscription.verified": _l("Mobile number proven by its SMS code"),
    "payment.reference_issued": _l("Fee due: payment reference issued"),
    "payment.reference_renewed": _l("New payment reference issued"),
    "payment.settled": _l("Fee paid"),
    "payment.cancelled": _l("Fee cancelled: no longer due"),
}


def next_step(application: Application, in_batch: bool = False) -> str:
    """What happens next; `in_batch`: it is in a batch awaiting a second reviewer's approval."""
    return str(IN_BATCH_STEP if in_batch and application.state in State.REVIEWABLE else NEXT_STEPS[application.state])


def decision_clock(application: Application) -> dict | None:
    """What the page says of the decision clock: {"status": "expected" | "late" | "paused", "due", "hours_left"};
    None before submission and once decided (services.decision_clock)."""
    due = application.decision_due_at
    if due is None:
        return None
    if application.state == State.NEEDS_INFO:
        left = application.decision_clock_remaining
        seconds = decision_hours() * 3600 if left is None else left
        return {"status": "paused", "due": due, "hours_left": -(-seconds // 3600)}  # whole hours, rounded up
    if application.state in WAITING_STATES:
        return {"status": "late" if is_late(application, utcnow()) else "expected", "due": due, "hours_left": None}
    return None


def shown_findings(application: Application) -> list[Finding]:
    """The findings the applicant reads. "Awaiting your ISP's confirmation" only while the application is open:
    a decided one awaits nothing (the ISP may still answer an approved one, and its answer then shows)."""
    return [f for f in application.findings if f.code not in REVIEWER_ONLY_FINDINGS
            and (f.code != FindingCode.ISP_PENDING or application.state in State.OPEN)]


def _words(event) -> str:
    if event.action == "application.approved" and event.data.get("before") == State.SUSPENDED:
        return _("Approval reinstated")
    words = _EVENT_WORDS.get(event.action)
    return str(words) if words else event.action.replace(".", " ").replace("_", " ")


def _who(event, application: Application) -> str:
    if event.actor_id == application.applicant_id:
        return _("you")
    if event.actor_role == "system":
        return "Raasta"
    return _("your ISP") if event.actor_role == Role.ISP else _("a reviewer")


def timeline(application: Application) -> list[dict]:
    """The audit trail in the applicant's words, a line for each thing they did (the trail records the parts):
    the papers carried over with a new draft join its "Draft created", the copy an upload replaced joins that
    upload, and the reopening an edit or upload caused joins it. Downloads and reviewers' notes are left
    out; reviewers stay anonymous."""
    lines: list[dict] = []
    for event in audit.timeline(application):
        if event.action == "document.downloaded" or audit.INTERNAL in event.data:
            continue
        line = _line(event, application)
        previous = lines[-1] if lines else None
        if previous and _joined(previous, event, line):
            continue
        lines.append(line)
    return lines


_CHANGES = ("application.edited", "document.uploaded", "document.removed")


def _line(event, application: Application) -> dict:
    number = event.data.get("number") if event.action.startswith("subscription.") else None
    detail = event.data.get("name") or (mobile_national(number) if number else "")
    return {"at": event.at, "what": _words(event), "who": _who(event, application), "detail": detail, "also": "",
            "event": event}


def subscription_rows(application: Application, user: User) -> list[dict]:
    """Each subscription as the applicant reads it: the number in national form (0300-1234567) or the account id,
    its operator, whether it is proven, and, for a mobile number still to prove on an application that can be
    submitted, where its SMS code stands (services.subscriptions.sms_codes.ProofStep)."""
    rows = []
    for subscription in application.subscriptions:
        mobile = subscription.kind == SubscriptionKind.MOBILE
        to_prove = mobile and not subscription.verified and application.state in State.EDITABLE
        step = proof_step(subscription, user) if to_prove else None
        rows.append({"subscription": subscription, "mobile": mobile, "operator": subscription.organisation.name,
                     "shown": mobile_national(subscription.identifier) if mobile else subscription.identifier,
                     "step": step, "wait": in_words(step.resend_in) if step and step.resend_at else ""})
    return rows


def _joined(previous: dict, event, line: dict) -> bool:
    """Fold `event` into the line before it when both are parts of one thing done; True when folded."""
    before = previous["event"]
    if event.action == "document.carried_over" and before.action in ("application.created", "document.carried_over"):
        kind = DocumentKind.LABELS.get(event.data.get("kind"))
        carried = _("%(name)s (%(kind)s)", name=event.data.get("name"), kind=kind if kind else _("document"))
        if "carried" not in previous:  # the line's own detail (a document's name) comes first, if it has one
            previous["carried"] = [previous["detail"]] if previous["detail"] else []
            previous["carried_with"] = not previous["detail"]
        previous["carried"].append(carried)
        documents = previous["carried"][0]
        for more in previous["carried"][1:]:
            documents = _("%(first)s and %(second)s", first=documents, second=more)
        previous["detail"] = (_("with %(documents)s from your earlier applications", documents=documents)
                              if previous["carried_with"]
                              else _("%(documents)s from your earlier applications", documents=documents))
        return True
    if (event.action == "document.removed" and event.data.get("replaced_by") is not None
            and before.action == "document.uploaded" and before.data.get("document_id") == event.data["replaced_by"]):
        previous["detail"] = _("%(name)s, replacing %(old)s", name=previous["detail"], old=event.data.get("name"))
        return True
    if (before.action == "application.draft" and before.data.get("reopened") and event.action in _CHANGES
            and event.actor_id == before.actor_id):
        previous.update(line, at=previous["at"], also=_("opened for corrections (a draft again)"))
        return True
    return False
