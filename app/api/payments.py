"""Fees: an application's receipt and the renewal of its reference (applicant), and the payment aggregator's
callback (signed by HMAC, no token: docs/payments.md)."""
from flask import abort, jsonify, request
from flask_login import current_user

from app.api import bp
from app.api.applications import _own_application
from app.api.openapi import documented
from app.api.serializers import fee_json
from app.auth import role_required
from app.choices import PaymentState, Role
from app.downloads import send_receipt
from app.i18n import _
from app.services.fees import callbacks
from app.services.fees.charges import current_payment, renew
from app.services.fees.settlement import PaymentRefused
from app.services.fees.standing import fee_standing
from app.transactions import committed

CALLBACK_BODY = {
    "type": "object",
    "required": ["reference", "amount", "paid_at", "provider_txn_id"],
    "properties": {
        "reference": {"type": "string", "pattern": "^[0-9]{17}$",
                      "description": "The payment reference: 17 digits, the last a Luhn check digit."},
        "amount": {"type": ["integer", "string"], "description": "Rupees paid, whole (5000 or \"5000.00\")."},
        "paid_at": {"type": "string", "format": "date-time", "description": "ISO 8601 with offset."},
        "provider_txn_id": {"type": "string", "maxLength": 100,
                            "description": "The aggregator's transaction id; a repeat is answered 200, unchanged."},
    },
}


@bp.get("/applications/<int:application_id>/receipt.pdf")
@role_required(Role.APPLICANT, *Role.STAFF)
def download_receipt(application_id: int):
    """The PDF receipt of the application's paid fee (404 until it is paid)."""
    application = _own_application(application_id)
    payment = current_payment(application.id)
    if payment is None or payment.state != PaymentState.PAID:
        abort(404, description=_("Application %(id)s has no paid fee, so no receipt yet.", id=application.id))
    return send_receipt(payment)


@bp.post("/applications/<int:application_id>/fee/renew")
@documented(status=201)
@role_required(Role.APPLICANT)
def renew_reference(application_id: int):
    """A new payment reference for a fee whose reference expired unpaid: 201 with the application's "fee"."""
    application = _own_application(application_id)
    with committed():
        renew(application, actor=current_user)
    return jsonify({"fee": fee_json(fee_standing(application))}), 201


@bp.post("/payments/callback")
@documented(body=CALLBACK_BODY, public=True)
def payment_callback():
    """The payment aggregator's callback: marks a reference paid. No token: signed instead.

    Headers: X-Payment-Timestamp (Unix seconds, within PAYMENT_CALLBACK_WINDOW of ours) and X-Payment-Signature
    (hex HMAC-SHA256 with PAYMENT_CALLBACK_SECRET over "<timestamp>." followed by the raw body). 200
    {"reference", "state": "paid", "duplicate"}; a repeated provider_txn_id changes nothing (duplicate: true).
    A forged signature or stale timestamp is 401, an unknown reference 404, an expired or paid one or a reused
    transaction 409, a wrong amount or a bad body 422, and 403 while PAYMENT_CALLBACK_SECRET is unset: nothing
    changes, and every call is stored and logged.
    """
    body = request.get_data(cache=True)
    try:
        with committed():
            outcome, payment = callbacks.receive(body, request.headers.get(callbacks.TIMESTAMP_HEADER),
                                                 request.headers.get(callbacks.SIGNATURE_HEADER), request.remote_addr)
    except PaymentRefused as refused:
        with committed():
            callbacks.record_refusal(refused, body, request.remote_addr)
        raise
    return jsonify({"reference": payment.reference, "state": payment.state,
                    "duplicate": outcome == callbacks.DUPLICATE})
