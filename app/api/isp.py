"""API v1 for ISPs: confirm or dispute their subscribers' applications, and their webhook (contract: ISP).

Every endpoint acts for the caller's ISP organisation only: another ISP's application is a 404,
exactly as if it did not exist.
"""
from flask import abort, jsonify, request, url_for
from flask_login import current_user

from app.api import bp, schemas
from app.api.openapi import documented
from app.api.requests import json_body
from app.auth import role_required
from app.choices import ConfirmationState, Role, State
from app.i18n import _, ngettext
from app.models import IspConfirmation, WebhookDelivery
from app.services import ServiceError
from app.services import isp_confirmations as confirmations
from app.services.isp_organisations import organisation_of
from app.services.publication import webhooks
from app.services.publication.publish import latest_version
from app.services.review.suspensions import publish_suspended
from app.transactions import committed

isp_only = role_required(Role.ISP)
DEFAULT_LIMIT, BULK_MAX = 100, 1000


def _time(value):
    return value.isoformat() if value else None


def confirmation_json(confirmation: IspConfirmation) -> dict:
    """One row as its organisation sees it: its own part only. An operator asked about subscriptions alone
    gets no entries and no subscriber id (those are the profile ISP's), and only the subscriptions it serves."""
    application = confirmation.application
    profile = application.applicant.profile
    part = confirmations.part_of(confirmation)
    return {
        "application_id": application.id,
        "subscriber_id": confirmation.subscriber_id if part.addresses else None,
        "applicant": profile.name if profile else application.applicant.display_name,
        "cnic": profile.cnic if profile else None,
        "ntn": profile.ntn if profile else None,
        "city": profile.city if profile else None,
        "entries": [cidr for entry in application.entries for cidr in entry.cidrs] if part.addresses else [],
        "subscriptions": [{"id": s.id, "kind": s.kind, "identifier": s.identifier} for s in part.subscriptions],
        "state": confirmation.state,
        "reason": confirmation.reason,
        "asked_at": _time(confirmation.created_at),
        "answered_at": _time(confirmation.answered_at),
    }


def _delivery_json(delivery: WebhookDelivery) -> dict:
    return {"serial": delivery.serial, "url": delivery.url, "state": delivery.state, "attempts": delivery.attempts,
            "last_status": delivery.last_status, "last_error": delivery.last_error,
            "created_at": _time(delivery.created_at), "delivered_at": _time(delivery.delivered_at)}


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ServiceError(_("%(name)s=%(value)s is not a whole number from %(low)s to %(high)s.", name=name,
                             value=repr(raw), low=low, high=high), field=name)
    return int(raw)


@bp.get("/isp/confirmations")
@isp_only
def list_confirmations():
    """Your organisation's part of applications to confirm: ?state=pending (default), confirmed or disputed.

    A JSON list, oldest first: application_id, subscriber_id, applicant, cnic, ntn, city, entries (CIDRs),
    subscriptions ([{"id", "kind", "identifier"}] that you serve), state, reason, answered_at. Each organisation
    sees its own part only: an operator asked only about subscriptions gets entries [] and subscriber_id null.
    ?limit= (1-500, default 100) and ?after_id= page through long lists; a
    `Link: <...>; rel="next"` header points at the next page while there may be one.
    """
    state = request.args.get("state") or ConfirmationState.PENDING
    limit = _int_arg("limit", DEFAULT_LIMIT, 1, confirmations.PAGE_MAX)
    rows = confirmations.confirmations_for(organisation_of(current_user), state,
                                           after_id=_int_arg("after_id", 0, 0, 2**62), limit=limit)
    response = jsonify([confirmation_json(c) for c in rows])
    if len(rows) == limit:
        next_url = url_for("api.list_confirmations", state=state, limit=limit, after_id=rows[-1].id, _external=True)
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


def _answerable(application_id, organisation) -> IspConfirmation:
    confirmation = confirmations.confirmation_for(application_id, organisation)
    if confirmation is None:
        abort(404, description=_("No application %(id)s names your ISP as the subscriber's.", id=application_id))
    return confirmation


@bp.post("/isp/confirmations/<int:application_id>")
@documented(body=schemas.ISP_ANSWER)
@isp_only
def answer_confirmation(application_id: int):
    """Answer for one application: {"answer": "confirm"|"dispute", "reason"?} (a dispute needs a reason).

    The answer becomes a finding on the application (confirm: info, dispute: error) and a dispute
    flags a `ready` application. A dispute of an approved application suspends it: a whitelist version
    without it is published at once, and the answer adds "application_state": "suspended" and that
    version's "whitelist_serial". Sending the same answer again changes nothing; a different one
    replaces it. 404 for an application that does not name your ISP.
    """
    body = json_body()
    confirmation = _answerable(application_id, organisation_of(current_user))
    was = confirmation.application.state
    with committed():
        confirmation = confirmations.answer(confirmation, body.get("answer"), body.get("reason"), current_user)
    answered = confirmation_json(confirmation)
    if was != State.SUSPENDED and confirmation.application.state == State.SUSPENDED:
        answered |= {"application_state": State.SUSPENDED, "whitelist_serial": latest_version().serial}
    return jsonify(answered)


@bp.post("/isp/confirmations")
@documented(body=schemas.ISP_ANSWERS)
@isp_only
def answer_confirmations():
    """Answer many at once: a list of {"application_id", "answer", "reason"?}; all or nothing.

    Returns the list of confirmations; if any item is refused, nothing is stored and a 422 lists
    each refused item with its index and why.
    """
    if not request.is_json:
        abort(415, description=_("Send a JSON body with Content-Type: application/json."))
    items = request.get_json(silent=True)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) or len(items) > BULK_MAX:
        abort(400, description=_("Send a JSON list of up to %(max)s objects %(shape)s.", max=BULK_MAX,
                                 shape='{"application_id", "answer", "reason"?}'))
    organisation, answered, refused = organisation_of(current_user), [], []
    with committed():
        approved = set()  # disputes of these suspend them: one version published for all, below
        for index, item in enumerate(items):
            application_id = item.get("application_id")
            confirmation = confirmations.confirmation_for(application_id, organisation) \
                if isinstance(application_id, int) and not isinstance(application_id, bool) else None
            if confirmation is None:
                refused.append({"index": index, "application_id": application_id,
                                "message": _("No application %(id)s names your ISP as the subscriber's.",
                                             id=repr(application_id))})
                continue
            if confirmation.application.state == State.APPROVED:
                approved.add(confirmation.application_id)
            try:
                answered.append(confirmations.answer(confirmation, item.get("answer"), item.get("reason"),
                                                     current_user, publish=False))
            except ServiceError as exc:
                refused.append({"index": index, "application_id": application_id, "message": exc.message})
        if refused:  # the block ends in an error, so every answer it stored is rolled back
            raise ServiceError(ngettext("%(refused)s of %(num)s answer refused; nothing was stored.",
                                        "%(refused)s of %(num)s answers refused; nothing was stored.", len(items),
                                        refused=len(refused)), details=refused)
        suspended = list({c.application_id: c.application for c in answered if c.application_id in approved
                          and c.application.state == State.SUSPENDED}.values())
        if suspended:
            publish_suspended(suspended, current_user)
    return jsonify([confirmation_json(c) for c in answered])


def _webhook_json(organisation) -> dict:
    return {"url": organisation.webhook_url,
            "deliveries": [_delivery_json(d) for d in webhooks.recent_deliveries(organisation)]}


@bp.get("/isp/webhook")
@isp_only
def get_webhook():
    """Your ISP's webhook URL and its 20 most recent deliveries (state, attempts, last status and error)."""
    return jsonify(_webhook_json(organisation_of(current_user)))


@bp.put("/isp/webhook")
@documented(body=schemas.WEBHOOK)
@isp_only
def put_webhook():
    """Set the webhook: {"url": "https://..."}; an empty or null url removes it.

    On every new whitelist version the portal POSTs {"serial", "published_at", "formats": {FMT: {"url",
    "sha256"}}, and "subscribers": {FMT: {"url", "sha256"}} when your organisation has a subscriber feed in
    it} with X-Raasta-Signature: base64 Ed25519 signature of the body (GET /api/v1/signing-key),
    retrying with backoff. Redirects are not followed.
    """
    body = json_body()
    if "url" not in body:
        raise ServiceError(_("Send %(set)s, or %(remove)s to remove the webhook.", set='{"url": "https://..."}',
                             remove='{"url": null}'), field="url")
    with committed():
        organisation = webhooks.set_webhook(organisation_of(current_user), body["url"], current_user)
    return jsonify(_webhook_json(organisation))
