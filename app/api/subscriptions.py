"""Proving a mobile number on an application: an SMS code sent to it, typed back (contract revision 3)."""
from flask import abort, jsonify
from flask_login import current_user

from app.api import bp, schemas
from app.api.openapi import documented
from app.api.requests import json_body, known_fields
from app.auth import role_required
from app.choices import Role
from app.i18n import _
from app.services.applications import visible_application
from app.services.subscriptions.sms_codes import (
    proof_step,
    request_code,
    subscription_on,
    verify_code,
)
from app.transactions import committed


def _own_subscription(application_id: int, subscription_id: int):
    """The applicant's own application's subscription; anyone else's, or none, is the same 404."""
    application = visible_application(application_id, current_user)
    subscription = subscription_on(application, subscription_id) if application is not None else None
    if subscription is None:
        abort(404, description=_("No subscription %(subscription)s on an application %(id)s of yours.",
                                 subscription=subscription_id, id=application_id))
    return subscription


@bp.post("/applications/<int:application_id>/subscriptions/<int:subscription_id>/code")
@documented(status=202)
@role_required(Role.APPLICANT)
def send_subscription_code(application_id: int, subscription_id: int):
    """Send a 6-digit code by SMS to a mobile number on your draft: 202; the code works for 10 minutes.

    At most one code a minute and five an hour go to one number, and as many for one account: past that,
    429 with Retry-After (seconds) and nothing is sent. A new code voids the one before. A fixed-line
    account is 422 (its ISP confirms it); a number already proven, or an application past its draft, 409.
    """
    subscription = _own_subscription(application_id, subscription_id)
    with committed():
        code = request_code(subscription, current_user)
        step = proof_step(subscription, current_user, now=code.created_at)
    return jsonify({"subscription_id": subscription.id, "to": code.number, "expires_at": code.expires_at.isoformat(),
                    "tries_left": step.tries_left, "retry_after": step.resend_in}), 202


@bp.post("/applications/<int:application_id>/subscriptions/<int:subscription_id>/verify")
@documented(body=schemas.SMS_CODE)
@role_required(Role.APPLICANT)
def verify_subscription_code(application_id: int, subscription_id: int):
    """Prove the number with the code its SMS carried: 200 {"verified": true}.

    A wrong, expired or used code is 422 saying which, with details.tries_left; the fifth wrong try voids
    the code (ask for a new one).
    """
    subscription = _own_subscription(application_id, subscription_id)
    body = known_fields(json_body(), ["code"], _("verifying a code"))
    with committed():  # a wrong try is kept (it counts towards the five), so the refusal comes after the commit
        refusal = verify_code(subscription, body.get("code"))
    if refusal:
        raise refusal
    return jsonify({"verified": True, "subscription_id": subscription.id, "identifier": subscription.identifier})
