"""The aggregator's callback: a good one marks the fee paid; a forged, stale, replayed, wrong-amount, unknown or
expired one changes nothing, gets a clear JSON error, and is stored and logged."""
import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, Payment, PaymentCallback
from app.models.types import utcnow
from app.services.fees.callbacks import signature
from app.services.fees.references import luhn_digit
from tests.fees.conftest import SECRET

URL = "/api/v1/payments/callback"


@pytest.fixture
def pending(applicant, call_centre_draft, call_centre_fee, db):
    """A submitted call-centre application's pending fee."""
    draft = call_centre_draft()
    assert applicant.post(f"/api/v1/applications/{draft['id']}/submit").status_code == 202
    return db.session.scalar(select(Payment).where(Payment.application_id == draft["id"]))


def _body(payment, **changes) -> bytes:
    return json.dumps({"reference": payment.reference, "amount": payment.amount,
                       "paid_at": "2026-12-06T14:05:00+05:00", "provider_txn_id": "TXN-1", **changes}).encode()


def _post(client, body: bytes, secret: str = SECRET, stamp: int | None = None, sign: str | None = None):
    stamp = str(int(time.time()) if stamp is None else stamp)
    headers = {"X-Payment-Timestamp": stamp, "X-Payment-Signature": sign or signature(secret, stamp, body),
               "Content-Type": "application/json"}
    return client.post(URL, data=body, headers=headers)


def _state(db, payment) -> str:
    db.session.expire_all()
    return db.session.get(Payment, payment.id).state


def _stored(db) -> list[tuple]:
    return db.session.execute(select(PaymentCallback.outcome, PaymentCallback.reason)
                              .order_by(PaymentCallback.id)).all()


def test_a_signed_callback_marks_the_fee_paid_once_and_a_repeat_changes_nothing(client, db, pending):
    body = _body(pending)
    first = _post(client, body)
    assert first.status_code == 200, first.json
    assert first.json == {"reference": pending.reference, "state": "paid", "duplicate": False}
    db.session.expire_all()
    paid = db.session.get(Payment, pending.id)
    assert (paid.state, paid.paid_via, paid.provider_txn_id) == ("paid", "callback", "TXN-1")
    assert paid.paid_at.isoformat() == "2026-12-06T09:05:00+00:00"
    # The aggregator retries (the same body, signed again): nothing changes, and it is told so.
    again = _post(client, body)
    assert again.status_code == 200 and again.json["duplicate"] is True
    assert _stored(db) == [("accepted", None), ("duplicate", None)]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "payment.settled")) == 1


@pytest.mark.parametrize("attack, status, code", [
    ("forged", 401, "bad_signature"),
    ("other_secret", 401, "bad_signature"),
    ("stale", 401, "stale_timestamp"),
    ("future", 401, "stale_timestamp"),
    ("no_timestamp", 401, "stale_timestamp"),
    ("resigned_with_old_time", 401, "stale_timestamp"),
    ("body_changed_after_signing", 401, "bad_signature"),
    ("wrong_amount", 422, "wrong_amount"),
    ("unknown_reference", 404, "unknown_reference"),
    ("malformed_reference", 422, "malformed_reference"),
    ("bad_body", 422, "bad_body"),
])
def test_attacks_change_nothing_and_are_stored(client, db, pending, attack, status, code, caplog):
    body, now = _body(pending), int(time.time())
    if attack == "forged":
        response = _post(client, body, sign="0" * 64)
    elif attack == "other_secret":
        response = _post(client, body, secret="guessed")
    elif attack == "stale":
        response = _post(client, body, stamp=now - 301)
    elif attack == "future":
        response = _post(client, body, stamp=now + 301)
    elif attack == "no_timestamp":
        response = client.post(URL, data=body, headers={"X-Payment-Signature": signature(SECRET, "", body)})
    elif attack == "resigned_with_old_time":  # a captured call sent again later: its signature is for its old time
        old = now - 3600
        response = _post(client, body, stamp=now, sign=signature(SECRET, str(old), body))
        assert response.json["error"]["code"] == "bad_signature"
        response = _post(client, body, stamp=old, sign=signature(SECRET, str(old), body))
    elif attack == "body_changed_after_signing":
        response = _post(client, _body(pending, amount=1), sign=signature(SECRET, str(now), body), stamp=now)
    elif attack == "wrong_amount":
        response = _post(client, _body(pending, amount=pending.amount - 1))
    elif attack == "unknown_reference":
        digits = "1234567890123456"
        response = _post(client, _body(pending, reference=digits + luhn_digit(digits)))
    elif attack == "malformed_reference":
        response = _post(client, _body(pending, reference=pending.reference[:-1] + str((int(pending.reference[-1])
                                                                                        + 1) % 10)))
    else:
        response = _post(client, b'{"reference": 5, "amount": "lots"}')
    assert response.status_code == status, response.json
    error = response.json["error"]
    assert error["code"] == code, error
    if code in ("bad_signature", "stale_timestamp", "wrong_amount", "bad_body"):
        assert "nothing was changed" in error["message"].lower(), error
    if code == "bad_body":
        assert set(error["details"]) >= {"reference", "amount", "paid_at", "provider_txn_id"}
    assert _state(db, pending) == "pending"
    assert _stored(db)[-1] == ("refused", code)
    assert any(code in r.getMessage() for r in caplog.records)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "payment.settled")) == 0


def test_an_expired_or_paid_reference_is_refused_and_a_transaction_is_not_reused(client, db, pending):
    pending.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = _post(client, _body(pending))
    assert expired.status_code == 409 and expired.json["error"]["code"] == "expired_reference"
    assert "renews it" in expired.json["error"]["message"]
    assert _state(db, pending) == "pending"

    pending = db.session.get(Payment, pending.id)
    pending.expires_at = utcnow() + timedelta(days=1)
    db.session.commit()
    assert _post(client, _body(pending)).status_code == 200
    other = _post(client, _body(pending, provider_txn_id="TXN-2"))  # a second payment of the same fee
    assert other.status_code == 409 and other.json["error"]["code"] == "already_paid"
    assert [row[1] for row in _stored(db)] == ["expired_reference", None, "already_paid"]


def test_without_a_secret_no_callback_is_taken(app, client, db, pending):
    app.config["PAYMENT_CALLBACK_SECRET"] = None
    response = _post(client, _body(pending))
    assert response.status_code == 403 and response.json["error"]["code"] == "not_configured"
    assert _state(db, pending) == "pending"


def test_the_callback_is_in_openapi_without_a_token(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/payments/callback"]["post"]
    assert "security" not in operation
    assert operation["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "reference", "amount", "paid_at", "provider_txn_id"]
    assert "/api/v1/applications/{application_id}/receipt.pdf" in spec["paths"]
