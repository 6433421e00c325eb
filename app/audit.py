"""The one way to write the audit trail: record(action, subject, actor, **data).

Each event's hash covers the previous event's hash and the event's canonical JSON, so rewriting
any past event breaks every hash after it. record() only adds to the session: the event commits
or rolls back with the change it describes. Migration 0002 makes the database refuse UPDATE and
DELETE on the table; verify_chain() finds any rewrite done by someone who got past that.
"""
import csv
import hashlib
import io
import json
import multiprocessing
import os
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from itertools import repeat

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Select, create_engine, func, select, text
from sqlalchemy.orm import Session

from app.choices import Role
from app.extensions import db
from app.models import AuditEvent, WhitelistVersion
from app.models.types import utcnow

GENESIS_HASH = "0" * 64
INTERNAL = "internal"  # data key of reviewers' notes that applicants never see
PARALLEL_FROM = 200_000  # events; below this, starting worker processes costs more than it saves
_HEAD_LOCK_KEY = 0x5241_4153  # "RAAS": one PostgreSQL advisory lock serialises the chain head
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
_HASHED_NAMES = ("seq", "at", "actor_id", "actor_name", "actor_role", "source_ip", "action", "subject_type",
                 "subject_id", "data")
_HASHED = tuple(getattr(AuditEvent, name) for name in _HASHED_NAMES)


def _canonical(seq, at, actor_id, actor_name, actor_role, source_ip, action, subject_type, subject_id, data) -> str:
    return _CANONICAL.encode({
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "actor_role": actor_role,
        "source_ip": source_ip,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "data": data,
    })


def canonical_json(event) -> str:
    """The hashed form of an event: an AuditEvent, or any object with the same attribute names."""
    return _canonical(*(getattr(event, name) for name in _HASHED_NAMES))


def _chain_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def event_hash(prev_hash: str, event) -> str:
    return _chain_hash(prev_hash, canonical_json(event))


def subject_key(subject) -> tuple[str, str]:
    """("application", "42") for an Application with id 42, or for the pair ("application", 42)."""
    if subject is None:
        return "", ""
    if isinstance(subject, tuple):
        return subject[0], str(subject[1])
    # ApiToken -> "api_token": the same spelling the API's ?subject_type= filter uses.
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(subject).__name__).lower(), str(subject.id)


def _actor_fields(actor) -> tuple[int | None, str, str]:
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    if actor is None:
        return None, "system", "system"
    return actor.id, actor.email, actor.role


def _lock_head() -> None:
    """Hold the chain head until this transaction ends, so two writers cannot both extend one head."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _HEAD_LOCK_KEY})
    else:
        # SQLite has one database-wide write lock, taken by a transaction's first write. A write that
        # matches no row takes it before the head is read; the seq primary key backs this up.
        db.session.execute(text("UPDATE audit_events SET seq = seq WHERE 0"))


def head() -> AuditEvent | None:
    """The newest event. To store the head in a whitelist version, use the `.hash` of the event
    record() returns for the publication: it was taken under the head lock."""
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()


def record(action: str, subject=None, actor=None, at: datetime | None = None,
           internal: dict | None = None, **data) -> AuditEvent:
    """Append an event for `action` on `subject` (a model instance or a (type, id) pair).

    `actor` defaults to the signed-in user, else "system" (jobs, CLI). `data` is what the event
    says, values stored as JSON (datetimes as text); a change gives `before=` and `after=`.
    `internal` holds reviewers' notes: kept in the chain, shown to staff only. Events about anything
    inside an application (documents, findings, decisions) take the application as subject and name
    the part in `data`, so the application's timeline() has them all. Returns the flushed event;
    its `.hash` is the new chain head (a published whitelist version stores it).
    """
    if internal:
        data[INTERNAL] = internal
    _lock_head()
    previous = db.session.execute(select(AuditEvent.seq, AuditEvent.hash)
                                  .order_by(AuditEvent.seq.desc()).limit(1)).first()
    actor_id, actor_name, actor_role = _actor_fields(actor)
    subject_type, subject_id = subject_key(subject)
    event = AuditEvent(
        seq=(previous.seq + 1) if previous else 1,
        at=(at or utcnow()).astimezone(timezone.utc),  # stored as UTC, so hashed as UTC
        actor_id=actor_id,
        actor_name=actor_name,
        actor_role=actor_role,
        source_ip=request.remote_addr if has_request_context() else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=json.loads(json.dumps(data, default=str)),  # hash exactly what the database gives back
        prev_hash=previous.hash if previous else GENESIS_HASH,
    )
    event.hash = event_hash(event.prev_hash, event)
    db.session.add(event)
    db.session.flush()
    return event


@dataclass
class ChainReport:
    events: int  # how many events, from the first, were checked and found sound
    head_hash: str  # the hash of the last of those
    broken_seq: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


@dataclass
class _Span:
    """What checking the events first..last found; its first prev_hash is checked by the caller."""

    first: int
    entry_hash: str | None = None  # the first event's prev_hash
    last_hash: str | None = None  # the hash of the last sound event
    broken_seq: int | None = None
    problem: str = ""
    witnessed: frozenset = frozenset()


def _link_problem(seq: int, prev_hash: str, expected_seq: int, expected_prev_hash: str) -> str:
    if seq != expected_seq:
        return f"event {expected_seq} is missing (the next event stored is {seq})"
    if prev_hash != expected_prev_hash:
        return f"its prev_hash does not match the hash of event {expected_seq - 1}"
    return "its hash does not match its contents: the event was changed after it was written"


def _check_span(connection, first: int, last: int, witnesses, batch_size: int) -> _Span:
    # Core rows unpacked as tuples, not ORM objects: at a million events, per-row overhead is seconds.
    rows = connection.execute(select(*_HASHED, AuditEvent.prev_hash, AuditEvent.hash)
                              .where(AuditEvent.seq.between(first, last)).order_by(AuditEvent.seq),
                              execution_options={"yield_per": batch_size})
    span, expected, previous, witnessed = _Span(first), first, None, set()
    for *hashed, prev_hash, stored_hash in rows:
        seq = hashed[0]
        if seq == first:
            span.entry_hash = previous = prev_hash
        if seq != expected or prev_hash != previous or _chain_hash(previous, _canonical(*hashed)) != stored_hash:
            span.broken_seq, span.problem = expected, _link_problem(seq, prev_hash, expected, previous)
            rows.close()
            break
        if stored_hash in witnesses:
            witnessed.add(stored_hash)
        expected, previous = expected + 1, stored_hash
    else:
        if expected <= last:
            span.broken_seq, span.problem = expected, f"event {expected} is missing"
    span.last_hash, span.witnessed = previous, frozenset(witnessed)
    return span


def _check_span_at(database_url: str, first: int, last: int, witnesses, batch_size: int) -> _Span:
    """_check_span in a worker process, on a connection of its own."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return _check_span(connection, first, last, witnesses, batch_size)
    finally:
        engine.dispose()


def verify_chain(session: Session | None = None, batch_size: int = 20_000, workers: int | None = None) -> ChainReport:
    """Recompute every hash in seq order, streaming, and check each published whitelist's witness.

    Each event carries its prev_hash, so spans of the chain can be checked side by side and joined:
    from PARALLEL_FROM events on, one process per CPU (at most 8) checks a span each. A whitelist
    version stores the head hash at its publication, so deleting or rewriting the newest events
    (which leaves a shorter chain that is sound in itself) is caught too.
    """
    session = session or db.session
    witnesses = dict(session.execute(select(WhitelistVersion.audit_head_hash, WhitelistVersion.serial)
                                     .where(WhitelistVersion.audit_head_hash.is_not(None))).all())
    last = session.scalar(select(func.max(AuditEvent.seq))) or 0
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if last >= PARALLEL_FROM else 1
    size = -(-last // workers) or 1
    firsts = list(range(1, last + 1, size)) or [1]
    lasts = [min(first + size - 1, last) for first in firsts]
    if len(firsts) == 1:
        spans = [_check_span(session.connection(), 1, last, witnesses.keys(), batch_size)]
    else:
        url = session.get_bind().url.render_as_string(hide_password=False)
        with ProcessPoolExecutor(len(firsts), mp_context=multiprocessing.get_context("spawn")) as pool:
            spans = list(pool.map(_check_span_at, repeat(url), firsts, lasts, repeat(set(witnesses)),
                                  repeat(batch_size)))
    return _join(spans, witnesses, last)


def _join(spans: list[_Span], witnesses: dict[str, int], last: int) -> ChainReport:
    previous = GENESIS_HASH
    for span in spans:
        if span.entry_hash is not None and span.entry_hash != previous:
            return ChainReport(span.first - 1, previous, span.first,
                               f"its prev_hash does not match the hash of event {span.first - 1}")
        if span.broken_seq is not None:
            return ChainReport(span.broken_seq - 1, span.last_hash or previous, span.broken_seq, span.problem)
        previous = span.last_hash or previous
    unwitnessed = set(witnesses) - set().union(*(span.witnessed for span in spans))
    if unwitnessed:
        serial = min(witnesses[h] for h in unwitnessed)
        return ChainReport(last, previous, last + 1,
                           f"whitelist version {serial} was published at a head hash that is not in the "
                           f"chain: events after {last} were deleted, or earlier ones rewritten")
    return ChainReport(last, previous)


def timeline(subject) -> list[AuditEvent]:
    """Every event about `subject` (an instance or a (type, id) pair), oldest first."""
    subject_type, subject_id = subject_key(subject)
    return list(db.session.scalars(search(subject_type=subject_type, subject_id=subject_id)))


def search(actor: str | None = None, action: str | None = None, subject_type: str | None = None,
           subject_id: str | None = None, since: date | None = None, until: date | None = None,
           subject_ids: list[str] | None = None, newest_first: bool = False) -> Select:
    """Events matching every given filter, oldest first unless `newest_first`.

    `actor` is an account id or part of the actor's email; `action` a prefix ("user." for every
    user event); `since`/`until` whole UTC days, both included.
    """
    query = select(AuditEvent).order_by(AuditEvent.seq.desc() if newest_first else AuditEvent.seq)
    if actor:
        actor = actor.strip()
        query = query.where(AuditEvent.actor_id == int(actor) if actor.isdigit() and len(actor) < 10
                            else AuditEvent.actor_name.icontains(actor, autoescape=True))
    if action:
        query = query.where(AuditEvent.action.startswith(action.strip(), autoescape=True))
    if subject_type:
        query = query.where(AuditEvent.subject_type == subject_type)
    if subject_id:
        query = query.where(AuditEvent.subject_id == str(subject_id))
    if subject_ids is not None:
        query = query.where(AuditEvent.subject_id.in_(subject_ids))
    if since:
        query = query.where(AuditEvent.at >= datetime.combine(since, time(), timezone.utc))
    if until:
        query = query.where(AuditEvent.at < datetime.combine(until + timedelta(days=1), time(), timezone.utc))
    return query


def event_dict(event: AuditEvent, staff: bool) -> dict:
    """The API's and the export's view of an event; applicants see no internal notes and no staff names."""
    data = event.data if staff else {k: v for k, v in event.data.items() if k != INTERNAL}
    hide_actor = not staff and event.actor_role in Role.STAFF
    body = {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": {"id": None if hide_actor else event.actor_id,
                  "name": event.actor_role if hide_actor else event.actor_name, "role": event.actor_role},
        "action": event.action,
        "subject": {"type": event.subject_type or None,
                    "id": int(event.subject_id) if event.subject_id.isdigit() else (event.subject_id or None)},
        "data": data,
        "hash": event.hash,
    }
    if staff:
        body["source_ip"] = event.source_ip
        body["prev_hash"] = event.prev_hash
    return body


EXPORT_COLUMNS = ("seq", "at", "actor_id", "actor_name", "actor_role", "source_ip", "action",
                  "subject_type", "subject_id", "data", "prev_hash", "hash")


def export_lines(query: Select, fmt: str, batch_size: int = 2_000) -> Iterator[str]:
    """The events of `query` as CSV ("csv") or JSON lines ("jsonl"), streamed a batch at a time.

    Every stored column is written, so an export can be re-verified away from the database.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if fmt == "csv":
        writer.writerow(EXPORT_COLUMNS)
    for n, event in enumerate(db.session.scalars(query.execution_options(yield_per=batch_size)), 1):
        values = {c: getattr(event, c) for c in EXPORT_COLUMNS} | {"at": event.at.isoformat(timespec="microseconds")}
        if fmt == "csv":
            writer.writerow([_CANONICAL.encode(v) if c == "data" else v for c, v in values.items()])
        else:
            buffer.write(_CANONICAL.encode(values) + "\n")
        if n % batch_size == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer) -> str:
    chunk = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return chunk
