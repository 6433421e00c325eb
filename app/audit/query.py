"""Reading the trail: an application's timeline, staff search, the API's view, streamed exports."""
import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Select, select

from app.audit.append import INTERNAL, record, subject_key
from app.audit.chain import encode
from app.choices import Role
from app.extensions import db
from app.models import AuditEvent
from app.spreadsheet import safe_cell


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
    if until and until < date.max:  # the last day there is has no day after it: no upper bound then
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


def record_export(actor, fmt: str, filters: dict) -> Select:
    """The events matching `filters`, oldest first, once the export is recorded: who took a copy of the trail,
    and of what, is itself on the trail. The caller commits, then streams export_lines(query, fmt)."""
    record("audit.exported", actor=actor, format=fmt, filters={k: v for k, v in filters.items() if v})
    return search(**filters)


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
            writer.writerow([safe_cell(encode(v) if c == "data" else v) for c, v in values.items()])
        else:
            buffer.write(encode(values) + "\n")
        if n % batch_size == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer) -> str:
    chunk = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return chunk
