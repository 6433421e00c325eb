"""The reviewers' queue sorts by the decision due time by default, marks late rows, and keeps ?sort=submitted."""
import re
from datetime import timedelta

from app.choices import State
from app.models.types import utcnow
from app.services.decision_clock import PKT


def _ids(html: str) -> list[int]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [int(i) for i in re.findall(r'<tr data-href="/review/applications/(\d+)"', body)]


def _queued(make_reviewable):
    """Three applications whose due order is not their submission order, one late, one paused."""
    now = utcnow()
    # Submitted first but due last (e.g. submitted on the eve of a long holiday).
    patient = make_reviewable(["39.32.0.0/24"], submitted_at=now - timedelta(days=3),
                              decision_due_at=now + timedelta(days=2))
    late = make_reviewable(["39.32.1.0/24"], state=State.FLAGGED, submitted_at=now - timedelta(days=2),
                           decision_due_at=now - timedelta(hours=5))
    soon = make_reviewable(["39.32.2.0/24"], submitted_at=now - timedelta(days=1),
                           decision_due_at=now + timedelta(hours=1))
    paused = make_reviewable(["39.32.3.0/24"], state=State.NEEDS_INFO, submitted_at=now - timedelta(hours=30),
                             decision_due_at=now - timedelta(hours=3))
    return patient, late, soon, paused


def test_api_queue_sorts_by_due_time_and_says_late(make_reviewable, make_user, api):
    patient, late, soon, paused = _queued(make_reviewable)
    reviewer = api(make_user(role="reviewer"))
    # The contract's order by default (oldest first); the due order when asked.
    assert [r["id"] for r in reviewer.get("/api/v1/review/queue").json["applications"]] == [
        patient.id, late.id, paused.id, soon.id]
    rows = reviewer.get("/api/v1/review/queue?sort=due").json["applications"]
    assert [r["id"] for r in rows] == [late.id, paused.id, soon.id, patient.id]
    by_id = {r["id"]: r for r in rows}
    assert [by_id[a.id]["late"] for a in (late, paused, soon, patient)] == [True, False, False, False]
    assert by_id[late.id]["decision_due_at"] == late.decision_due_at.astimezone(PKT).isoformat()
    assert by_id[late.id]["decision_due_at"].endswith("+05:00")
    submitted = reviewer.get("/api/v1/review/queue?sort=submitted").json["applications"]
    assert [r["id"] for r in submitted] == [patient.id, late.id, paused.id, soon.id]
    assert [r["id"] for r in reviewer.get("/api/v1/review/queue?sort=due").json["applications"]] == [
        late.id, paused.id, soon.id, patient.id]
    refused = reviewer.get("/api/v1/review/queue?sort=newest")
    assert refused.status_code == 422 and "'newest' is unknown; use one of due, submitted" in refused.json["error"][
        "message"]
    one = reviewer.get(f"/api/v1/applications/{late.id}").json
    assert (one["late"], one["decision_due_at"]) == (True, by_id[late.id]["decision_due_at"])


def test_queue_pages_follow_the_due_order(make_reviewable, make_user, api):
    now = utcnow()
    made = [make_reviewable([f"39.33.{n}.0/24"], submitted_at=now - timedelta(hours=n),
                            decision_due_at=now + timedelta(hours=(7 * n) % 11)) for n in range(9)]
    undated = make_reviewable(["39.34.0.0/24"], submitted_at=now - timedelta(days=30))
    undated.decision_due_at = None  # submitted before the clock: after the dated rows, not lost
    from app.extensions import db
    db.session.commit()
    reviewer = api(make_user(role="reviewer"))
    seen, cursor = [], None
    while True:
        page = reviewer.get("/api/v1/review/queue?sort=due&limit=4" + (f"&cursor={cursor}" if cursor else "")).json
        seen += [r["id"] for r in page["applications"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    expected = [a.id for a in sorted(made, key=lambda a: (a.decision_due_at, a.id))] + [undated.id]
    assert seen == expected


def test_queue_page_marks_late_rows_and_sorts_by_due(make_reviewable, make_user, login, client):
    patient, late, soon, paused = _queued(make_reviewable)
    login(make_user(role="reviewer"))
    page = client.get("/review/").text
    assert _ids(page) == [late.id, paused.id, soon.id, patient.id]
    rows = page.split("<tbody>")[1].split("<tr data-href")[1:]
    marked = [bool(re.search(r'badge badge-late">Late<', row)) for row in rows]
    assert marked == [True, False, False, False]
    assert "paused: waiting for the applicant" in rows[1]
    assert "applications match (decision due soonest first)" in page
    assert _ids(client.get("/review/?sort=submitted").text) == [patient.id, late.id, paused.id, soon.id]
