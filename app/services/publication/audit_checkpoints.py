"""Signed checkpoints of the audit chain head: anchors that a recomputed chain cannot match.

A checkpoint signs (seq, hash) of one event with the whitelist key. Every published version signs
its own `whitelist.published` event; between publications the hourly job records an
`audit.checkpointed` event and signs it, so no more than an hour of the trail is ever unanchored.
"""
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import AuditCheckpoint, AuditEvent
from app.services.publication import signing

CHECKPOINT_ACTION = "audit.checkpointed"


def sign_head(event: AuditEvent) -> AuditCheckpoint:
    """Sign `event`, just recorded with record_head() in this transaction (which therefore holds the head lock)."""
    checkpoint = AuditCheckpoint(seq=event.seq, hash=event.hash, at=event.at,
                                 signature=signing.sign(audit.checkpoint_message(event.seq, event.hash)))
    db.session.add(checkpoint)
    return checkpoint


def checkpoint_if_moved() -> AuditCheckpoint | None:
    """Record and sign a checkpoint event unless nothing happened since the last one."""
    last = db.session.execute(select(AuditEvent.seq, AuditEvent.action)
                              .order_by(AuditEvent.seq.desc()).limit(1)).first()
    if last is None or last.action == CHECKPOINT_ACTION:
        return None
    return sign_head(audit.record_head(CHECKPOINT_ACTION, None, after_seq=last.seq))
