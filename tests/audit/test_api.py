"""GET /api/v1/audit: who may read which events, and what they see."""
import pytest

from app import audit
from app.api import audit as audit_api


def _actions(response):
    return [event["action"] for event in response.json]


@pytest.mark.parametrize("role, whose, status", [
    ("applicant", "own", 200),
    ("applicant", "another's", 404),
    ("reviewer", "another's", 200),
    ("admin", "another's", 200),
    ("isp", "another's", 403),
])
def test_who_may_read_an_applications_events(api, make_user, application, role, whose, status):
    reader = application.owner if whose == "own" else make_user(role)
    response = api(reader).get(f"/api/v1/audit?application={application.id}")
    assert response.status_code == status, response.json
    if status == 200:
        assert _actions(response) == ["application.created", "application.needs_info", "application.edited"]
    else:
        assert set(response.json["error"]) == {"code", "message", "details"}


def test_no_token_is_401(client):
    response = client.get("/api/v1/audit")
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"


def test_an_applicant_sees_the_decision_but_not_the_internal_note_or_the_reviewer(api, application):
    events = api(application.owner).get(f"/api/v1/audit?application={application.id}").json
    decision = events[1]
    assert set(decision) == {"seq", "at", "actor", "action", "subject", "data", "hash"}
    assert decision["data"] == {"before": "ready", "after": "needs_info",
                                "message": "Please upload your NTN certificate."}
    assert decision["actor"] == {"id": None, "name": "reviewer", "role": "reviewer"}
    assert decision["subject"] == {"type": "application", "id": application.id}
    assert events[0]["actor"]["name"] == application.owner.email


def test_staff_see_internal_notes_names_and_the_link_to_the_previous_event(api, make_user, application):
    events = api(make_user("reviewer")).get(f"/api/v1/audit?application={application.id}").json
    decision = events[1]
    assert decision["data"]["internal"] == {"note": "ISP says range is shared"}
    assert decision["actor"]["name"] == application.reviewer.email
    assert decision["prev_hash"] == events[0]["hash"]


def test_an_applicant_without_a_filter_sees_only_their_applications(api, application, make_user):
    other = make_user("applicant")
    body = api(application.owner).get("/api/v1/audit").json
    assert {e["subject"]["id"] for e in body} == {application.id}
    assert api(other).get("/api/v1/audit").json == []


def test_staff_filters_combine(api, make_user, application):
    admin = make_user("admin")
    reader = api(admin)
    owner_id = application.owner.id
    assert _actions(reader.get(f"/api/v1/audit?actor={owner_id}&subject_type=application")) == \
        ["application.created", "application.edited"]
    assert _actions(reader.get(f"/api/v1/audit?actor={application.reviewer.email[:9]}&action=application.")) == \
        ["application.needs_info"]
    assert _actions(reader.get("/api/v1/audit?action=user.created&since=2000-01-01")) == ["user.created"] * 3
    assert reader.get("/api/v1/audit?until=2000-01-01").json == []


def test_pages_link_to_the_next(api, make_user, application, monkeypatch):
    monkeypatch.setattr(audit_api, "PER_PAGE", 2)
    reader = api(make_user("reviewer"))
    first = reader.get(f"/api/v1/audit?application={application.id}")
    assert _actions(first) == ["application.created", "application.needs_info"]
    assert 'rel="next"' in first.headers["Link"] and "page=2" in first.headers["Link"]
    second = reader.get(f"/api/v1/audit?application={application.id}&page=2")
    assert _actions(second) == ["application.edited"] and "Link" not in second.headers


@pytest.mark.parametrize("query, status, words", [
    ("application=abc", 400, "whole number"),
    ("since=yesterday", 400, "YYYY-MM-DD"),
    ("page=-1", 400, "whole number"),
])
def test_bad_parameters_are_400_not_500(api, make_user, query, status, words):
    response = api(make_user("admin")).get(f"/api/v1/audit?{query}")
    assert response.status_code == status and words in response.json["error"]["message"]


def test_applicants_may_not_use_staff_filters(api, application):
    response = api(application.owner).get(f"/api/v1/audit?actor={application.reviewer.id}")
    assert response.status_code == 403 and "reviewers and admins" in response.json["error"]["message"]


def test_the_endpoint_is_in_the_openapi_description(client):
    operation = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/audit"]["get"]
    assert operation["summary"].startswith("Audit events, oldest first")


def test_timeline_returns_one_subjects_events_oldest_first(application):
    assert [e.action for e in audit.timeline(application)] == \
        ["application.created", "application.needs_info", "application.edited"]
    assert audit.timeline(("application", application.id + 1)) == []
