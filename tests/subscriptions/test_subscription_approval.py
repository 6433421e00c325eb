"""Approving, revoking, expiring, suspending and reinstating applications with subscriptions: the
ApprovedSubscription rows follow, a version is published each time, and another applicant's same subscription
refuses the batch (at batching, at approval, and on PostgreSQL by the database itself: a 409, never a 500)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.choices import ConfirmationState, FindingCode, Severity, State
from app.models import Application, ApprovedSubscription, Finding, IspConfirmation, IspOrganisation
from app.models.types import utcnow
from app.services.publication.publish import latest_version, publish
from app.services.review import approvals, approved_space, suspensions

NUMBER = "+923001234567"


def _approved_rows(db):
    db.session.expire_all()
    return sorted(db.session.execute(select(ApprovedSubscription.application_id, ApprovedSubscription.identifier,
                                            ApprovedSubscription.applicant_id)).all())


def _serial(db):
    db.session.expire_all()
    version = latest_version()
    return version.serial if version else 0


def _dispute(db, application):
    """Jazz's dispute of the application's number, as the operator's answer leaves it."""
    jazz = db.session.scalar(select(IspOrganisation).where(IspOrganisation.name == "Jazz"))
    confirmation = IspConfirmation(application_id=application.id, organisation_id=jazz.id, subscriber_id="",
                                   state=ConfirmationState.DISPUTED, reason="not our subscriber")
    db.session.add(confirmation)
    db.session.flush()
    return confirmation


def _batched(api, maker, *applications):
    response = api(maker).post("/api/v1/batches", json={"application_ids": [a.id for a in applications]})
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_approval_and_revocation_write_and_remove_the_rows_and_publish(db, api, make_user, subscribed):
    maker, checker = make_user("reviewer"), make_user("reviewer")
    application = subscribed([NUMBER, "+923007654321"])
    before = _serial(db)
    batch_id = _batched(api, maker, application)
    approved = api(checker).post(f"/api/v1/batches/{batch_id}/approve")
    assert approved.status_code == 200, approved.json
    assert approved.json["whitelist_serial"] == before + 1 == _serial(db)
    assert _approved_rows(db) == [(application.id, "+923001234567", application.applicant_id),
                                  (application.id, "+923007654321", application.applicant_id)]
    revoked = api(checker).post(f"/api/v1/applications/{application.id}/revoke", json={"reason": "not theirs"})
    assert revoked.status_code == 200, revoked.json
    assert revoked.json["state"] == State.REVOKED and revoked.json["whitelist_serial"] == before + 2
    assert _approved_rows(db) == []


def test_expiry_removes_the_rows_and_publishes(db, subscribed):
    application = subscribed([NUMBER], state=State.APPROVED)
    publish("set-up")
    db.session.commit()
    before = _serial(db)
    db.session.get(Application, application.id).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert approvals.expire_due() == [application.id]
    db.session.commit()
    assert _approved_rows(db) == [] and _serial(db) == before + 1
    assert db.session.get(Application, application.id).state == State.EXPIRED


def test_suspension_removes_the_rows_and_reinstatement_restores_them(db, make_user, subscribed):
    reviewer = make_user("reviewer")
    application = subscribed([NUMBER], state=State.APPROVED)
    publish("set-up")
    db.session.commit()
    before = _serial(db)
    suspensions.suspend(application, _dispute(db, application), reviewer)
    assert publish("suspended", actor=reviewer) is not None
    db.session.commit()
    assert _approved_rows(db) == [] and _serial(db) == before + 1
    suspensions.reinstate(db.session.get(Application, application.id), "the operator was wrong", reviewer)
    db.session.commit()
    assert _approved_rows(db) == [(application.id, NUMBER, application.applicant_id)]
    assert _serial(db) == before + 2


def test_reinstatement_is_409_when_another_applicant_got_the_number_meanwhile(db, make_user, subscribed):
    reviewer = make_user("reviewer")
    application = subscribed([NUMBER], state=State.APPROVED)
    suspensions.suspend(application, _dispute(db, application), reviewer)
    db.session.commit()
    other = subscribed([NUMBER], state=State.APPROVED)
    with pytest.raises(Exception) as refused:
        suspensions.reinstate(db.session.get(Application, application.id), "back", reviewer)
    assert refused.value.status == 409
    assert f"mobile number 0300-1234567 (Jazz), approved for application {other.id}" in \
        refused.value.details[0]["message"]
    db.session.rollback()


def test_approval_is_409_when_another_applicant_got_the_number_meanwhile(db, api, make_user, subscribed):
    maker, checker = make_user("reviewer"), make_user("reviewer")
    application = subscribed([NUMBER])
    batch_id = _batched(api, maker, application)
    other = subscribed([NUMBER], state=State.APPROVED)
    before = _serial(db)
    refused = api(checker).post(f"/api/v1/batches/{batch_id}/approve")
    assert refused.status_code == 409, refused.json
    (problem,) = refused.json["error"]["details"]
    assert problem == {"application_id": application.id, "message": (
        f"Application {application.id} has mobile number 0300-1234567 (Jazz), approved for application "
        f"{other.id} of another applicant.")}
    assert "Nothing was approved" in refused.json["error"]["message"]
    assert _approved_rows(db) == [(other.id, NUMBER, other.applicant_id)] and _serial(db) == before
    assert db.session.get(Application, application.id).state == State.READY


def test_batching_two_applicants_with_the_same_number_is_409_naming_both(db, api, make_user, subscribed):
    maker = make_user("reviewer")
    one, other = subscribed([NUMBER]), subscribed(["+923009999999", NUMBER])
    same_applicant = subscribed([NUMBER], applicant=one.applicant)
    refused = api(maker).post("/api/v1/batches", json={"application_ids": [one.id, other.id]})
    assert refused.status_code == 409, refused.json
    assert f"#{one.id}, #{other.id}" in refused.json["error"]["message"]
    details = {d["application_id"]: d["message"] for d in refused.json["error"]["details"]}
    assert f"mobile number 0300-1234567 (Jazz), as has application {other.id}" in details[one.id]
    assert f"mobile number 0300-1234567 (Jazz), as has application {one.id}" in details[other.id]
    # One applicant's own two applications with the same number (a renewal) may be batched together.
    assert api(maker).post("/api/v1/batches", json={"application_ids": [one.id, same_applicant.id]}).status_code \
        == 201


def test_approved_other_can_be_overridden_with_a_reason(db, api, make_user, subscribed):
    reviewer = make_user("reviewer")
    application = subscribed([NUMBER], state=State.FLAGGED)
    db.session.add(Finding(application_id=application.id, subscription_id=application.subscriptions[0].id,
                           code=FindingCode.SUBSCRIPTION_APPROVED_OTHER, severity=Severity.ERROR, message="taken"))
    db.session.commit()
    client = api(reviewer)
    assert client.post("/api/v1/batches", json={"application_ids": [application.id]}).status_code == 409
    overridden = client.post(f"/api/v1/applications/{application.id}/override", json={
        "code": FindingCode.SUBSCRIPTION_APPROVED_OTHER, "reason": "The bill shows the number is theirs."})
    assert overridden.status_code == 200, overridden.json
    assert client.post("/api/v1/batches", json={"application_ids": [application.id]}).status_code == 201


def test_on_postgresql_the_exclusion_constraint_refuses_a_race_with_a_409(db, api, make_user, subscribed,
                                                                         monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the exclusion constraint of migration 0011 exists on PostgreSQL only")
    maker, checker = make_user("reviewer"), make_user("reviewer")
    application = subscribed([NUMBER])
    batch_id = _batched(api, maker, application)
    other = subscribed([NUMBER], state=State.APPROVED)
    # As if the other approval had slipped past the lock: the check sees nothing, the database refuses.
    monkeypatch.setattr(approved_space, "subscription_clashes", lambda subscriptions, approved=True: [])
    refused = api(checker).post(f"/api/v1/batches/{batch_id}/approve")
    assert refused.status_code == 409, refused.json
    assert "the database refused its space or subscriptions" in refused.json["error"]["message"]
    assert "approved_subscriptions_one_applicant" in refused.json["error"]["details"][0]["message"]
    assert _approved_rows(db) == [(other.id, NUMBER, other.applicant_id)]
    assert db.session.get(Application, application.id).state == State.READY
