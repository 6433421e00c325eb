"""JSON shapes of profiles and applications, as the contract describes them."""
from flask_login import current_user

from app import audit
from app.choices import REVIEWER_ONLY_FINDINGS, Role
from app.models import ApplicantProfile, Application
from app.models.types import utcnow
from app.services.decision_clock import PKT, is_late
from app.services.fees.standing import FeeStanding, fee_standing
from app.services.profiles import PROFILE_FIELDS
from app.services.review.decisions import overrides_of


def profile_json(profile: ApplicantProfile) -> dict:
    return {"id": profile.id, **{f: getattr(profile, f) for f in PROFILE_FIELDS},
            # The ISP is on Raasta and will confirm the subscriber id; else reviewers see it unconfirmed.
            "isp_on_raasta": profile.isp_organisation_id is not None,
            "updated_at": profile.updated_at.isoformat()}


def _finding_json(finding, staff: bool) -> dict:
    body = {"code": finding.code, "severity": finding.severity, "message": finding.message_for(reviewer=staff)}
    if staff and finding.data:
        body["data"] = finding.data  # e.g. which application holds the overlapping space
    return body


def subscription_json(subscription, findings: list[dict]) -> dict:
    """A subscription as the contract shows it: the operator by name, the identifier as stored (E.164)."""
    return {"id": subscription.id, "kind": subscription.kind, "operator": subscription.organisation.name,
            "identifier": subscription.identifier, "verified": subscription.verified, "findings": findings}


def _time(value):
    return value.isoformat() if value else None


def due_time(value):
    """The decision's due time in Pakistan time, ISO 8601 with its offset (+05:00); None before submission."""
    return value.astimezone(PKT).isoformat() if value else None


def history(application: Application, staff: bool) -> list[dict]:
    """The application's audit events; applicants see no internal notes (not even that one was written)
    and no reviewer names."""
    return [audit.event_dict(event, staff) for event in audit.timeline(application)
            if staff or audit.INTERNAL not in event.data]


def overrides_json(application: Application, staff: bool) -> list[dict]:
    """Every override shows on the application; only staff see which reviewer wrote it."""
    return [{"code": o.code, "reason": o.reason, "at": _time(o.created_at)}
            | ({"reviewer": {"id": o.reviewer_id, "name": o.reviewer.display_name}} if staff else {})
            for o in overrides_of(application)]


def application_json(application: Application, detail: bool = True) -> dict:
    staff = current_user.has_role(*Role.STAFF)
    body = {
        "id": application.id,
        "state": application.state,
        "purpose": application.purpose,
        "category": application.category,
        "applicant_id": application.applicant_id,
        "created_at": _time(application.created_at),
        "submitted_at": _time(application.submitted_at),
        "approved_at": _time(application.approved_at),
        "expires_at": _time(application.expires_at),
        # The decision clock (services.decision_clock): due DECISION_HOURS working hours after submission, paused in
        # needs_info; "late" while waiting past it, or for good once decided after it.
        "decision_due_at": due_time(application.decision_due_at),
        "late": is_late(application, utcnow()),
        "reviewer_message": application.reviewer_message,
        "renewal_of": application.renewal_of_id,
        "note": application.applicant_note,  # the applicant's note to the reviewer
        # The sponsor whose invitation the applicant accepted (contract: sponsor); null for one applied for alone.
        "sponsor": {"id": application.sponsor.id, "name": application.sponsor.name,
                    "state": application.sponsor.state} if application.sponsor_id else None,
    }
    if not detail:
        return body
    by_entry: dict[int, list] = {}
    by_subscription: dict[int, list] = {}
    general = []
    for finding in application.findings:
        if not staff and finding.code in REVIEWER_ONLY_FINDINGS:
            continue
        found = (by_entry.setdefault(finding.entry_id, []) if finding.entry_id
                 else by_subscription.setdefault(finding.subscription_id, []) if finding.subscription_id else general)
        found.append(_finding_json(finding, staff))
    body.update(
        entries=[{"input": e.input, "version": e.version, "cidrs": e.cidrs, "note": e.note,
                  "findings": by_entry.get(e.id, [])} for e in application.entries],
        endpoints=[{"host": e.host, "protocol": e.protocol, "port": e.port, "peer": e.peer}
                   for e in application.endpoints],
        subscriptions=[subscription_json(s, by_subscription.get(s.id, [])) for s in application.subscriptions],
        documents=[{"id": d.id, "kind": d.kind, "name": d.display_name, "content_type": d.content_type,
                    "size": d.size, "sha256": d.sha256, "uploaded_at": _time(d.uploaded_at)}
                   for d in application.documents],
        findings=general,
        overrides=overrides_json(application, staff),
        history=history(application, staff),
        fee=fee_json(fee_standing(application)),
    )
    return body


def fee_json(fee: FeeStanding | None) -> dict | None:
    """The application's fee (services.fees.standing): null when it owes none; state "due_on_submit" before
    submission (no reference yet), then the reference's state: pending, paid or expired."""
    if fee is None:
        return None
    return {"amount": fee.amount, "currency": fee.currency, "reason": fee.reason, "state": fee.state,
            "reference": fee.reference, "expires_at": _time(fee.expires_at), "paid_at": _time(fee.paid_at)}
