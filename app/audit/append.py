"""record(): the one way to append to the trail.

Events are chained when their transaction commits, not when they are recorded. Chaining needs the head, and the
head must not move between reading it and writing after it, so it takes a lock held until the transaction ends:
taken at record() time, every write (a submission, a sign-in, a validation run) held it through all its later
work, and under load every other writer queued behind it. Taken just before the commit, it is held for the
insert and the commit alone. An event that must know its hash before then (a published version signs it)
is recorded with record_head(), which chains everything recorded so far at once.
"""
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event as orm_event
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from app.audit.chain import GENESIS_HASH, canonical_values, chain_hash, event_hash
from app.extensions import db
from app.models import AuditEvent
from app.models.types import utcnow

INTERNAL = "internal"  # data key of reviewers' notes that applicants never see
_HEAD_LOCK_KEY = 0x5241_4153  # "RAAS": one PostgreSQL advisory lock serialises the chain head
_PENDING = "raasta.audit_pending"  # session.info key: what this transaction recorded and has not chained yet


def subject_key(subject) -> tuple[str, str]:
    """("application", "42") for an Application with id 42, or for the pair ("application", 42)."""
    if subject is None:
        return "", ""
    if isinstance(subject, tuple):
        return subject[0], str(subject[1])
    # ApiToken -> "api_token": the same spelling the API's ?subject_type= filter uses.
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(subject).__name__).lower(), str(subject.id)


def actor_fields(actor) -> tuple[int | None, str, str]:
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    if actor is None:
        return None, "system", "system"
    return actor.id, actor.email, actor.role


def source_ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def as_stored(data: dict) -> dict:
    """`data` as the database gives it back (datetimes as text), which is what gets hashed."""
    return json.loads(json.dumps(data, default=str))


@dataclass
class Rows:
    """Many events recorded at once (record_many): plain rows, chained in order and inserted in one statement."""

    rows: list[dict]


def record(action: str, subject=None, actor=None, at: datetime | None = None,
           internal: dict | None = None, **data) -> AuditEvent:
    """Record an event for `action` on `subject` (a model instance or a (type, id) pair), chained at commit.

    `actor` defaults to the signed-in user, else "system" (jobs, CLI). `data` is what the event
    says, values stored as JSON (datetimes as text); a change gives `before=` and `after=`.
    `internal` holds reviewers' notes: kept in the chain, shown to staff only. Events about anything
    inside an application (documents, findings, decisions) take the application as subject and name
    the part in `data`, so the application's timeline() has them all. The event has its seq and hash once its
    transaction commits (or once record_head() chains it); it commits or rolls back with the change it describes.
    """
    if internal:
        data[INTERNAL] = internal
    actor_id, actor_name, actor_role = actor_fields(actor)
    subject_type, subject_id = subject_key(subject)
    event = AuditEvent(at=(at or utcnow()).astimezone(timezone.utc),  # stored as UTC, so hashed as UTC
                       actor_id=actor_id, actor_name=actor_name, actor_role=actor_role, source_ip=source_ip(),
                       action=action, subject_type=subject_type, subject_id=subject_id, data=as_stored(data))
    defer(event)
    return event


def record_head(action: str, subject=None, actor=None, **data) -> AuditEvent:
    """record(), chained now: the event is the head of the chain, its seq and hash known, and the head stays locked
    until the transaction ends. For an event whose hash goes into something signed in the same transaction."""
    event = record(action, subject, actor, **data)
    chain_pending(db.session)
    return event


def defer(item: AuditEvent | Rows) -> None:
    session = db.session()  # the scoped session's own Session
    if not session.in_transaction():
        session.begin()  # so that a close() before any SQL still ends a transaction, which drops the event
    session.info.setdefault(_PENDING, []).append(item)


def _lock_head(session: Session) -> None:
    """Hold the chain head until this transaction ends, so two writers cannot both extend one head."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _HEAD_LOCK_KEY})
    else:
        # SQLite has one database-wide write lock, taken by a transaction's first write. A write that
        # matches no row takes it before the head is read; the seq primary key backs this up.
        session.execute(text("UPDATE audit_events SET seq = seq WHERE 0"))


def chain_pending(session: Session) -> None:
    """Chain what this transaction recorded onto the head, in the order it was recorded, and write it."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # the transaction's other writes first: the lock is then held for the events alone
    _lock_head(session)
    previous = session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev_hash = (previous.seq, previous.hash) if previous else (0, GENESIS_HASH)
    for item in pending:
        if isinstance(item, Rows):
            session.flush()  # events added before these rows are inserted before them (the insert guard wants order)
            for row in item.rows:
                seq += 1
                row.update(seq=seq, prev_hash=prev_hash)
                row["hash"] = prev_hash = _row_hash(row)
            session.execute(insert(AuditEvent.__table__), item.rows)
        else:
            seq += 1
            item.seq, item.prev_hash = seq, prev_hash
            item.hash = prev_hash = event_hash(prev_hash, item)
            session.add(item)
    session.flush()


def _row_hash(row: dict) -> str:
    return chain_hash(row["prev_hash"], canonical_values(
        row["seq"], row["at"], row["actor_id"], row["actor_name"], row["actor_role"], row["source_ip"],
        row["action"], row["subject_type"], row["subject_id"], row["data"]))


@orm_event.listens_for(Session, "before_commit")
def _chain_before_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's release is not the transaction's end
        chain_pending(session)


@orm_event.listens_for(Session, "after_transaction_end")
def _forget_when_the_transaction_ends(session: Session, transaction) -> None:
    # Rolled back, or closed without a commit (close() fires no rollback event): what it recorded goes with it,
    # never into the next transaction of the same session. After a commit there is nothing left to forget.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
