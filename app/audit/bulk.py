"""record_many(): one event per subject, recorded in bulk, chained exactly as record() chains them.

A batch approval or an expiry run changes thousands of applications in one transaction, and each
must have its own event. As ORM objects each event costs a flush of its own when chained; here they are plain
rows, chained in order with whatever else the transaction recorded and written in one executemany.
verify_chain() cannot tell the two apart.
"""
from datetime import datetime, timezone

from app.audit.append import Rows, actor_fields, as_stored, defer, source_ip, subject_key
from app.models.types import utcnow


def record_many(action: str, items: list[tuple[object, dict]], actor=None, at: datetime | None = None) -> int:
    """Record one `action` event per (subject, data) pair, in order, chained at commit; returns how many."""
    if not items:
        return 0
    actor_id, actor_name, actor_role = actor_fields(actor)
    common = {"at": (at or utcnow()).astimezone(timezone.utc), "actor_id": actor_id, "actor_name": actor_name,
              "actor_role": actor_role, "source_ip": source_ip(), "action": action}
    rows = []
    for subject, data in items:
        subject_type, subject_id = subject_key(subject)
        rows.append(common | {"subject_type": subject_type, "subject_id": subject_id, "data": as_stored(data)})
    defer(Rows(rows))
    return len(rows)
