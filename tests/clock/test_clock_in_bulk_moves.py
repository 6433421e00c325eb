"""move_many() and move_each() pause and restart the decision clock of many applications with one UPDATE."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import event

from app.choices import State
from app.services import transitions
from app.services.decision_clock import PKT


def _statements(db):
    seen = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_many_applications_pause_and_restart_in_bulk(db, make_reviewable, monkeypatch):
    monday = datetime(2026, 11, 30, tzinfo=PKT)
    # Due Tuesday 10:00 and Wednesday 12:00; paused on Monday at 15:00: 3 and 13 working hours left.
    first = make_reviewable(["39.32.0.0/24"], decision_due_at=(monday + timedelta(days=1)).replace(hour=10))
    second = make_reviewable(["39.32.1.0/24"], state=State.FLAGGED,
                             decision_due_at=(monday + timedelta(days=2)).replace(hour=12))
    monkeypatch.setattr(transitions, "utcnow", lambda: monday.replace(hour=15).astimezone(timezone.utc))
    seen = _statements(db)
    transitions.move_many([first, second], State.NEEDS_INFO)
    db.session.commit()
    clock_updates = [s for s in seen if s.startswith("UPDATE") and "decision_clock_remaining=" in s]
    assert len(clock_updates) == 1  # one executemany for both rows
    db.session.expire_all()
    assert (first.decision_clock_remaining, second.decision_clock_remaining) == (3 * 3600, 13 * 3600)

    friday = datetime(2026, 12, 4, 16, tzinfo=PKT)
    monkeypatch.setattr(transitions, "utcnow", lambda: friday.astimezone(timezone.utc))
    transitions.move_each([(first, State.VALIDATING, {}), (second, State.VALIDATING, {})])
    db.session.commit()
    db.session.expire_all()
    assert first.decision_due_at == datetime(2026, 12, 7, 11, tzinfo=PKT)   # 1 h Friday, 2 h Monday
    assert second.decision_due_at == datetime(2026, 12, 8, 13, tzinfo=PKT)  # 1 h Fri, 8 h Mon, 4 h Tue
    assert first.decision_clock_remaining is None and second.decision_clock_remaining is None


def test_a_validation_batch_leaves_the_clock_alone(db, make_reviewable):
    ready = make_reviewable(["39.32.0.0/24"], state=State.VALIDATING)
    due = ready.decision_due_at
    seen = _statements(db)
    transitions.move_each([(ready, State.READY, {})])
    db.session.commit()
    assert not [s for s in seen if "holidays" in s or (s.startswith("UPDATE") and "decision_" in s)]
    db.session.expire_all()
    assert ready.decision_due_at == due
