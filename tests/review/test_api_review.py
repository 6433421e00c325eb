"""The reviewers' HTTP API: queue, decisions, notes and batches, as the contract describes them."""
from datetime import timedelta, timezone

import pytest

from app.choices import Severity, State

ENDPOINTS = [
    ("get", "/api/v1/review/queue"),
    ("post", "/api/v1/applications/{id}/reject"),
    ("post", "/api/v1/applications/{id}/request-info"),
    ("post", "/api/v1/applications/{id}/override"),
    ("post", "/api/v1/applications/{id}/revoke"),
    ("get", "/api/v1/applications/{id}/notes"),
    ("post", "/api/v1/applications/{id}/notes"),
    ("get", "/api/v1/batches"),
    ("post", "/api/v1/batches"),
    ("get", "/api/v1/batches/1"),
    ("post", "/api/v1/batches/1/approve"),
    ("post", "/api/v1/batches/1/cancel"),
    ("delete", "/api/v1/batches/1/applications/{id}"),
]


@pytest.mark.parametrize("method, url", ENDPOINTS)
@pytest.mark.parametrize("role", ["applicant", "isp"])
def test_applicants_and_isps_are_refused(api, make_user, make_reviewable, role, method, url):
    application = make_reviewable(["39.32.0.0/24"])
    client = api(make_user(role))
    kwargs = {"json": {}} if method == "post" else {}
    response = getattr(client, method)(url.format(id=application.id), **kwargs)
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


@pytest.mark.parametrize("method, url", ENDPOINTS)
def test_without_a_token_it_is_401(client, method, url):
    assert getattr(client, method)(url.format(id=1)).status_code == 401


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_the_queue_for_staff(api, make_user, make_reviewable, role):
    first = make_reviewable(["39.32.0.0/24", "39.32.1.1"], state=State.FLAGGED,
                            findings=[("isp.disputed", Severity.ERROR)])
    second = make_reviewable(["2400:adc0::/48"])
    client = api(make_user(role))
    body = client.get("/api/v1/review/queue?limit=1").json
    [row] = body["applications"]
    assert row == {"id": first.id, "state": "flagged",
                   "applicant": {"id": first.applicant_id, "name": "Indus Soft (Pvt) Ltd",
                                 "email": first.applicant.email},
                   "kind": "firm", "category": "company_vpn", "entries": 2, "addresses": 257,
                   "worst_finding": {"severity": "error", "code": "isp.disputed"},
                   "submitted_at": first.submitted_at.isoformat(), "age_days": 0, "isp": "PTCL", "overrides": 0,
                   "batch_id": None, "late": False,
                   "decision_due_at": first.decision_due_at.astimezone(timezone(timedelta(hours=5))).isoformat()}
    assert body["counts"] == {"suspended": 0, "ready": 1, "flagged": 1, "needs_info": 0, "validation_failed": 0,
                              "batched": 0}
    page_two = client.get(f"/api/v1/review/queue?limit=1&cursor={body['next_cursor']}").json
    assert [r["id"] for r in page_two["applications"]] == [second.id] and page_two["next_cursor"] is None
    assert [r["id"] for r in client.get("/api/v1/review/queue?flag=isp.disputed").json["applications"]] == [first.id]
    assert [r["id"] for r in client.get("/api/v1/review/queue?address=2400:adc0::1").json["applications"]] == [
        second.id]


@pytest.mark.parametrize("query, status, field", [
    ("limit=0", 400, None), ("limit=abc", 400, None), ("limit=201", 400, None),
    ("state=nope", 422, "state"), ("cursor=garbage", 422, "cursor"), ("address=39.32.0", 422, "address"),
    ("older_than_days=x", 422, "older_than_days"),
])
def test_bad_queue_arguments_are_named(api, make_user, query, status, field):
    response = api(make_user("reviewer")).get(f"/api/v1/review/queue?{query}")
    assert response.status_code == status
    if field:
        assert field in response.json["error"]["details"] and field in response.json["error"]["message"]


def test_reject_and_request_info(api, make_user, make_reviewable):
    client = api(make_user("reviewer"))
    application = make_reviewable(["39.32.0.0/24"])
    empty = client.post(f"/api/v1/applications/{application.id}/reject", json={"reason": "  "})
    assert empty.status_code == 422 and "reason" in empty.json["error"]["details"]
    for not_text in (5, ["Not a business use."]):  # a script's mistake is named as such, not called empty
        wrong = client.post(f"/api/v1/applications/{application.id}/reject", json={"reason": not_text})
        assert wrong.status_code == 422 and wrong.json["error"]["message"].startswith("reason must be text")
    response = client.post(f"/api/v1/applications/{application.id}/reject", json={"reason": "Not a business use."})
    assert response.status_code == 200
    assert (response.json["state"], response.json["reviewer_message"]) == ("rejected", "Not a business use.")
    again = client.post(f"/api/v1/applications/{application.id}/reject", json={"reason": "twice"})
    assert again.status_code == 409
    other = make_reviewable(["39.32.1.0/24"])
    response = client.post(f"/api/v1/applications/{other.id}/request-info", json={"message": "Upload your NTN."})
    assert response.status_code == 200 and response.json["state"] == "needs_info"
    missing = client.post(f"/api/v1/applications/{other.id}/request-info", json={})
    assert missing.status_code == 422 and "message" in missing.json["error"]["details"]
    assert client.post(f"/api/v1/applications/{other.id}/request-info", json={"message": "again"}).status_code == 409


@pytest.mark.parametrize("kwargs, status", [
    ({"data": "reason=x"}, 415), ({"data": "[1, 2]", "content_type": "application/json"}, 400),
    ({"data": "{", "content_type": "application/json"}, 400),
])
def test_malformed_bodies_are_400_or_415(api, make_user, make_reviewable, kwargs, status):
    application = make_reviewable(["39.32.0.0/24"])
    response = api(make_user("reviewer")).post(f"/api/v1/applications/{application.id}/reject", **kwargs)
    assert response.status_code == status


def test_unknown_ids_are_404(api, make_user):
    client = api(make_user("reviewer"))
    assert client.post("/api/v1/applications/999/reject", json={"reason": "x"}).status_code == 404
    assert client.get("/api/v1/applications/999/notes").status_code == 404
    assert client.get("/api/v1/batches/999").status_code == 404
    assert client.post("/api/v1/batches/999/approve").status_code == 404


def test_override_shows_on_the_application_without_the_reviewers_name_for_the_applicant(
        api, make_user, make_reviewable):
    reviewer = make_user("reviewer", name="Sana Reviewer")
    client = api(reviewer)
    application = make_reviewable(["39.32.0.0/22"], state=State.FLAGGED,
                                  findings=[("breadth.too_broad", Severity.ERROR)])
    missing = client.post(f"/api/v1/applications/{application.id}/override",
                          json={"code": "isp.disputed", "reason": "x"})
    assert missing.status_code == 422 and "isp.disputed" in missing.json["error"]["message"]
    response = client.post(f"/api/v1/applications/{application.id}/override",
                           json={"code": "breadth.too_broad", "reason": "A call centre needs a /22."})
    assert response.status_code == 200
    [shown] = response.json["overrides"]
    assert shown["code"] == "breadth.too_broad" and shown["reviewer"]["name"] == "Sana Reviewer"
    assert client.post(f"/api/v1/applications/{application.id}/override",
                       json={"code": "breadth.too_broad", "reason": "again"}).status_code == 409
    own = api(application.applicant).get(f"/api/v1/applications/{application.id}").json
    assert own["overrides"] == [{"code": "breadth.too_broad", "reason": "A call centre needs a /22.",
                                 "at": shown["at"]}]
    assert "Sana" not in str(own) and reviewer.email not in str(own)


def test_notes(api, make_user, make_reviewable):
    reviewer = make_user("reviewer", name="Sana Reviewer")
    client = api(reviewer)
    application = make_reviewable(["39.32.0.0/24"])
    created = client.post(f"/api/v1/applications/{application.id}/notes", json={"body": "Call their ISP."})
    assert created.status_code == 201
    assert (created.json["body"], created.json["author"]["name"]) == ("Call their ISP.", "Sana Reviewer")
    assert client.post(f"/api/v1/applications/{application.id}/notes", json={"body": ""}).status_code == 422
    notes = client.get(f"/api/v1/applications/{application.id}/notes").json["notes"]
    assert [n["body"] for n in notes] == ["Call their ISP."]


def test_batch_maker_checker_round_trip(api, make_user, make_reviewable):
    maker, checker = make_user("reviewer"), make_user("admin")
    first, second = make_reviewable(["39.32.0.0/24"]), make_reviewable(["2400:adc0::/48"])
    created = api(maker).post("/api/v1/batches", json={"application_ids": [first.id, second.id],
                                                        "note": "two clean ones"})
    assert created.status_code == 201
    batch = created.json
    assert (batch["state"], batch["application_ids"], batch["made_by"]["id"], batch["note"]) == (
        "pending_approval", [first.id, second.id], maker.id, "two clean ones")
    assert "whitelist_serial" not in batch and "approved_by" not in batch
    own = api(maker).post(f"/api/v1/batches/{batch['id']}/approve")
    assert own.status_code == 403 and "another reviewer" in own.json["error"]["message"]
    listed = api(checker).get("/api/v1/batches?state=pending_approval").json["batches"]
    assert [b["id"] for b in listed] == [batch["id"]]
    approved = api(checker).post(f"/api/v1/batches/{batch['id']}/approve")
    assert approved.status_code == 200
    assert (approved.json["state"], approved.json["whitelist_serial"], approved.json["approved_by"]["id"]) == (
        "published", 1, checker.id)
    fetched = api(maker).get(f"/api/v1/batches/{batch['id']}").json
    assert (fetched["state"], fetched["whitelist_serial"], fetched["application_ids"]) == (
        "published", 1, [first.id, second.id])
    assert api(checker).get("/api/v1/batches?state=pending_approval").json["batches"] == []
    assert api(checker).get("/api/v1/batches?state=bogus").status_code == 422
    revoked = api(checker).post(f"/api/v1/applications/{first.id}/revoke", json={"reason": "Closed down."})
    assert revoked.status_code == 200
    assert (revoked.json["state"], revoked.json["whitelist_serial"]) == ("revoked", 2)
    assert api(checker).get("/api/v1/whitelist/latest.txt").text == "2400:adc0::/48\n"


def test_batch_refusals_name_each_application(api, make_user, make_reviewable, approved_application):
    maker, checker = make_user("reviewer"), make_user("reviewer")
    flagged = make_reviewable(["39.32.0.0/24"], state=State.FLAGGED, findings=[("isp.disputed", Severity.ERROR)])
    refused = api(maker).post("/api/v1/batches", json={"application_ids": [flagged.id, 12345]})
    assert refused.status_code == 422
    assert {d["application_id"] for d in refused.json["error"]["details"]} == {flagged.id, 12345}
    assert api(maker).post("/api/v1/batches", json={"application_ids": "1"}).status_code == 422
    assert api(maker).post("/api/v1/batches", json={"application_ids": [flagged.id]}).status_code == 409
    approved_application(["39.32.1.0/24"])
    clash = make_reviewable(["39.32.1.128/25"])
    batch = api(maker).post("/api/v1/batches", json={"application_ids": [clash.id]}).json
    conflict = api(checker).post(f"/api/v1/batches/{batch['id']}/approve")
    assert conflict.status_code == 409 and conflict.json["error"]["code"] == "conflict"
    [detail] = conflict.json["error"]["details"]
    assert detail["application_id"] == clash.id and "39.32.1.128/25" in detail["message"]
    cancelled = api(checker).post(f"/api/v1/batches/{batch['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["state"] == "cancelled"
    assert api(checker).post(f"/api/v1/batches/{batch['id']}/cancel").status_code == 409


def test_every_endpoint_is_described_with_a_summary(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for method, url in ENDPOINTS:
        path = url.replace("{id}", "{application_id}").replace("/batches/1", "/batches/{batch_id}")
        assert paths[path][method]["summary"], path
