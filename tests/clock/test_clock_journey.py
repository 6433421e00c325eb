"""The decision clock through the real API and worker: set at submission, shown to the applicant, paused while they
owe information, restarted from what was left."""
from datetime import datetime, timedelta, timezone

import pytest

from app.models.types import utcnow
from app.services.decision_clock import PKT
from tests.applicant.conftest import FIRM, PDF

BODY = {"purpose": "Office VPN to our client in Germany", "category": "company_vpn",
        "entries": ["39.32.12.0/24"], "endpoints": []}


@pytest.fixture
def applicant(applicant_with):
    return applicant_with(FIRM)


@pytest.fixture
def clock_at(monkeypatch):
    """clock_at(pkt datetime): the time the state changes of this process (submit, request-info) happen at."""
    def set_to(moment: datetime):
        monkeypatch.setattr("app.services.transitions.utcnow", lambda: moment.astimezone(timezone.utc))
    return set_to


def _submittable(applicant) -> str:
    import io

    created = applicant.post("/api/v1/applications", json=BODY)
    assert created.status_code == 201, created.json
    url = f"/api/v1/applications/{created.json['id']}"
    uploaded = applicant.post(f"{url}/documents", data={"kind": "ntn_certificate", "file": (io.BytesIO(PDF), "n.pdf")})
    assert uploaded.status_code == 201, uploaded.json
    return url


def _friday_after(moment: datetime, days: int) -> datetime:
    day = (moment + timedelta(days=days)).astimezone(PKT).date()
    day += timedelta(days=(4 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, tzinfo=PKT)


def test_due_time_set_at_submission_shown_in_the_api_and_on_the_page(applicant, clock_at, run_worker, login, client):
    url = _submittable(applicant)
    assert applicant.get(url).json["decision_due_at"] is None and applicant.get(url).json["late"] is False
    # A Friday at 16:30 in a week to come: half an hour on Friday, seven and a half on Monday.
    friday = _friday_after(utcnow(), 7)
    clock_at(friday.replace(hour=16, minute=30))
    assert applicant.post(f"{url}/submit").status_code == 202
    run_worker()
    shown = applicant.get(url).json
    monday = (friday + timedelta(days=3)).replace(hour=16, minute=30)
    assert (shown["state"], shown["decision_due_at"], shown["late"]) == ("ready", monday.isoformat(), False)
    assert shown["decision_due_at"].endswith("+05:00")
    page = login(applicant.user).get(url.replace("/api/v1", "")).text
    assert "Decision expected by " + monday.strftime("%d %b %Y 16:30 PKT") in page
    assert "Later than we promised" not in page


def test_a_late_application_says_so(applicant, clock_at, run_worker, login):
    url = _submittable(applicant)
    friday = _friday_after(utcnow(), -21)  # three weeks ago: due the Monday after, long past
    clock_at(friday.replace(hour=16, minute=30))
    assert applicant.post(f"{url}/submit").status_code == 202
    run_worker()
    shown = applicant.get(url).json
    assert shown["state"] == "ready" and shown["late"] is True
    due = (friday + timedelta(days=3)).replace(hour=16, minute=30)
    assert shown["decision_due_at"] == due.isoformat()
    page = login(applicant.user).get(url.replace("/api/v1", "")).text
    assert "Later than we promised: a decision was expected by " + due.strftime("%d %b %Y 16:30 PKT") in page


def test_the_clock_pauses_while_the_applicant_owes_information(applicant, clock_at, run_worker, make_user, api,
                                                              login, db):
    url = _submittable(applicant)
    monday = _friday_after(utcnow(), -14) - timedelta(days=4)  # a Monday two weeks ago
    clock_at(monday.replace(hour=10))
    assert applicant.post(f"{url}/submit").status_code == 202
    run_worker()
    first_due = (monday + timedelta(days=1)).replace(hour=10)  # 7 h Monday, 1 h Tuesday
    assert applicant.get(url).json["decision_due_at"] == first_due.isoformat()

    clock_at(monday.replace(hour=15))  # 3 working hours left: 2 on Monday, 1 on Tuesday
    reviewer = api(make_user(role="reviewer"))
    assert reviewer.post(f"{url}/request-info", json={"message": "Which office uses it?"}).status_code == 200
    paused = applicant.get(url).json
    # Past the due time now, but the applicant owes the answer: not late, and the due time is as it was.
    assert (paused["state"], paused["late"], paused["decision_due_at"]) == ("needs_info", False,
                                                                             first_due.isoformat())
    page = login(applicant.user).get(url.replace("/api/v1", "")).text
    assert ("The decision clock is paused until you answer the reviewer. Once you submit your answer, a decision is "
            "expected within 3 working hours.") in page

    friday = _friday_after(utcnow(), 7)  # answered on a Friday to come, at 16:00: 1 h then, 2 h on Monday
    clock_at(friday.replace(hour=16))
    assert applicant.post(f"{url}/submit", json={"reply": "The Lahore office."}).status_code == 202
    run_worker()
    answered = applicant.get(url).json
    assert answered["state"] == "ready" and answered["late"] is False
    assert answered["decision_due_at"] == (friday + timedelta(days=3)).replace(hour=11).isoformat()
    from app.models import Application
    db.session.expire_all()
    assert db.session.get(Application, answered["id"]).decision_clock_remaining is None


def test_a_holiday_moves_the_due_time(applicant, clock_at, run_worker):
    from app.services.holidays import add_holiday

    url = _submittable(applicant)
    friday = _friday_after(utcnow(), 7)
    add_holiday((friday + timedelta(days=3)).date(), "Pakistan Day")  # the Monday after
    from app.extensions import db
    db.session.commit()
    clock_at(friday.replace(hour=16, minute=30))
    assert applicant.post(f"{url}/submit").status_code == 202
    assert applicant.get(url).json["decision_due_at"] == (friday + timedelta(days=4)).replace(
        hour=16, minute=30).isoformat()


def test_the_dashboard_shows_the_share_of_decisions_made_by_their_due_time(db, login, make_user, make_reviewable):
    from datetime import timedelta

    from app.choices import State
    from app.models.types import utcnow

    now = utcnow()
    on_time = make_reviewable(["39.32.60.0/24"], state=State.REJECTED)
    late = make_reviewable(["39.32.61.0/24"], state=State.REJECTED)
    for application, due in ((on_time, now + timedelta(hours=1)), (late, now - timedelta(hours=1))):
        application.submitted_at, application.decided_at = now - timedelta(hours=3), now
        application.decision_due_at = due
    db.session.commit()
    page = login(make_user("reviewer")).get("/review/dashboard").text
    assert "Share of decisions made by their due time" in page
    assert "50.0% of the decisions in the last 90 days were made by their due time." in page
