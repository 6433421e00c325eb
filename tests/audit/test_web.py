"""The staff search page, its streamed exports, and the timeline partial that application pages include."""
import csv
import io
import json
from datetime import datetime
from types import SimpleNamespace

import pytest
from flask import render_template_string

from app import audit

TIMELINE = '{% from "audit/_timeline.html" import timeline %}{{ timeline(events, show_internal=staff) }}'


@pytest.mark.parametrize("role, status", [("applicant", 403), ("isp", 403), ("reviewer", 200), ("admin", 200)])
def test_only_staff_reach_the_search(login, make_user, role, status):
    assert login(make_user(role)).get("/audit/").status_code == status


def test_search_filters_and_lists_newest_first(login, make_user, application):
    page = login(make_user("admin")).get(f"/audit/?action=application.&subject_id={application.id}").text
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert [r.split("<code class=\"muted\">")[1].split("<")[0] for r in rows] == \
        ["application.edited", "application.needs_info", "application.created"]
    assert "ISP says range is shared" in page and "Internal" in page  # staff see internal notes
    assert "Office VPN → Office VPN to Germany" in page


def test_search_with_a_bad_date_explains_instead_of_failing(login, make_user):
    page = login(make_user("reviewer")).get("/audit/?since=31/02/2026")
    assert page.status_code == 200 and "Not a valid date value" in page.text


def test_csv_export_is_streamed_with_every_column_of_the_matching_events(login, make_user, application):
    client = login(make_user("reviewer"))
    response = client.get(f"/audit/export.csv?subject_type=application&subject_id={application.id}")
    assert response.is_streamed and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    expected = audit.timeline(application)
    assert [(r["seq"], r["action"], r["hash"]) for r in rows] == [(str(e.seq), e.action, e.hash) for e in expected]
    assert json.loads(rows[1]["data"])["internal"] == {"note": "ISP says range is shared"}


def test_jsonl_export_can_be_verified_away_from_the_database(login, make_user, chain):
    chain(3)
    reviewer = make_user("reviewer")
    response = login(reviewer).get("/audit/export.jsonl")
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    previous = audit.GENESIS_HASH
    for line in lines:
        event = SimpleNamespace(**line | {"at": datetime.fromisoformat(line["at"])})
        assert event.prev_hash == previous and audit.event_hash(previous, event) == event.hash
        previous = event.hash
    # Taking a copy of the trail is itself on the trail, just before the copy was read.
    assert lines[-1]["action"] == "audit.exported" and lines[-1]["actor_id"] == reviewer.id
    assert lines[-1]["data"] == {"format": "jsonl", "filters": {}}


def test_the_timeline_hides_internal_notes_and_staff_names_from_applicants(app, application):
    events = audit.timeline(application)
    with app.test_request_context():
        for_applicant = render_template_string(TIMELINE, events=events, staff=False)
        for_staff = render_template_string(TIMELINE, events=events, staff=True)
    assert "Please upload your NTN certificate." in for_applicant
    assert "ISP says range is shared" not in for_applicant and application.reviewer.email not in for_applicant
    assert "ISP says range is shared" in for_staff and application.reviewer.email in for_staff
    assert for_applicant.count('class="audit-event"') == 3


def test_staff_see_the_nav_link_and_applicants_do_not(login, make_user):
    assert 'href="/audit/"' in login(make_user("reviewer")).get("/dashboard").text


def test_applicants_do_not_see_the_nav_link(login, make_user):
    assert 'href="/audit/"' not in login(make_user("applicant")).get("/dashboard").text
