"""Subscriber confirmation: asked on submit, answered by the ISP (only its own), turned into findings."""
import pytest
from sqlalchemy import select

from app.choices import ConfirmationState, FindingCode, State
from app.models import Application, AuditEvent, IspConfirmation
from app.services import applications
from app.services.profiles import ProfileInput, save_profile


def _confirmation(db, application):
    db.session.expire_all()
    return db.session.scalar(select(IspConfirmation).where(IspConfirmation.application_id == application.id))


def _isp_findings(db, application):
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    return [(f.code, f.severity, f.message) for f in application.findings if f.code.startswith("isp.")]


def _make_state(db, application, state):
    db.session.get(Application, application.id).state = state  # as validation would have left it
    db.session.commit()


def test_submitting_asks_the_applicants_isp_once_and_a_typed_isp_is_not_asked(db, isp_user, subscriber, submitted):
    isp = isp_user("PTCL")
    application = submitted(subscriber("ptcl", "PTCL-1001"))
    confirmation = _confirmation(db, application)
    assert (confirmation.organisation_id, confirmation.subscriber_id, confirmation.state) == (
        isp.organisation_id, "PTCL-1001", ConfirmationState.PENDING)
    assert _confirmation(db, submitted(subscriber("Qubee", "Q-1"))) is None  # not on Raasta: nobody to ask


def test_resubmission_keeps_the_answer_unless_the_subscriber_changed(db, isp_user, subscriber, submitted, api):
    isp = isp_user("PTCL")
    applicant = subscriber()
    application = submitted(applicant)
    api(isp).post(f"/api/v1/isp/confirmations/{application.id}", json={"answer": "confirm"})
    _make_state(db, application, State.NEEDS_INFO)
    applications.submit(db.session.get(Application, application.id))
    db.session.commit()
    assert _confirmation(db, application).state == ConfirmationState.CONFIRMED  # same ISP and id: kept

    save_profile(applicant, ProfileInput(kind="firm", name="Indus Soft", city="Lahore", ntn="1234567-8",
                                         isp_name="PTCL", isp_subscriber_id="PTCL-2002"))
    _make_state(db, application, State.NEEDS_INFO)
    applications.submit(db.session.get(Application, application.id))
    db.session.commit()
    confirmation = _confirmation(db, application)
    assert (confirmation.subscriber_id, confirmation.state) == ("PTCL-2002", ConfirmationState.PENDING)
    reset = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "application.isp_confirmation_reset"))
    assert reset.data["state"] == ConfirmationState.CONFIRMED and reset.data["subscriber_id"] == "PTCL-1001"


def test_an_isp_lists_only_its_own_subscribers_and_gets_404_for_anothers(db, isp_user, subscriber, submitted, api):
    ptcl, nayatel = api(isp_user("PTCL")), api(isp_user("Nayatel"))
    mine = submitted(subscriber("PTCL", "PTCL-1001", name="Indus Soft"), ["39.32.12.0/24", "39.32.14.1-39.32.14.2"])
    theirs = submitted(subscriber("Nayatel", "NT-5", name="Margalla Devs"), ["39.40.0.0/24"])

    listed = ptcl.get("/api/v1/isp/confirmations").json
    assert listed == [{"application_id": mine.id, "subscriber_id": "PTCL-1001", "applicant": "Indus Soft",
                       "cnic": None, "ntn": "1234567-8", "subscriptions": [], "city": "Lahore",
                       "entries": ["39.32.12.0/24", "39.32.14.1/32", "39.32.14.2/32"],
                       "state": "pending", "reason": None, "asked_at": listed[0]["asked_at"], "answered_at": None}]
    assert [c["application_id"] for c in nayatel.get("/api/v1/isp/confirmations?state=pending").json] == [theirs.id]

    refused = ptcl.post(f"/api/v1/isp/confirmations/{theirs.id}", json={"answer": "dispute", "reason": "not ours"})
    assert refused.status_code == 404 and refused.json["error"]["code"] == "not_found"
    assert ptcl.post("/api/v1/isp/confirmations/999999", json={"answer": "confirm"}).status_code == 404
    assert _confirmation(db, theirs).state == ConfirmationState.PENDING
    assert ptcl.get("/api/v1/isp/confirmations?state=everything").status_code == 422


def test_confirm_becomes_an_info_finding_and_is_audited_with_the_isp_user(db, isp_user, subscriber, submitted, api):
    user = isp_user("PTCL")
    application = submitted(subscriber())
    _make_state(db, application, State.READY)
    response = api(user).post(f"/api/v1/isp/confirmations/{application.id}", json={"answer": "confirm"})
    assert response.status_code == 200
    assert (response.json["state"], response.json["answered_at"] is not None) == ("confirmed", True)
    assert _isp_findings(db, application) == [
        (FindingCode.ISP_CONFIRMED, "info",
         "PTCL confirmed that subscriber id PTCL-1001 is the applicant's connection.")]
    assert db.session.get(Application, application.id).state == State.READY
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "application.isp_confirmed"))
    assert (event.actor_id, event.subject_id, event.data["before"], event.data["organisation"]) == (
        user.id, str(application.id), "pending", "PTCL")
    assert api(user).get("/api/v1/isp/confirmations").json == []  # answered: no longer pending
    assert [c["application_id"] for c in api(user).get("/api/v1/isp/confirmations?state=confirmed").json] == [
        application.id]


def test_dispute_needs_a_reason_then_is_an_error_that_flags_a_ready_application(db, isp_user, subscriber, submitted,
                                                                                api):
    user = isp_user("PTCL")
    application = submitted(subscriber())
    _make_state(db, application, State.READY)
    client = api(user)
    for body in ({"answer": "dispute"}, {"answer": "dispute", "reason": "   "}):
        refused = client.post(f"/api/v1/isp/confirmations/{application.id}", json=body)
        assert refused.status_code == 422 and "reason" in refused.json["error"]["details"]
    bad = client.post(f"/api/v1/isp/confirmations/{application.id}", json={"answer": "maybe"})
    assert bad.status_code == 422 and "'maybe' is unknown" in bad.json["error"]["message"]
    for body in ({"answer": ["confirm"]}, {"answer": "dispute", "reason": {"text": "x"}}, {}):
        assert client.post(f"/api/v1/isp/confirmations/{application.id}", json=body).status_code == 422
    assert _confirmation(db, application).state == ConfirmationState.PENDING

    response = client.post(f"/api/v1/isp/confirmations/{application.id}",
                           json={"answer": "dispute", "reason": "PTCL-1001 is a school in Hyderabad"})
    assert response.status_code == 200 and response.json["reason"] == "PTCL-1001 is a school in Hyderabad"
    assert _isp_findings(db, application) == [
        (FindingCode.ISP_DISPUTED, "error",
         "PTCL disputed subscriber id PTCL-1001: “PTCL-1001 is a school in Hyderabad”")]
    assert db.session.get(Application, application.id).state == State.FLAGGED
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == str(application.id))
                                 .order_by(AuditEvent.seq)).all()
    assert actions[-2:] == ["application.isp_disputed", "application.flagged"]
    flagged = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "application.flagged"))
    assert flagged.actor_id == user.id and flagged.data["codes"] == [FindingCode.ISP_DISPUTED]


def test_same_answer_again_changes_nothing_and_a_changed_answer_replaces_the_finding(db, isp_user, subscriber,
                                                                                     submitted, api):
    client = api(isp_user("PTCL"))
    application = submitted(subscriber())
    _make_state(db, application, State.FLAGGED)
    url = f"/api/v1/isp/confirmations/{application.id}"
    client.post(url, json={"answer": "confirm"})
    first = _confirmation(db, application).answered_at
    again = client.post(url, json={"answer": "confirm", "reason": "ignored for a confirmation"})
    assert again.status_code == 200 and _confirmation(db, application).answered_at == first
    confirmed_events = select(AuditEvent).where(AuditEvent.action == "application.isp_confirmed")
    assert len(db.session.scalars(confirmed_events).all()) == 1

    client.post(url, json={"answer": "dispute", "reason": "Account closed in March"})
    assert [code for code, _, _ in _isp_findings(db, application)] == [FindingCode.ISP_DISPUTED]
    client.post(url, json={"answer": "confirm"})
    confirmation = _confirmation(db, application)
    assert (confirmation.state, confirmation.reason) == (ConfirmationState.CONFIRMED, None)
    assert [code for code, _, _ in _isp_findings(db, application)] == [FindingCode.ISP_CONFIRMED]


@pytest.mark.parametrize("state", [State.WITHDRAWN, State.REJECTED])
def test_a_closed_application_can_no_longer_be_answered(db, isp_user, subscriber, submitted, api, state):
    client = api(isp_user("PTCL"))
    application = submitted(subscriber())
    _make_state(db, application, state)
    assert client.get("/api/v1/isp/confirmations").json == []
    response = client.post(f"/api/v1/isp/confirmations/{application.id}", json={"answer": "confirm"})
    assert response.status_code == 409 and f"is {state}" in response.json["error"]["message"]


def test_bulk_answers_are_all_or_nothing(db, isp_user, subscriber, submitted, api):
    client = api(isp_user("PTCL"))
    first, second = submitted(subscriber(subscriber_id="A-1")), submitted(subscriber(subscriber_id="A-2"))
    other = submitted(subscriber("Nayatel", "NT-1"))
    isp_user("Nayatel")
    refused = client.post("/api/v1/isp/confirmations", json=[
        {"application_id": first.id, "answer": "confirm"},
        {"application_id": second.id, "answer": "dispute"},
        {"application_id": other.id, "answer": "confirm"}])
    assert refused.status_code == 422
    assert [(d["index"], d["application_id"]) for d in refused.json["error"]["details"]] == [
        (1, second.id), (2, other.id)]
    assert _confirmation(db, first).state == ConfirmationState.PENDING  # nothing stored

    done = client.post("/api/v1/isp/confirmations", json=[
        {"application_id": first.id, "answer": "confirm"},
        {"application_id": second.id, "answer": "dispute", "reason": "Not our customer"}])
    assert done.status_code == 200 and [c["state"] for c in done.json] == ["confirmed", "disputed"]


def test_listing_pages_keep_the_contracts_list_shape(db, isp_user, subscriber, submitted, api):
    client = api(isp_user("PTCL"))
    ids = [submitted(subscriber(subscriber_id=f"P-{n}")).id for n in range(3)]
    page = client.get("/api/v1/isp/confirmations?limit=2")
    assert [c["application_id"] for c in page.json] == ids[:2] and 'rel="next"' in page.headers["Link"]
    next_url = page.headers["Link"].split(">")[0].lstrip("<").split("/api/v1")[1]
    rest = client.get("/api/v1" + next_url)
    assert [c["application_id"] for c in rest.json] == ids[2:] and "Link" not in rest.headers
    assert client.get("/api/v1/isp/confirmations?limit=0").status_code == 422
