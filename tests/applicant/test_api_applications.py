"""The contract's applicant endpoints, including bad input and who may see what."""
import io

import pytest
from sqlalchemy import func, select

from app.models import Application, Document
from app.services import document_store
from tests.applicant.conftest import FIRM, PDF, PNG


def test_profile_round_trip_and_field_errors(make_user, api):
    client = api(make_user())
    assert client.get("/api/v1/profile").status_code == 404
    response = client.put("/api/v1/profile", json={**FIRM, "ntn": "1234567", "phone": "12"})
    assert response.status_code == 422
    details = response.json["error"]["details"]
    assert "'1234567' is not in the format 1234567-8" in details["ntn"] and "phone" in details
    # Since subscriptions the ISP is optional (needed only to submit address entries), but not half of it.
    no_isp = client.put("/api/v1/profile", json={**FIRM, "isp_name": "", "isp_subscriber_id": None})
    assert no_isp.status_code == 200 and no_isp.json["isp_name"] is None
    half = client.put("/api/v1/profile", json={**FIRM, "isp_name": "", "isp_subscriber_id": "NT-1"}).json
    assert set(half["error"]["details"]) == {"isp_name"}
    freelancer = {"kind": "freelancer", "name": "Bilal Ahmed", "cnic": "35202-1234567-1", "city": "Karachi",
                  "isp_name": "PTCL", "isp_subscriber_id": "PTCL-42",
                  "platform_url": "https://www.upwork.com/freelancers/bilal"}
    assert client.put("/api/v1/profile", json=freelancer).status_code == 200
    assert client.get("/api/v1/profile").json["cnic"] == "35202-1234567-1"
    assert client.put("/api/v1/profile", json={**freelancer, "cnic": None}).json["error"]["details"] == {
        "cnic": "A freelancer must give a CNIC, in the format 12345-1234567-1."}


def test_create_application_normalises_entries(draft):
    assert draft["state"] == "draft"
    assert [e["input"] for e in draft["entries"]] == ["39.32.12.0/24", "111.68.96.10", "2400:adc0:100::/48"]
    assert [e["cidrs"] for e in draft["entries"]] == [["39.32.12.0/24"], ["111.68.96.10/32"], ["2400:adc0:100::/48"]]
    assert draft["endpoints"] == [{"host": "vpn.indussoft.pk", "protocol": "wireguard", "port": 51820,
                                   "peer": "client.de"}]
    assert [h["action"] for h in draft["history"]] == ["application.created"]


def test_unparseable_entries_are_all_named_and_nothing_is_stored(applicant, db):
    response = applicant.post("/api/v1/applications", json={
        "purpose": "Office VPN to our client", "entries": ["39.32.12.5/24", "1.2.3", "39.32.13.0/24", "010.1.1.1"], "endpoints": []})
    assert response.status_code == 422
    error = response.json["error"]
    bad = [(e["index"], e["input"]) for e in error["details"]["entries"]]
    assert bad == [(0, "39.32.12.5/24"), (1, "1.2.3"), (3, "010.1.1.1")]
    assert "did you mean 39.32.12.0/24?" in error["details"]["entries"][0]["message"]
    assert "'39.32.12.5/24'" in error["message"] and "'1.2.3'" in error["message"]
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


@pytest.mark.parametrize("body, field", [
    ({"entries": ["1.1.1.1"]}, "purpose"),
    ({"purpose": "Office VPN to our client", "entries": "1.1.1.1"}, "entries"),
    ({"purpose": "Office VPN to our client", "entries": [], "endpoints": [{"host": "bad host!", "protocol": "pptp", "port": 70000}]},
     "endpoints"),
    ({"purpose": "Office VPN to our client", "category": "gaming", "entries": ["1.1.1.1"]}, "category"),
])
def test_create_application_field_errors(applicant, body, field):
    response = applicant.post("/api/v1/applications", json=body)
    assert response.status_code == 422 and field in response.json["error"]["details"]


@pytest.mark.parametrize("purpose", ["x", "VPN", "   short   ", "123456789"])
def test_a_purpose_must_be_a_sentence_of_ten_characters(applicant, draft, purpose):
    body = {"purpose": purpose, "entries": ["39.32.12.0/24"]}
    for response in (applicant.post("/api/v1/applications", json=body),
                     applicant.put(f"/api/v1/applications/{draft['id']}", json=body)):
        assert response.status_code == 422
        assert "at least 10 characters" in response.json["error"]["details"]["purpose"]
    assert applicant.post("/api/v1/applications", json={**body, "purpose": " Lahore VPN "}).status_code == 201


def test_endpoint_errors_name_each_field(applicant):
    response = applicant.post("/api/v1/applications", json={"purpose": "Office VPN to our client", "entries": [], "endpoints": [
        {"host": "bad host!", "protocol": "pptp", "port": 70000}]})
    errors = response.json["error"]["details"]["endpoints"][0]["errors"]
    assert set(errors) == {"host", "protocol", "port"} and "70000" in errors["port"]


def test_wrong_types_and_unknown_fields_are_named_not_stored(applicant, db):
    """Nothing a script sends is silently dropped or turned into text: a misspelt field would lose what
    it held, and the number 5 is no hostname."""
    response = applicant.post("/api/v1/applications", json={
        "purpose": "Office VPN to our client", "entries": ["39.32.0.0/24"], "endpiont": [{"host": "vpn.indussoft.pk"}],
        "endpoints": [{"host": 5, "protocol": "wireguard", "peer": ["client.de"], "hostname": "vpn.indussoft.pk"}]})
    assert response.status_code == 422
    error = response.json["error"]
    assert error["message"] == "The application has fields to correct: endpiont, endpoints."
    assert error["details"]["endpiont"].startswith("Unknown field 'endpiont'; an application takes purpose,")
    assert error["details"]["endpoints"] == [{"index": 0, "errors": {
        "host": "Send the host as text, not int.", "peer": "Send the peer as text, not list.",
        "hostname": "Unknown field 'hostname'; an endpoint takes host, protocol, port, peer."}}]
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_malformed_bodies_are_400_or_415(applicant, draft):
    assert applicant.post("/api/v1/applications", data="entries=1", content_type="text/plain").status_code == 415
    response = applicant.post("/api/v1/applications", data="[1, 2", content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"
    assert response.json["error"]["message"].startswith("The body is not valid JSON")
    response = applicant.post("/api/v1/applications", json=[1, 2])
    assert response.json["error"]["message"].startswith("The body is a JSON list, not an object")
    documents = applicant.post(f"/api/v1/applications/{draft['id']}/documents", json={"kind": "ntn_certificate"})
    assert documents.status_code == 415 and "multipart/form-data" in documents.json["error"]["message"]


def test_upload_checks_content_not_name(applicant, draft, db, app):
    url = f"/api/v1/applications/{draft['id']}/documents"
    ok = applicant.post(url, data={"kind": "ntn_certificate", "file": (io.BytesIO(PDF), "../../ntn\x07 cert.pdf")})
    assert ok.status_code == 201 and ok.json["content_type"] == "application/pdf" and ok.json["name"] == "ntn cert.pdf"
    fake = applicant.post(url, data={"kind": "other", "file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "scan.pdf")})
    assert fake.status_code == 415 and fake.json["error"]["message"].startswith(
        "'scan.pdf' is a Windows program, not a PDF, PNG or JPEG file.")
    kind = applicant.post(url, data={"kind": "selfie", "file": (io.BytesIO(PNG), "me.png")})
    assert kind.status_code == 422 and "kind" in kind.json["error"]["details"]
    app.config["MAX_DOCUMENT_BYTES"] = 1000
    big = applicant.post(url, data={"kind": "other", "file": (io.BytesIO(PDF + b"0" * 2000), "big.pdf")})
    assert big.status_code == 413 and "'big.pdf' is larger than" in big.json["error"]["message"]
    documents = db.session.scalars(select(Document)).all()
    assert [d.display_name for d in documents] == ["ntn cert.pdf"]
    assert b"".join(document_store.open(documents[0].sha256)) == PDF and documents[0].stored_name is None


def test_download_is_an_attachment_for_owner_and_reviewer_only(applicant, draft, make_user, api):
    url = f"/api/v1/applications/{draft['id']}/documents"
    doc_id = applicant.post(url, data={"kind": "ntn_certificate", "file": (io.BytesIO(PDF), "ntn.pdf")}).json["id"]
    response = applicant.get(f"{url}/{doc_id}")
    assert response.data == PDF and response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")
    reviewer = make_user(role="reviewer")
    assert api(reviewer).get(f"{url}/{doc_id}").data == PDF
    assert api(make_user(role="applicant")).get(f"{url}/{doc_id}").status_code == 404
    history = applicant.get(f"/api/v1/applications/{draft['id']}").json["history"]
    download = [h for h in history if h["action"] == "document.downloaded"][-1]
    assert download["actor"] == {"id": None, "name": "reviewer", "role": "reviewer"}  # staff stay anonymous
    assert reviewer.email not in str(history)


def test_applicant_never_sees_another_applicants_application(draft, make_user, api):
    stranger = api(make_user())
    for path in ("", "/submit", "/withdraw"):
        method = stranger.get if not path else stranger.post
        response = method(f"/api/v1/applications/{draft['id']}{path}")
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert stranger.get("/api/v1/applications").json == {"applications": []}


def test_isp_cannot_use_applicant_endpoints(make_user, api, draft):
    isp = api(make_user(role="isp"))
    assert isp.get(f"/api/v1/applications/{draft['id']}").status_code == 403
    assert isp.post("/api/v1/applications", json={}).status_code == 403


def test_submit_needs_a_profile(make_user, api):
    client = api(make_user())
    created = client.post("/api/v1/applications", json={"purpose": "Office VPN to our client", "entries": ["39.32.12.0/24"]}).json
    response = client.post(f"/api/v1/applications/{created['id']}/submit")
    assert response.status_code == 422 and "Complete your profile" in response.json["error"]["message"]


def test_submit_validates_on_the_queue_and_withdraw(applicant, submittable, run_worker, db):
    draft = submittable
    response = applicant.post(f"/api/v1/applications/{draft['id']}/submit")
    assert response.status_code == 202 and response.json["state"] == "validating"
    run_worker()
    body = applicant.get(f"/api/v1/applications/{draft['id']}").json
    assert body["state"] == "ready"  # Pakistani space, the NTN certificate present: only warnings and info
    assert [h["action"] for h in body["history"]][:4] == [
        "application.created", "document.uploaded", "application.validating", "application.ready"]
    again = applicant.post(f"/api/v1/applications/{draft['id']}/submit")
    assert again.status_code == 409
    assert applicant.post(f"/api/v1/applications/{draft['id']}/withdraw").json["state"] == "withdrawn"


def test_special_purpose_entry_flags_the_application(applicant, run_worker):
    created = applicant.post("/api/v1/applications", json={
        "purpose": "home lab VPN", "entries": ["192.168.1.0/24", "39.32.12.0/24"]}).json
    applicant.post(f"/api/v1/applications/{created['id']}/submit")
    run_worker()
    body = applicant.get(f"/api/v1/applications/{created['id']}").json
    assert body["state"] == "flagged"
    private = body["entries"][0]["findings"]
    assert any(f["severity"] == "error" and "192.168.1.0/24" in f["message"] for f in private)
    assert not any(f["severity"] == "error" for f in body["entries"][1]["findings"])


def test_edit_only_while_draft(applicant, draft):
    url = f"/api/v1/applications/{draft['id']}"
    edited = applicant.put(url, json={"purpose": "Changed purpose", "entries": ["39.32.14.0/24"]})
    assert edited.json["purpose"] == "Changed purpose" and edited.json["entries"][0]["input"] == "39.32.14.0/24"
    applicant.post(url + "/withdraw")
    assert applicant.put(url, json={"purpose": "Office VPN to our client", "entries": ["39.32.14.0/24"]}).status_code == 403


def test_oversized_input_is_refused_early_and_the_answer_stays_small(applicant):
    """The hostile tester's 10.9 MB purpose, 100,000-character name, 50,000 endpoints and a 19.9 MB 422."""
    huge_purpose = applicant.post("/api/v1/applications", json={"purpose": "x" * 2001, "entries": ["39.32.0.0/24"]})
    assert huge_purpose.status_code == 422 and "keep it under 2,000" in huge_purpose.json["error"]["details"]["purpose"]
    endpoints = [{"host": "vpn.example.pk", "protocol": "wireguard"}] * 51
    many = applicant.post("/api/v1/applications", json={"purpose": "Office VPN to our client", "endpoints": endpoints})
    assert "51 endpoints is more than 50" in many.json["error"]["details"]["endpoints"]
    too_many = applicant.post("/api/v1/applications", json={"purpose": "Office VPN to our client", "entries": ["1.2.3"] * 5001})
    assert too_many.json["error"]["details"]["entries"].startswith("5,001 entries is more than 5,000")
    bad = applicant.post("/api/v1/applications", json={"purpose": "Office VPN to our client", "entries": ["1.2.3"] * 5000})
    listed = bad.json["error"]["details"]["entries"]
    assert len(listed) == 101 and listed[-1] == {"more": 4900, "message": "…and 4,900 more bad entries."}
    assert len(bad.data) < 100_000
    name = applicant.put("/api/v1/profile", json={**FIRM, "name": "n" * 100_000})
    assert name.status_code == 422 and name.json["error"]["details"] == {
        "name": "Keep it under 200 characters; this is 100000."}


def test_a_never_submitted_draft_is_deleted_and_a_submitted_one_is_not(applicant, submittable, draft, db):
    other = applicant.post("/api/v1/applications", json={"purpose": "Office VPN to our client", "entries": ["39.32.20.0/24"]}).json
    assert applicant.delete(f"/api/v1/applications/{other['id']}").status_code == 204
    assert applicant.get(f"/api/v1/applications/{other['id']}").status_code == 404
    applicant.post(f"/api/v1/applications/{submittable['id']}/submit")
    refused = applicant.delete(f"/api/v1/applications/{submittable['id']}")
    assert refused.status_code == 409 and "withdraw it instead" in refused.json["error"]["message"]
