"""Racing payments: of two callbacks for one fee at the same moment, each through its own app (real concurrent
transactions), the fee is paid once, and the loser is told why; on SQLite and PostgreSQL."""
import json
import time

import pytest
from sqlalchemy import func, select

from app import create_app
from app.config import TestConfig
from app.models import AuditEvent, Payment, PaymentCallback
from app.services.fees.callbacks import signature
from tests.fees.conftest import SECRET
from tests.racing import at_once


@pytest.fixture
def pending(applicant, call_centre_draft, call_centre_fee, db):
    draft = call_centre_draft()
    assert applicant.post(f"/api/v1/applications/{draft['id']}/submit").status_code == 202
    return db.session.scalar(select(Payment).where(Payment.application_id == draft["id"]))


def _callbacks_at_once(app, payments: list[tuple[Payment, str]]) -> list[tuple[int, dict]]:
    """POST one signed callback per (payment, transaction id) at the same moment, each through its own app."""
    apps = [create_app(TestConfig(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                                  REDIS_URL=app.config["REDIS_URL"], INSTANCE_DIR=app.config["INSTANCE_DIR"],
                                  PAYMENT_CALLBACK_SECRET=SECRET)) for _ in payments]
    # The bodies are made here, in the test's thread: the racing threads must not load the test session's objects.
    bodies = [json.dumps({"reference": payment.reference, "amount": payment.amount,
                          "paid_at": "2026-12-06T14:05:00+05:00", "provider_txn_id": txn}).encode()
              for payment, txn in payments]

    def send(own, body):
        stamp = str(int(time.time()))

        def call():
            response = own.test_client().post("/api/v1/payments/callback", data=body, headers={
                "Content-Type": "application/json", "X-Payment-Timestamp": stamp,
                "X-Payment-Signature": signature(SECRET, stamp, body)})
            return response.status_code, response.json
        return call

    try:
        return at_once([send(own, body) for own, body in zip(apps, bodies)])
    finally:
        for own in apps:
            with own.app_context():
                own.extensions["sqlalchemy"].engines[None].dispose()


def _settled_events(db) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "payment.settled"))


def test_the_same_callback_twice_at_once_pays_once(app, db, pending):
    results = _callbacks_at_once(app, [(pending, "TXN-9"), (pending, "TXN-9")])
    assert sorted(status for status, _ in results) == [200, 200], results
    assert sorted(body["duplicate"] for _, body in results) == [False, True]
    db.session.expire_all()
    assert db.session.get(Payment, pending.id).state == "paid" and _settled_events(db) == 1
    assert sorted(db.session.scalars(select(PaymentCallback.outcome))) == ["accepted", "duplicate"]


def test_two_payments_of_one_fee_at_once_one_wins(app, db, pending):
    results = _callbacks_at_once(app, [(pending, "TXN-A"), (pending, "TXN-B")])
    assert sorted(status for status, _ in results) == [200, 409], results
    loser = next(body for status, body in results if status == 409)
    assert loser["error"]["code"] == "already_paid"
    db.session.expire_all()
    assert _settled_events(db) == 1
    assert db.session.get(Payment, pending.id).provider_txn_id in ("TXN-A", "TXN-B")


def test_one_transaction_for_two_references_at_once_pays_one(app, db, applicant, call_centre_draft, pending):
    draft = call_centre_draft()
    assert applicant.post(f"/api/v1/applications/{draft['id']}/submit").status_code == 202
    other = db.session.scalar(select(Payment).where(Payment.application_id == draft["id"]))
    results = _callbacks_at_once(app, [(pending, "TXN-SAME"), (other, "TXN-SAME")])
    assert sorted(status for status, _ in results) == [200, 409], results
    assert next(body for status, body in results if status == 409)["error"]["code"] == "txn_reused"
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Payment.state))) == ["paid", "pending"]


def test_two_renewals_at_once_make_one_new_reference(app, db, applicant, pending, api):
    from datetime import timedelta

    from app.models.types import utcnow
    from app.services.tokens import issue_token
    from tests.racing import ApiCall, at_once_through_own_apps

    pending.expires_at = utcnow() - timedelta(minutes=1)
    token = issue_token(applicant.user, "race")
    db.session.commit()
    url = f"/api/v1/applications/{pending.application_id}/fee/renew"
    statuses = at_once_through_own_apps(app, [ApiCall("post", url, token), ApiCall("post", url, token)])
    assert sorted(statuses) == [201, 409], statuses
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Payment.state))) == ["expired", "pending"]
