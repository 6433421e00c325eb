"""A ready or flagged application not in a batch can be corrected: it returns to draft (documents kept,
reviewers' overrides dropped, audited) and is validated again on submit. In a pending batch it cannot."""
import io

from sqlalchemy import func, select

from app.choices import TRANSITIONS, State
from app.models import AuditEvent, Override
from tests.applicant.conftest import PDF
from tests.racing import at_once

BODY = {"purpose": "Office VPN to our client in Germany", "category": "company_vpn",
        "entries": ["39.32.12.0/24", "111.68.96.10", "2400:adc0:100::/48"],
        "endpoints": [{"host": "vpn.indussoft.pk", "protocol": "wireguard", "port": 51820, "peer": "client.de"}]}


def _validated(applicant, application_id, run_worker, body=BODY):
    url = f"/api/v1/applications/{application_id}"
    assert applicant.put(url, json=body).status_code == 200
    assert applicant.post(f"{url}/submit").status_code == 202
    run_worker()
    return applicant.get(url).json


def _events(db, application_id):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.subject_type == "application", AuditEvent.subject_id == str(application_id))
        .order_by(AuditEvent.seq)).all()


def test_the_draft_transitions_are_in_the_one_table():
    assert State.DRAFT in TRANSITIONS[State.READY] and State.DRAFT in TRANSITIONS[State.FLAGGED]
    assert State.DRAFT not in TRANSITIONS[State.APPROVED] and State.DRAFT not in TRANSITIONS[State.VALIDATING]


def test_a_flagged_application_is_corrected_and_checked_again(applicant, submittable, run_worker, db, make_user, api):
    url = f"/api/v1/applications/{submittable['id']}"
    flagged = _validated(applicant, submittable["id"], run_worker, {**BODY, "entries": ["10.1.0.0/24", "39.32.12.0/24"]})
    assert flagged["state"] == "flagged"
    reviewer = api(make_user(role="reviewer"))
    assert reviewer.post(f"{url}/override", json={"code": "address.special_purpose",
                                                  "reason": "Lab range, agreed by phone"}).status_code == 200

    corrected = applicant.put(url, json={**BODY, "entries": ["39.32.12.0/24"]})
    assert corrected.status_code == 200
    body = corrected.json
    assert body["state"] == "draft" and body["overrides"] == []
    assert [d["name"] for d in body["documents"]] == ["ntn.pdf"]  # documents are kept
    assert [e["input"] for e in body["entries"]] == ["39.32.12.0/24"]
    assert db.session.scalar(select(func.count()).select_from(Override)) == 0
    reopened = [e for e in _events(db, submittable["id"]) if e.action == "application.draft"]
    assert len(reopened) == 1 and reopened[0].data["before"] == "flagged"
    assert reopened[0].data["overrides_dropped"] == ["address.special_purpose"]
    assert reopened[0].actor_id == applicant.user.id

    assert applicant.post(f"{url}/submit").status_code == 202
    run_worker()
    again = applicant.get(url).json
    assert again["state"] == "ready"
    assert not any(f["severity"] == "error" for e in again["entries"] for f in e["findings"])


def test_uploading_to_a_ready_application_reopens_it(applicant, submittable, run_worker):
    url = f"/api/v1/applications/{submittable['id']}"
    assert _validated(applicant, submittable["id"], run_worker)["state"] == "ready"
    response = applicant.post(f"{url}/documents", data={"kind": "other", "file": (io.BytesIO(PDF), "letter.pdf")})
    assert response.status_code == 201
    assert applicant.get(url).json["state"] == "draft"


def test_a_refused_upload_leaves_a_ready_application_ready(applicant, submittable, run_worker):
    url = f"/api/v1/applications/{submittable['id']}"
    _validated(applicant, submittable["id"], run_worker)
    response = applicant.post(f"{url}/documents", data={"kind": "other", "file": (io.BytesIO(b"hello"), "x.pdf")})
    assert response.status_code == 415
    assert applicant.get(url).json["state"] == "ready"


def test_in_a_pending_batch_nothing_changes_until_the_batch_is_cancelled(applicant, submittable, run_worker, db,
                                                                        make_user, api):
    url = f"/api/v1/applications/{submittable['id']}"
    _validated(applicant, submittable["id"], run_worker)
    reviewer = api(make_user(role="reviewer"))
    batch = reviewer.post("/api/v1/batches", json={"application_ids": [submittable["id"]]})
    assert batch.status_code == 201

    refused = applicant.put(url, json={**BODY, "entries": ["39.32.13.0/24"]})
    assert refused.status_code == 409
    assert f"is in batch {batch.json['id']}" in refused.json["error"]["message"]
    upload = applicant.post(f"{url}/documents", data={"kind": "other", "file": (io.BytesIO(PDF), "letter.pdf")})
    assert upload.status_code == 409
    assert applicant.get(url).json["state"] == "ready" and len(applicant.get(url).json["documents"]) == 1

    assert reviewer.post(f"/api/v1/batches/{batch.json['id']}/cancel").status_code == 200
    assert applicant.put(url, json={**BODY, "entries": ["39.32.13.0/24"]}).json["state"] == "draft"


def test_sending_the_same_content_changes_and_records_nothing(applicant, submittable, run_worker, db):
    url = f"/api/v1/applications/{submittable['id']}"
    _validated(applicant, submittable["id"], run_worker)
    before = len(_events(db, submittable["id"]))
    same = applicant.put(url, json=BODY)
    assert same.status_code == 200 and same.json["state"] == "ready"
    assert len(_events(db, submittable["id"])) == before


def test_an_edit_records_only_what_changed(applicant, draft, db):
    applicant.put(f"/api/v1/applications/{draft['id']}", json={**BODY, "purpose": "Changed purpose"})
    edited = [e for e in _events(db, draft["id"]) if e.action == "application.edited"]
    assert [(e.data["before"], e.data["after"]) for e in edited] == [
        ({"purpose": "Office VPN to our client in Germany"}, {"purpose": "Changed purpose"})]


def test_reopening_racing_batching_exactly_one_wins(applicant, make_user, api, run_worker, db):
    reviewer = api(make_user(role="reviewer"))
    for _ in range(3):
        created = applicant.post("/api/v1/applications", json={**BODY, "category": None}).json
        url = f"/api/v1/applications/{created['id']}"
        _validated(applicant, created["id"], run_worker, {**BODY, "category": None})
        edit, batch = at_once([
            lambda: applicant.put(url, json={**BODY, "category": None, "purpose": "changed purpose"}),
            lambda: reviewer.post("/api/v1/batches", json={"application_ids": [created["id"]]})])
        assert sorted([edit.status_code, batch.status_code]) in ([200, 409], [201, 409]), (edit.json, batch.json)
        state = applicant.get(url).json["state"]
        assert state == ("draft" if edit.status_code == 200 else "ready")


def test_an_application_that_needs_information_is_edited_and_sent_again(applicant, submittable, run_worker,
                                                                       make_user, api, login):
    """A reviewer asks for more; the applicant changes the entries the findings were about (a 500 before:
    the old entries were deleted before the findings that pointed at them)."""
    url = f"/api/v1/applications/{submittable['id']}"
    assert _validated(applicant, submittable["id"], run_worker)["state"] == "ready"
    reviewer_user = make_user(role="reviewer")
    reviewer = api(reviewer_user)
    asked = reviewer.post(f"{url}/request-info", json={"message": "Which office uses 111.68.96.10?"})
    assert asked.status_code == 200
    assert applicant.get(url).json["findings"]  # about the entries about to go

    edited = applicant.put(url, json={**BODY, "entries": ["39.32.12.0/24", "111.68.96.11"]})
    assert edited.status_code == 200, edited.json
    assert (edited.json["state"], [e["input"] for e in edited.json["entries"]]) == (
        "needs_info", ["39.32.12.0/24", "111.68.96.11"])
    assert applicant.put(url, json={**BODY, "purpose": "Office VPN to our client in Berlin"}).status_code == 200
    for body, says in (({"reply": 5}, "reply must be text"), ({"replay": "typo"}, "Unknown field replay")):
        refused = applicant.post(f"{url}/submit", json=body)
        assert refused.status_code == 422 and refused.json["error"]["message"].startswith(says)
    answer = "111.68.96.11 is the Lahore office's new line;\nthe old one is closed."
    assert applicant.post(f"{url}/submit", json={"reply": answer}).status_code == 202
    run_worker()
    assert applicant.get(url).json["state"] == "ready"
    # The reviewer reads the answer beside their question, line breaks kept.
    page = login(reviewer_user).get(f"/review/applications/{submittable['id']}").text
    assert ("<strong>The applicant's answer:</strong> <span class=\"typed-text\">111.68.96.11 is the Lahore "
            "office&#39;s new line;\nthe old one is closed.</span>") in page


def test_only_a_request_for_information_can_be_answered(applicant, submittable):
    refused = applicant.post(f"/api/v1/applications/{submittable['id']}/submit", json={"reply": "Here you are"})
    assert refused.status_code == 422 and refused.json["error"]["details"] == {
        "reply": "No reviewer has asked this application for more information, so there is nothing to answer: "
                 "submit it without a reply."}
