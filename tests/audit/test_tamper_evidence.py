"""What the hostile tester did to the trail, each refused by the database or caught by verify.

REPLACE and UPSERT past the triggers; a chain rewritten with every hash recomputed; the newest
events cut; a checkpoint forged; a trigger dropped. Each attack is first shown to work as the tester
did it, then caught.
"""
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from app import audit
from app.models import AuditCheckpoint, AuditEvent
from app.services.publication import signing
from app.services.publication.audit_checkpoints import checkpoint_if_moved
from tests.audit.test_cli import flask_cli

REPLACE = {
    "sqlite": "INSERT OR REPLACE INTO audit_events SELECT seq, at, actor_id, actor_name, 'admin', source_ip, "
              "action, subject_type, subject_id, data, prev_hash, hash FROM audit_events WHERE seq = 2",
    "postgresql": "INSERT INTO audit_events SELECT * FROM audit_events WHERE seq = 2 "
                  "ON CONFLICT (seq) DO UPDATE SET actor_role = 'admin'",
}


def _verify():
    return audit.verify_chain(public_key=load_pem_public_key(signing.public_key_pem()))


def _rewrite_actor_role(db, tamper, seq: int, role: str) -> None:
    """Change event `seq` and recompute its hash and every later one, as the tester did."""
    events = [SimpleNamespace(**{c: getattr(e, c) for c in ("seq", "at", "actor_id", "actor_name", "actor_role",
                                                             "source_ip", "action", "subject_type", "subject_id",
                                                             "data", "prev_hash", "hash")})
              for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    statements, previous = [], None
    for event in events:
        if event.seq == seq:
            event.actor_role = role
        if event.seq >= seq:
            event.prev_hash = previous.hash
            event.hash = audit.event_hash(event.prev_hash, event)
            statements.append(f"UPDATE audit_events SET actor_role = '{event.actor_role}', "
                              f"prev_hash = '{event.prev_hash}', hash = '{event.hash}' WHERE seq = {event.seq}")
        previous = event
    tamper(*statements)


def test_replace_and_upsert_of_a_past_event_are_refused(db, chain):
    events = chain(4)
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text(REPLACE[connection.dialect.name]))
    assert [e.hash for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))] == \
        [e.hash for e in events]


def test_an_insert_below_the_head_is_refused(db, chain):
    chain(3)
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO audit_events (seq, at, actor_name, actor_role, action, "
                                    "subject_type, subject_id, data, prev_hash, hash) VALUES (2, '2026-01-01', "
                                    "'x', 'admin', 'a', '', '', '{}', 'p', 'h')"))


def test_a_rehashed_rewrite_passes_the_chain_alone_but_not_a_signed_checkpoint(db, chain, tamper):
    chain(6)
    _rewrite_actor_role(db, tamper, 3, "admin")
    assert _verify().intact  # what the tester saw: every hash recomputed, no anchor, "intact"

    chain(2)  # the trail goes on; the hourly job signs its head
    checkpoint = checkpoint_if_moved()
    db.session.commit()
    assert checkpoint.seq == 9 and _verify().intact
    _rewrite_actor_role(db, tamper, 5, "isp")
    report = _verify()
    assert not report.intact and report.broken_seq == 9
    assert "signed checkpoint at event 9" in report.problem and "recomputed" in report.problem


def test_cutting_the_newest_events_is_caught_by_the_signed_head(db, chain, tamper):
    chain(5)
    checkpoint_if_moved()
    db.session.commit()
    chain(10)
    tamper("DELETE FROM audit_events WHERE seq > 3")
    report = _verify()
    assert report.broken_seq == 4
    assert "names event 6, but the chain ends at event 3" in report.problem


def test_a_forged_checkpoint_fails_its_signature(db, chain, tamper):
    chain(3)
    checkpoint_if_moved()
    db.session.commit()
    tamper("UPDATE audit_checkpoints SET hash = :fake", fake="f" * 64)
    report = _verify()
    assert report.broken_seq == 4 and "signature that does not verify" in report.problem


def test_verify_names_a_missing_or_disabled_trigger(db, chain):
    chain(2)
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_insert_at_head"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_insert_at_head"))
    try:
        report = _verify()
        assert not report.intact and report.missing_triggers == ["audit_events_insert_at_head"]
        assert report.broken_seq is None  # the chain itself is sound
    finally:
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_insert_at_head"))


def test_cli_checks_a_head_kept_outside_the_database(worker_env, db, chain, tamper):
    kept_head = f"3:{chain(4)[2].hash}"  # what an auditor wrote down
    good = flask_cli(worker_env, "audit", "verify", "--expect-head", kept_head)
    assert good.returncode == 0, good.stderr
    _rewrite_actor_role(db, tamper, 2, "admin")
    kept = flask_cli(worker_env, "audit", "verify", "--expect-head", kept_head)
    assert kept.returncode == 1 and "broken at event 3" in kept.stderr and "expected head 3:" in kept.stderr
    bad = flask_cli(worker_env, "audit", "verify", "--expect-head", "three:abc")
    assert bad.returncode == 2 and "is not SEQ:HASH" in bad.stderr

