"""record(): the one way to append to the trail."""
import json
import re
from datetime import datetime, timezone

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select, text

from app.audit.chain import GENESIS_HASH, event_hash
from app.extensions import db
from app.models import AuditEvent
from app.models.types import utcnow

INTERNAL = "internal"  # data key of reviewers' notes that applicants never see
_HEAD_LOCK_KEY = 0x5241_4153  # "RAAS": one PostgreSQL advisory lock serialises the chain head


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
