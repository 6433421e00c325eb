"""Maker-checker batches: one reviewer gathers applications, another approves them all or none.

Approval is one transaction: it takes the approved-space lock (services.locks), locks the batch
and every application in it, re-checks each (unchanged since batching, still batchable, no overlap
with another applicant's approved space or with another applicant in the same batch), then
approves them in bulk, writes their approved prefixes and publishes a new whitelist version whose
serial the caller can return at once. Any problem refuses the whole batch with a 409 naming each.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.choices import BatchState, State
from app.extensions import db
from app.models import Application, Batch, batch_applications
from app.models.types import utcnow
from app.services import Conflict, NotAllowed, ServiceError
from app.services.id_lists import among
from app.services.locks import lock_approved_space, locked
from app.services.publication.publish import latest_version, publish
from app.services.review import approved_space
from app.services.review.approvals import queue_revalidation
from app.services.review.decisions import acting, batch_problems
from app.services.transitions import move_many
from app.system.plurals import counted

MAX_BATCH = 20_000


def _problem(application_id: int, message: str) -> dict:
    return {"application_id": application_id, "message": f"Application {application_id} {message}."}


def _application_ids(values) -> list[int]:
    if not isinstance(values, list) or not values:
        raise ServiceError("Give application_ids as a non-empty list of application ids.", field="application_ids")
    bad = [v for v in values if not isinstance(v, int) or isinstance(v, bool) or v < 1]
    if bad:
        raise ServiceError(f"Application ids are whole numbers; these are not: {', '.join(map(repr, bad[:10]))}.",
                           field="application_ids")
    ids = list(dict.fromkeys(values))
    if len(ids) > MAX_BATCH:
        raise ServiceError(f"A batch holds at most {MAX_BATCH:,} applications, not {len(ids):,}; split it.",
                           field="application_ids")
    return ids


def create_batch(application_ids, maker, note: str | None = None) -> Batch:
    """A pending batch of ready (or fully overridden flagged) applications; every refusal named at once."""
    ids = _application_ids(application_ids)
    maker = acting(maker)
    applications = _locked_applications(select(Application).where(among(Application.id, ids)))
    found = {a.id for a in applications}
    missing = [_problem(i, "does not exist") for i in ids if i not in found]
    problems = missing + [_problem(i, why) for i, why in batch_problems(applications).items()]
    if problems:
        error = ServiceError if missing else Conflict
        named = ", ".join(f"#{p['application_id']}" for p in problems[:20]) + (" ..." if len(problems) > 20 else "")
        who = ("The application cannot" if len(ids) == 1
                   else f"{len(problems)} of the {counted(len(ids), 'application')} cannot")
        raise error(f"{who} be batched: {named}. Nothing was batched.", details=problems)
    batch = Batch(made_by_id=maker.id, note=(note or "").strip() or None)
    db.session.add(batch)
    db.session.flush()
    db.session.execute(insert(batch_applications), [
        {"batch_id": batch.id, "application_id": a.id, "state_at_batching": a.state, "validated_at": a.validated_at}
        for a in applications])
    audit.record("batch.created", batch, actor=maker, application_ids=sorted(found), note=batch.note)
    return batch


def _locked_applications(query) -> list[Application]:
    """Locked in id order, so two transactions locking overlapping sets cannot deadlock."""
    return locked(query.order_by(Application.id), of=Application)


def application_ids_of(batch: Batch) -> list[int]:
    return list(db.session.scalars(select(batch_applications.c.application_id)
                                   .where(batch_applications.c.batch_id == batch.id)
                                   .order_by(batch_applications.c.application_id)))


def _lock_pending(batch: Batch) -> Batch:
    batch = locked(select(Batch).where(Batch.id == batch.id))[0]
    if batch.state != BatchState.PENDING_APPROVAL:
        raise Conflict(f"Batch {batch.id} is {batch.state.replace('_', ' ')}; only a batch awaiting approval can "
                       "be approved or cancelled.", details={"state": batch.state})
    return batch


def _changed_since_batching(batch: Batch, applications: list[Application]) -> list[dict]:
    then = {row.application_id: row for row in db.session.execute(
        select(batch_applications).where(batch_applications.c.batch_id == batch.id))}
    problems = []
    for application in applications:
        row = then[application.id]
        if application.state != row.state_at_batching:
            problems.append(_problem(application.id, f"was {row.state_at_batching.replace('_', ' ')} when batched "
                                                     f"and is {application.state.replace('_', ' ')} now"))
        elif application.validated_at != row.validated_at:
            problems.append(_problem(application.id, "was validated again since it was batched; look at its "
                                                     "findings and batch it again"))
    return problems


def approve_batch(batch: Batch, approver) -> Batch:
    """Approve every application in the batch and publish, or nothing (409 naming each problem)."""
    approver = acting(approver)
    if batch.made_by_id == approver.id:
        raise NotAllowed(f"You made batch {batch.id}; another reviewer must approve it (maker-checker).")
    lock_approved_space()
    batch = _lock_pending(batch)
    applications = _locked_applications(select(Application).join(
        batch_applications, batch_applications.c.application_id == Application.id)
        .where(batch_applications.c.batch_id == batch.id))
    problems = _changed_since_batching(batch, applications)
    changed = {p["application_id"] for p in problems}
    problems += [_problem(i, why) for i, why in batch_problems(applications, batch_id=batch.id).items()
                 if i not in changed]
    entries = approved_space.entries_of([a.id for a in applications])
    problems += [_problem(c.entry.application_id, c.message()) for c in approved_space.clashes(entries)]
    if problems:
        refused = sorted({p["application_id"] for p in problems})
        raise Conflict(f"Batch {batch.id} was not approved: {len(refused)} of its "
                       f"{counted(len(applications), 'application')} "
                       f"have problems ({', '.join(map(str, refused[:20]))}{' ...' if len(refused) > 20 else ''}). "
                       "Nothing was approved.", details=problems)
    _add_space(batch, entries)
    days = current_app.config["APPROVAL_DAYS"]
    move_many(applications, State.APPROVED, actor=approver, values={"expires_at": utcnow() + timedelta(days=days)},
              batch=batch.id)
    batch.state, batch.approved_by_id, batch.approved_at = BatchState.PUBLISHED, approver.id, utcnow()
    version = publish(f"batch {batch.id} approved", actor=approver)
    batch.whitelist_serial = version.serial if version else latest_version().serial
    audit.record("batch.approved", batch, actor=approver, applications=len(applications),
                 whitelist_serial=batch.whitelist_serial)
    queue_revalidation([a.id for a in applications])
    return batch


def _add_space(batch: Batch, entries) -> None:
    """Write the approved prefixes. On PostgreSQL inside a savepoint: if the exclusion constraint refuses
    them (a path that skipped the lock approved the same space), only the insert rolls back, and the
    caller gets a 409 with a session it can still use."""
    if db.session.get_bind().dialect.name != "postgresql":
        approved_space.add(entries)
        return
    try:
        with db.session.begin_nested():
            approved_space.add(entries)
    except IntegrityError as exc:
        raise Conflict(f"Batch {batch.id} was not approved: the database refused its space because part of it "
                       "is approved for another applicant. Nothing was approved.",
                       details=[{"message": str(exc.orig).splitlines()[0]}]) from None


def cancel_batch(batch: Batch, actor=None) -> Batch:
    """Withdraw a batch before approval; its applications can be batched again."""
    actor = acting(actor)
    batch = _lock_pending(batch)
    batch.state = BatchState.CANCELLED
    audit.record("batch.cancelled", batch, actor=actor)
    return batch


def pending_batches() -> list[Batch]:
    return batches(BatchState.PENDING_APPROVAL)


def batches(state: str | None = None, limit: int = 200) -> list[Batch]:
    """Batches, newest first; `state` one of BatchState.ALL."""
    if state is not None and state not in BatchState.ALL:
        raise ServiceError(f"Batch state {state!r} is unknown; use one of {', '.join(BatchState.ALL)}.",
                           field="state")
    query = select(Batch).order_by(Batch.id.desc()).limit(limit)
    if state is not None:
        query = query.where(Batch.state == state)
    return db.session.scalars(query).all()


def batch_for(application: Application) -> Batch | None:
    """The pending batch the application is in, if any."""
    return db.session.scalar(select(Batch).join(batch_applications, batch_applications.c.batch_id == Batch.id)
                             .where(batch_applications.c.application_id == application.id,
                                    Batch.state == BatchState.PENDING_APPROVAL))
