"""record_many(): one event per subject, written in bulk, chained exactly as record() chains them.

A batch approval or an expiry run changes thousands of applications in one transaction, and each
must have its own event. record() takes the head lock, reads the head and flushes once per event
(about a millisecond each); here the lock and the head read happen once and the rows go in one
executemany. verify_chain() cannot tell the two apart.
"""
import json
from datetime import datetime, timezone

from flask import has_request_context, request
from sqlalchemy import insert, select

from app.audit.append import _actor_fields, _lock_head, subject_key
from app.audit.chain import GENESIS_HASH, canonical_values, chain_hash
from app.extensions import db
from app.models import AuditEvent
from app.models.types import utcnow


def record_many(action: str, items: list[tuple[object, dict]], actor=None, at: datetime | None = None) -> int:
    """Append one `action` event per (subject, data) pair, in order; returns how many. The caller commits."""
    if not items:
        return 0
    _lock_head()
    previous = db.session.execute(select(AuditEvent.seq, AuditEvent.hash)
                                  .order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev_hash = (previous.seq, previous.hash) if previous else (0, GENESIS_HASH)
    actor_id, actor_name, actor_role = _actor_fields(actor)
    source_ip = request.remote_addr if has_request_context() else None
    at = (at or utcnow()).astimezone(timezone.utc)
    rows = []
    for subject, data in items:
        seq += 1
        subject_type, subject_id = subject_key(subject)
        data = json.loads(json.dumps(data, default=str))  # hash exactly what the database gives back
        row = {"seq": seq, "at": at, "actor_id": actor_id, "actor_name": actor_name, "actor_role": actor_role,
               "source_ip": source_ip, "action": action, "subject_type": subject_type, "subject_id": subject_id,
               "data": data, "prev_hash": prev_hash}
        row["hash"] = prev_hash = chain_hash(prev_hash, canonical_values(
            seq, at, actor_id, actor_name, actor_role, source_ip, action, subject_type, subject_id, data))
        rows.append(row)
    db.session.execute(insert(AuditEvent.__table__), rows)
    return len(rows)
