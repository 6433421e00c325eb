"""The database refuses to rewrite history, and an event lives or dies with the change it records."""
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError, IntegrityError

from app import audit
from app.audit.bulk import record_many
from app.models import AuditEvent, User
from app.services.accounts import create_user


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET action = 'nothing.happened' WHERE seq = 1",
    "UPDATE audit_events SET hash = prev_hash",
    "DELETE FROM audit_events WHERE seq = 2",
    "DELETE FROM audit_events",
])
def test_the_database_refuses_update_and_delete(db, chain, statement):
    events = chain(2)
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text(statement))
    assert [(e.seq, e.action, e.hash) for e in db.session.scalars(select(AuditEvent))] == \
        [(e.seq, e.action, e.hash) for e in events]


def test_a_change_rolled_back_takes_its_event_with_it(db):
    create_user("gone@example.pk", "a long enough phrase")
    assert db.session.scalar(select(func.count(AuditEvent.seq))) == 0  # recorded, chained only at commit
    db.session.rollback()
    db.session.commit()  # a later commit in the same session finds nothing left over to chain
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.seq))) == 0
    assert audit.verify_chain().intact


def test_an_event_of_a_transaction_closed_without_commit_goes_with_it(db, make_user):
    """close() ends the transaction without a rollback event: its recorded events must not reach the next commit."""
    make_user()
    audit.record("test.abandoned", ("thing", 1))  # no SQL before the close: the transaction only just began
    db.session.close()
    audit.record("test.kept", ("thing", 2))
    db.session.commit()
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.startswith("test."))).all()
    assert actions == ["test.kept"]
    assert audit.verify_chain().intact


def test_an_event_that_cannot_be_written_takes_its_change_with_it(db, make_user, monkeypatch):
    """An event the database refuses (here: a hash already in the chain) fails its whole transaction."""
    user = make_user(name="Before")
    events_before = db.session.scalar(select(func.count(AuditEvent.seq)))
    taken = db.session.scalar(select(AuditEvent.hash).limit(1))
    user.name = "After"
    monkeypatch.setattr("app.audit.append.event_hash", lambda prev_hash, event: taken)
    audit.record("user.renamed", user, before="Before", after="After")
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    monkeypatch.undo()
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "Before"
    assert db.session.scalar(select(func.count(AuditEvent.seq))) == events_before
    assert audit.verify_chain().intact


def test_events_are_chained_in_the_order_recorded_whatever_their_kind(db, make_user):
    """record(), record_many() and record_head() in one transaction: one chain, in the order they were called."""
    user = make_user()
    audit.record("test.first", user)
    record_many("test.many", [(("thing", n), {"n": n}) for n in range(3)])
    head = audit.record_head("test.head", user)
    assert head.seq is not None and head.hash  # chained at once, with all before it
    audit.record("test.last", user)
    db.session.commit()
    rows = db.session.execute(select(AuditEvent.seq, AuditEvent.action)
                              .where(AuditEvent.action.startswith("test.")).order_by(AuditEvent.seq)).all()
    assert [r.action for r in rows] == ["test.first", "test.many", "test.many", "test.many", "test.head",
                                        "test.last"]
    assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + 6))
    assert head.seq == rows[4].seq
    assert audit.verify_chain().intact


def test_an_open_transaction_that_recorded_an_event_does_not_hold_up_other_writers(app, db, make_user):
    """The head is locked only while a transaction's events are chained at its commit: a transaction that has
    recorded an event and goes on working keeps no other writer waiting (on PostgreSQL; SQLite has one writer)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time whatever the audit trail does")
    user = make_user()
    db.session.commit()
    user.name = "Renamed slowly"
    audit.record("user.renamed", user, after="Renamed slowly")
    db.session.flush()  # this transaction has written and recorded, and is still open
    other = []

    def write_elsewhere() -> None:
        with app.app_context():
            try:
                db.session.execute(text("SET LOCAL lock_timeout = '5s'"))
                audit.record("test.elsewhere", ("writer", 2))
                db.session.commit()
                other.append("committed")
            except Exception as exc:  # reported below: an assert in a thread would vanish
                other.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=write_elsewhere)
    thread.start()
    thread.join(timeout=30)
    assert other == ["committed"]
    db.session.commit()
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(2)).all()
    assert actions == ["user.renamed", "test.elsewhere"]  # chained in the order they committed
    assert audit.verify_chain().intact


def test_concurrent_writers_keep_one_linear_chain(app, db):
    """Several writers, each on its own connection, append at once: no fork, no gap, no lost event.

    PostgreSQL serialises them on an advisory lock; SQLite on its database write lock.
    """
    writers, per_writer = 6, 15
    start = threading.Barrier(writers)
    failures = []

    def write(n: int) -> None:
        with app.app_context():
            try:
                start.wait()
                for i in range(per_writer):
                    audit.record("test.concurrent", ("writer", n), i=i)
                    db.session.commit()
            except Exception as exc:  # reported below: an assert in a thread would vanish
                failures.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    rows = db.session.execute(select(AuditEvent.seq, AuditEvent.subject_id, AuditEvent.data)
                              .order_by(AuditEvent.seq)).all()
    assert [r.seq for r in rows] == list(range(1, writers * per_writer + 1))
    for n in range(writers):  # each writer's own events keep their order
        assert [r.data["i"] for r in rows if r.subject_id == str(n)] == list(range(per_writer))
    assert audit.verify_chain().intact
