"""The hash chain: how events link, and verify_chain naming the first event that breaks it."""
import hashlib
import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import audit
from app.models import AuditEvent, WhitelistVersion


def test_each_event_hashes_its_predecessor_and_its_canonical_json(chain):
    events = chain(3)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == audit.GENESIS_HASH
    for previous, event in zip([None, *events], events):
        assert event.prev_hash == (previous.hash if previous else audit.GENESIS_HASH)
        body = {c: getattr(event, c) for c in ("seq", "actor_id", "actor_name", "actor_role", "source_ip",
                                               "action", "subject_type", "subject_id", "data")}
        body["at"] = event.at.isoformat(timespec="microseconds")
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert event.hash == hashlib.sha256((event.prev_hash + canonical).encode()).hexdigest()


def test_what_the_database_gives_back_hashes_the_same(db, make_user):
    """Unicode, quotes, nested data, a non-UTC time and a datetime value all survive the round trip."""
    user = make_user(name="Ayesha")
    karachi = timezone(timedelta(hours=5))
    audit.record("test.odd", ("application", 7), actor=user, at=datetime(2026, 3, 1, 9, 30, 0, 123456, karachi),
                 note='واپس "quoted"', nested={"b": [1, 2.5, None], "a": True}, when=datetime(2026, 1, 1))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "test.odd"))
    assert stored.at == datetime(2026, 3, 1, 4, 30, 0, 123456, timezone.utc)
    assert stored.data["when"] == "2026-01-01 00:00:00"
    assert audit.event_hash(stored.prev_hash, stored) == stored.hash
    assert audit.verify_chain().intact


def test_verify_reports_an_intact_chain_and_its_head(chain):
    events = chain(4)
    report = audit.verify_chain()
    assert report.intact and report.events == 4 and report.head_hash == events[-1].hash


def test_an_empty_chain_is_intact(db):
    report = audit.verify_chain()
    assert report.intact and report.events == 0 and report.head_hash == audit.GENESIS_HASH


REHASH_3 = "UPDATE audit_events SET hash = :forged WHERE seq = 3"


@pytest.mark.parametrize("statements, broken, problem", [
    (["UPDATE audit_events SET data = '{\"n\": 99}' WHERE seq = 3"], 3, "does not match its contents"),
    (["UPDATE audit_events SET actor_name = 'someone.else@example.pk' WHERE seq = 2"], 2, "contents"),
    (["DELETE FROM audit_events WHERE seq = 3"], 3, "event 3 is missing"),
    # Moving event 4 into place 3 (and 3 into 4): seq is hashed, and 4 does not follow 2.
    (["UPDATE audit_events SET seq = -3 WHERE seq = 3", "UPDATE audit_events SET seq = 3 WHERE seq = 4",
      "UPDATE audit_events SET seq = 4 WHERE seq = -3"], 3, "prev_hash does not match the hash of event 2"),
    # A careful intruder rewrites event 3 and its hash: event 4 no longer follows.
    (["UPDATE audit_events SET data = '{\"n\": 99}' WHERE seq = 3", REHASH_3], 4, "prev_hash does not match"),
], ids=["edited-data", "edited-actor", "deleted", "reordered", "edited-and-rehashed"])
def test_verify_names_the_first_broken_event(chain, tamper, statements, broken, problem):
    events = chain(5)
    forged = SimpleNamespace(**{c: getattr(events[2], c) for c in audit.EXPORT_COLUMNS} | {"data": {"n": 99}})
    tamper(*statements, forged=audit.event_hash(forged.prev_hash, forged))
    report = audit.verify_chain()
    assert (report.broken_seq, report.events) == (broken, broken - 1)
    assert problem in report.problem
    assert report.head_hash == events[broken - 2].hash


def test_a_published_whitelist_witnesses_the_head_so_cutting_the_tail_shows(db, chain, tamper):
    events = chain(5)
    db.session.add(WhitelistVersion(serial=1, content_sha256="0" * 64, audit_head_seq=events[-1].seq,
                                    audit_head_hash=events[-1].hash))
    db.session.commit()
    assert audit.verify_chain().intact
    tamper("DELETE FROM audit_events WHERE seq >= 4")
    report = audit.verify_chain()
    assert report.broken_seq == 4 and "whitelist version 1" in report.problem


def test_verify_in_parallel_spans_joins_them_and_finds_a_break_at_a_join(chain, tamper):
    chain(6)
    whole = audit.verify_chain(workers=1)
    assert audit.verify_chain(workers=2) == whole and whole.intact  # spans 1-3 and 4-6
    tamper("DELETE FROM audit_events WHERE seq = 4")
    report = audit.verify_chain(workers=2)
    assert report.broken_seq == 4 and "event 4 is missing" in report.problem
