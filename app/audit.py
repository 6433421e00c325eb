"""The one way to write the audit trail: record(action, subject, actor, **data).

Each event's hash covers the previous event's hash and the event's canonical JSON, so rewriting
any past event breaks every hash after it. record() only adds to the session: the event commits
or rolls back with the change it describes.
"""
import hashlib
import json
import re
from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select, text

from app.extensions import db
from app.models import AuditEvent
from app.models.types import utcnow

GENESIS_HASH = "0" * 64
_HEAD_LOCK_KEY = 0x5241_4153  # "RAAS": one PostgreSQL advisory lock serialises the chain head


def canonical_json(event: AuditEvent) -> str:
    body = {
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "actor_role": event.actor_role,
        "source_ip": event.source_ip,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "data": event.data,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + canonical_json(event)).encode()).hexdigest()


def _subject_key(subject) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if isinstance(subject, tuple):
        return subject[0], str(subject[1])
    # ApiToken -> "api_token": the same spelling the API's ?application= filter uses.
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(subject).__name__).lower(), str(subject.id)


def _actor_fields(actor) -> tuple[int | None, str, str]:
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    if actor is None:
        return None, "system", "system"
    return actor.id, actor.email, actor.role


def _lock_head() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _HEAD_LOCK_KEY})


def head() -> AuditEvent | None:
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()


def record(action: str, subject=None, actor=None, at: datetime | None = None, **data) -> AuditEvent:
    """Append an event for `action` on `subject` (a model instance or a (type, id) pair).

    `actor` defaults to the signed-in user, else "system" (jobs, CLI). Datetimes and other values
    in `data` are stored as text.
    """
    _lock_head()
    previous = head()
    actor_id, actor_name, actor_role = _actor_fields(actor)
    subject_type, subject_id = _subject_key(subject)
    event = AuditEvent(
        seq=(previous.seq + 1) if previous else 1,
        at=at or utcnow(),
        actor_id=actor_id,
        actor_name=actor_name,
        actor_role=actor_role,
        source_ip=request.remote_addr if has_request_context() else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=json.loads(json.dumps(data, default=str)),
        prev_hash=previous.hash if previous else GENESIS_HASH,
    )
    event.hash = event_hash(event.prev_hash, event)
    db.session.add(event)
    db.session.flush()
    return event
