"""isp.pending is a warning the queue shows; with REQUIRE_ISP_CONFIRMATION=1 an application its ISP has not
confirmed is not batched, until confirmed, or overdue (CONFIRMATION_HOURS) and isp.pending overridden."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.choices import ConfirmationState, FindingCode, Severity, State
from app.models import Application, IspConfirmation, Override, Subscription
from app.models.types import utcnow
from app.services.review.queue import QueueFilter, queue_page

PENDING = (FindingCode.ISP_PENDING, Severity.WARNING)


@pytest.fixture
def awaiting(db, make_reviewable, ptcl):
    """awaiting(hours_ago=1) -> a ready application whose ISP, PTCL, was asked that long ago and has not answered."""

    def make(hours_ago: float = 1, entries=("39.32.0.0/24",)):
        application = make_reviewable(list(entries), findings=[PENDING])
        db.session.add(IspConfirmation(application_id=application.id, organisation_id=ptcl.organisation_id,
                                       subscriber_id="PTCL-1", state=ConfirmationState.PENDING,
                                       created_at=utcnow() - timedelta(hours=hours_ago)))
        db.session.commit()
        return application

    return make


@pytest.fixture
def required(app):
    app.config.update(REQUIRE_ISP_CONFIRMATION=True, CONFIRMATION_HOURS=24)


def test_an_unanswered_isp_is_a_warning_the_queue_shows_as_the_worst_finding(db, isp_user, subscriber, submitted,
                                                                              run_worker):
    isp_user("PTCL")
    # Two entries that overlap each other: an info finding whose code sorts before isp.pending.
    application = submitted(subscriber(subscriber_id="PTCL-9"), ["39.32.12.0/24", "39.32.12.0/25"])
    run_worker()
    db.session.expire_all()
    found = {(f.code, f.severity) for f in db.session.get(Application, application.id).findings}
    assert PENDING in found and (FindingCode.DUPLICATE_ENTRY, Severity.INFO) in found
    [row] = queue_page(QueueFilter()).rows
    assert (row.id, row.state, row.worst_severity, row.worst_code) == (
        application.id, State.READY, Severity.WARNING, FindingCode.ISP_PENDING)


def test_without_the_setting_an_unanswered_isp_does_not_stop_a_batch(db, api, make_user, awaiting):
    application = awaiting()
    response = api(make_user("reviewer")).post("/api/v1/batches", json={"application_ids": [application.id]})
    assert response.status_code == 201


def test_with_the_setting_batching_waits_for_the_isp_and_names_the_application(db, api, make_user, required,
                                                                                awaiting, ptcl):
    waiting, other = awaiting(), awaiting(entries=("39.32.1.0/24",))
    client = api(make_user("reviewer"))
    refused = client.post("/api/v1/batches", json={"application_ids": [waiting.id, other.id]})
    assert refused.status_code == 409
    assert f"#{waiting.id}" in refused.json["error"]["message"]
    details = {d["application_id"]: d["message"] for d in refused.json["error"]["details"]}
    assert set(details) == {waiting.id, other.id}
    message = details[waiting.id]
    assert message.startswith(f"Application {waiting.id} is awaiting PTCL's confirmation of subscriber id PTCL-1")
    assert "REQUIRE_ISP_CONFIRMATION" in message and "wait for PTCL to confirm it" in message
    asked = db.session.scalar(select(IspConfirmation.created_at).where(IspConfirmation.application_id == waiting.id))
    overdue = (asked + timedelta(hours=24 + 5)).strftime("%d %b %Y %H:%M PKT")  # PKT is UTC+5
    assert f"or once the answer is overdue, from {overdue}, override isp.pending with a reason" in message

    # Once PTCL confirms, the other one can be batched.
    api(ptcl).post(f"/api/v1/isp/confirmations/{other.id}", json={"answer": "confirm"})
    assert client.post("/api/v1/batches", json={"application_ids": [other.id]}).status_code == 201


def test_isp_pending_can_be_overridden_only_once_the_answer_is_overdue(db, api, make_user, required, awaiting):
    early, late = awaiting(hours_ago=23), awaiting(hours_ago=25, entries=("39.32.1.0/24",))
    client = api(make_user("reviewer"))
    body = {"code": "isp.pending", "reason": "PTCL has not answered in a day; the NTN and documents check out."}

    too_soon = client.post(f"/api/v1/applications/{early.id}/override", json=body)
    assert too_soon.status_code == 409
    error = too_soon.json["error"]
    assert "PTCL has until" in error["message"] and "can be overridden only from then" in error["message"]
    assert error["details"]["code"] == "isp.pending" and error["details"]["overdue_at"]
    assert db.session.scalar(select(Override)) is None

    refused = client.post("/api/v1/batches", json={"application_ids": [late.id]})
    assert refused.status_code == 409 and "the answer is overdue" in refused.json["error"]["details"][0]["message"]
    assert client.post(f"/api/v1/applications/{late.id}/override", json=body).status_code == 200
    assert client.post("/api/v1/batches", json={"application_ids": [late.id]}).status_code == 201


def test_every_organisation_still_awaited_is_named_and_the_last_due_answer_opens_the_override(
        db, api, make_user, isp_user, required, awaiting):
    jazz = isp_user("Jazz")
    application = awaiting(hours_ago=30)  # PTCL's answer on the addresses is overdue...
    db.session.add(Subscription(application_id=application.id, kind="mobile", organisation_id=jazz.organisation_id,
                                identifier="+923001234567", verified_at=utcnow()))
    db.session.add(IspConfirmation(application_id=application.id, organisation_id=jazz.organisation_id,
                                   subscriber_id="", state=ConfirmationState.PENDING,
                                   created_at=utcnow() - timedelta(hours=2)))  # ...Jazz's is not
    db.session.commit()
    client = api(make_user("reviewer"))

    refused = client.post("/api/v1/batches", json={"application_ids": [application.id]})
    (detail,) = refused.json["error"]["details"]
    assert detail["message"].startswith(
        f"Application {application.id} is awaiting PTCL's confirmation of subscriber id PTCL-1 and Jazz's of "
        "mobile number +923001234567, which REQUIRE_ISP_CONFIRMATION requires")
    assert "wait for PTCL and Jazz to confirm it" in detail["message"]
    body = {"code": "isp.pending", "reason": "PTCL has not answered in a day; the CNIC and documents check out."}
    too_soon = client.post(f"/api/v1/applications/{application.id}/override", json=body)
    assert too_soon.status_code == 409 and too_soon.json["error"]["message"].startswith("PTCL and Jazz have until")


def test_an_override_of_isp_pending_needs_an_unanswered_isp(db, api, make_user, make_reviewable, required):
    application = make_reviewable(["39.32.0.0/24"])  # nobody was asked
    refused = api(make_user("reviewer")).post(f"/api/v1/applications/{application.id}/override",
                                              json={"code": "isp.pending", "reason": "r"})
    assert refused.status_code == 422 and "awaits no ISP's confirmation" in refused.json["error"]["message"]


def test_the_review_page_offers_the_override_only_once_overdue(db, login, make_user, required, awaiting):
    early, late = awaiting(hours_ago=2), awaiting(hours_ago=30, entries=("39.32.1.0/24",))
    client = login(make_user("reviewer"))
    page = client.get(f"/review/applications/{early.id}").text
    assert '<option value="isp.pending">' not in page
    assert "is awaiting PTCL&#39;s confirmation" in page and "Add to a new batch" not in page

    page = client.get(f"/review/applications/{late.id}").text
    assert '<option value="isp.pending">' in page and "The ISP's answer is overdue" in page
    response = client.post(f"/review/applications/{late.id}/override",
                           data={"code": "isp.pending", "reason": "No answer from PTCL in 30 hours."})
    assert response.status_code == 302
    page = client.get(f"/review/applications/{late.id}").text
    assert "Overridden by" in page and "No answer from PTCL in 30 hours." in page and "Add to a new batch" in page
