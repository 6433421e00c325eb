"""Of two requests racing to change an application's state, exactly one wins; the other gets 409.

Real concurrent requests: threads, each with its own app context and database session, released
together by a barrier against one database (a SQLite file or PostgreSQL).
"""

from sqlalchemy import select

from app.choices import TRANSITIONS, State
from app.models import Application, AuditEvent
from tests.racing import at_once


def _state_events(db, application_id):
    db.session.expire_all()
    return db.session.execute(select(AuditEvent.data).where(
        AuditEvent.subject_type == "application", AuditEvent.subject_id == str(application_id),
        AuditEvent.action.like("application.%"), AuditEvent.action != "application.created")
        .order_by(AuditEvent.seq)).scalars().all()


def test_ten_parallel_submits_validate_once(applicant, submittable, db):
    draft = submittable
    url = f"/api/v1/applications/{draft['id']}/submit"
    responses = at_once([lambda: applicant.post(url)] * 10)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [202] + [409] * 9, statuses
    assert [e["after"] for e in _state_events(db, draft["id"])] == [State.VALIDATING]


def test_withdraw_racing_submit_never_leaves_an_impossible_history(applicant, make_user, api, db):
    for _ in range(8):
        draft = applicant.post("/api/v1/applications", json={
            "purpose": "race to the state", "entries": ["39.32.12.0/24"], "endpoints": []}).json
        base = f"/api/v1/applications/{draft['id']}"
        submit, withdraw = at_once([lambda: applicant.post(f"{base}/submit"),
                                  lambda: applicant.post(f"{base}/withdraw")])
        assert {submit.status_code, withdraw.status_code} <= {200, 202, 409}
        events = _state_events(db, draft["id"])
        for event in events:  # every recorded move is one the transition table allows
            assert event["after"] in TRANSITIONS[event["before"]], events
        final = db.session.get(Application, draft["id"]).state
        assert final == events[-1]["after"]
        if withdraw.status_code == 200:
            assert final == State.WITHDRAWN


def test_the_worker_leaves_an_application_withdrawn_while_it_waited(applicant, submittable, db, run_worker):
    draft = submittable
    base = f"/api/v1/applications/{draft['id']}"
    assert applicant.post(f"{base}/submit").status_code == 202
    assert applicant.post(f"{base}/withdraw").status_code == 200
    run_worker()
    db.session.expire_all()
    assert db.session.get(Application, draft["id"]).state == State.WITHDRAWN
