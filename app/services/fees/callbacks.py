"""The payment aggregator's callback (docs/payments.md): checked in a fixed order, each failure a PaymentRefused
with its code, and every call, accepted or not, kept as a PaymentCallback row.

1. PAYMENT_CALLBACK_SECRET is set (else `not_configured`);
2. X-Payment-Timestamp is Unix seconds within PAYMENT_CALLBACK_WINDOW of our clock (`stale_timestamp`);
3. X-Payment-Signature is hex HMAC-SHA256, keyed with the secret, over "<timestamp>." followed by the raw body
   (`bad_signature`), compared in constant time: the timestamp is signed too, so an old body cannot be sent
   again under a fresh time;
4. the body is JSON {reference, amount, paid_at, provider_txn_id} (`bad_body`);
5. settlement.settle() (unknown, expired, already paid, wrong amount, reused transaction).

A callback repeating a transaction already recorded for that reference is answered 200 and changes nothing
(`duplicate`): aggregators retry until they get a 2xx. Refused callbacks are logged and stored, not audited: the
audit trail records changes, and anyone on the internet can send a forged call.
"""
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app

from app.choices import PaymentChannel
from app.extensions import db
from app.i18n import _
from app.models import Payment, PaymentCallback
from app.models.types import utcnow
from app.services.fees.settlement import AlreadyRecorded, PaymentRefused, settle

TIMESTAMP_HEADER = "X-Payment-Timestamp"
SIGNATURE_HEADER = "X-Payment-Signature"
ACCEPTED, DUPLICATE, REFUSED = "accepted", "duplicate", "refused"
MAX_TXN_ID = 100


@dataclass(frozen=True)
class CallbackData:
    reference: str
    amount: int
    paid_at: datetime
    provider_txn_id: str


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What the aggregator sends in X-Payment-Signature (and what a test or a client library computes)."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _check_signed(body: bytes, timestamp: str | None, signed: str | None, now: datetime) -> None:
    secret = current_app.config["PAYMENT_CALLBACK_SECRET"]
    if not secret:
        raise PaymentRefused("not_configured", _("This portal takes no payment callbacks: PAYMENT_CALLBACK_SECRET is "
                                                 "not set."))
    window = current_app.config["PAYMENT_CALLBACK_WINDOW"]
    stamp = (timestamp or "").strip()
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12) or abs(now.timestamp() - int(stamp)) > window:
        raise PaymentRefused("stale_timestamp", _(
            "%(header)s must be the time of sending in Unix seconds, within %(window)s seconds of ours; it was "
            "%(value)s. Nothing was changed.", header=TIMESTAMP_HEADER, window=window, value=repr(stamp)[:20]))
    expected = signature(secret, stamp, body)
    if not hmac.compare_digest(expected, (signed or "").strip().lower().removeprefix("sha256=")):
        raise PaymentRefused("bad_signature", _(
            "%(header)s does not match the body: sign \"timestamp.body\" with HMAC-SHA256 and the shared secret. "
            "Nothing was changed.", header=SIGNATURE_HEADER))


def _amount(value) -> int | None:
    """Whole rupees, given as a number or as text ("5000", "5000.00"); None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        whole, _dot, paisa = value.strip().partition(".")
        if whole.isascii() and whole.isdigit() and len(whole) <= 12 and (paisa == "" or set(paisa) == {"0"}):
            return int(whole)
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    return None


def parse_body(body: bytes) -> CallbackData:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise PaymentRefused("bad_body", _("The body must be a JSON object {reference, amount, paid_at, "
                                           "provider_txn_id}."))
    problems = {}
    if not isinstance(data.get("reference"), str):
        problems["reference"] = _("the payment reference, as text of 17 digits")
    amount = _amount(data.get("amount"))
    if amount is None:
        problems["amount"] = _("the amount paid in whole rupees, e.g. 5000")
    paid_at = None
    if isinstance(data.get("paid_at"), str):
        try:
            paid_at = datetime.fromisoformat(data["paid_at"])
        except ValueError:
            paid_at = None
    if paid_at is None or paid_at.tzinfo is None:
        problems["paid_at"] = _("when it was paid, ISO 8601 with its offset, e.g. 2026-12-06T14:05:00+05:00")
    txn = data.get("provider_txn_id")
    if not isinstance(txn, str) or not txn.strip() or len(txn) > MAX_TXN_ID:
        problems["provider_txn_id"] = _("the aggregator's own transaction id, text of 1 to %(most)s characters",
                                        most=MAX_TXN_ID)
    if problems:
        error = PaymentRefused("bad_body", _("The callback's body is missing or misstates %(fields)s; nothing was "
                                             "changed.", fields=", ".join(sorted(problems))))
        error.details = {"reason": "bad_body", **problems}
        raise error
    return CallbackData(data["reference"], amount, paid_at.astimezone(timezone.utc), txn.strip())


def receive(body: bytes, timestamp: str | None, signed: str | None, remote_addr: str | None) -> tuple[str, Payment]:
    """Check and apply one callback; returns (ACCEPTED or DUPLICATE, the payment) with its row stored, or raises
    PaymentRefused having changed nothing (the caller rolls back, then stores the refusal: record_refusal)."""
    _check_signed(body, timestamp, signed, utcnow())
    data = parse_body(body)
    try:
        payment = settle(data.reference, data.amount, PaymentChannel.CALLBACK, paid_at=data.paid_at,
                         provider_txn_id=data.provider_txn_id)
        outcome = ACCEPTED
    except AlreadyRecorded as again:
        payment, outcome = again.payment, DUPLICATE
    _store(outcome, None, body, remote_addr, reference=data.reference, txn=data.provider_txn_id, payment=payment)
    if outcome == DUPLICATE:
        current_app.logger.info("payment callback for %s repeated transaction %s: nothing changed", payment.reference,
                 data.provider_txn_id)
    return outcome, payment


def record_refusal(error: PaymentRefused, body: bytes, remote_addr: str | None) -> PaymentCallback:
    """Store a refused callback (in a transaction of its own: the refused one rolled back) and log it."""
    fields = _readable_fields(body) if error.reason not in ("bad_signature", "stale_timestamp", "not_configured") \
        else {}
    current_app.logger.warning("payment callback refused (%s) from %s: %s", error.reason, remote_addr, error.message)
    return _store(REFUSED, error.reason, body, remote_addr, reference=fields.get("reference"),
                  txn=fields.get("provider_txn_id"),
                  payment=error.payment if isinstance(error.payment, Payment) else None)


def _readable_fields(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return {key: data[key][:100] for key in ("reference", "provider_txn_id")
            if isinstance(data, dict) and isinstance(data.get(key), str)}


def _store(outcome: str, reason: str | None, body: bytes, remote_addr: str | None, reference=None, txn=None,
           payment: Payment | None = None) -> PaymentCallback:
    row = PaymentCallback(outcome=outcome, reason=reason, reference=(reference or None) and reference[:40],
                          provider_txn_id=txn, payment_id=payment.id if payment else None,
                          remote_addr=(remote_addr or "")[:64] or None,
                          body=body[:PaymentCallback.BODY_KEPT].decode("utf-8", "replace"))
    db.session.add(row)
    db.session.flush()
    return row
