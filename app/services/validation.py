"""Validation of submitted applications: run the checks, store the findings, then ready or flagged.

Idempotent: a run replaces the application's findings, so running it twice gives the same result,
and an application that is no longer `validating` is left alone.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from app import audit
from app.choices import Severity, State
from app.extensions import db
from app.models import AddressEntry, Application, Finding
from app.models.types import utcnow
from app.services import Conflict
from app.services.applications import enqueue_validation
from app.services.checks import CHECKS, CheckContext, Draft
from app.services.transitions import move


def lock_for_validation(application_id: int) -> Application | None:
    """The application, row-locked so two workers never validate it at once; None if busy or not validating.

    PostgreSQL skips a row another worker holds; SQLite serialises writers and ignores the clause.
    FOR NO KEY UPDATE (key_share): a plain FOR UPDATE would also skip an application while another
    worker merely inserts a finding that references it.
    """
    application = db.session.scalar(select(Application).where(Application.id == application_id)
                                    .with_for_update(skip_locked=True, key_share=True))
    return application if application is not None and application.state == State.VALIDATING else None


def validate_application(application: Application, register, progress=None) -> str:
    """Replace the findings and move to ready or flagged; returns the new state. The caller commits."""
    if application.state != State.VALIDATING:
        return application.state
    context = CheckContext(application, register, current_app.config["MAX_PREFIX_V4"],
                           current_app.config["MAX_PREFIX_V6"], progress=progress or (lambda done, total: None))
    drafts = [draft for check in CHECKS for draft in check(context)]
    application.findings = [_finding(draft) for draft in drafts]
    _add_cross_findings(context.cross_findings)
    errors = sum(1 for d in drafts if d.severity == Severity.ERROR)
    warnings = sum(1 for d in drafts if d.severity == Severity.WARNING)
    move(application, State.FLAGGED if errors else State.READY, errors=errors, warnings=warnings,
         codes=sorted({d.code for d in drafts if d.severity != Severity.INFO}))
    return application.state


def _finding(draft: Draft) -> Finding:
    return Finding(code=draft.code, severity=draft.severity, message=draft.message, entry_id=draft.entry_id,
                   endpoint_id=draft.endpoint_id, data=draft.data)


def _add_cross_findings(cross: list[tuple[int, Draft]]) -> None:
    """Overlap with pending space shows on both applications; add it to the other one once."""
    for other_id, draft in cross:
        other = db.session.get(Application, other_id)
        if other is None or other.state not in State.PENDING:
            continue
        already = any(f.code == draft.code and f.data.get("application_id") == draft.data["application_id"]
                      for f in other.findings)
        if not already:
            other.findings.append(_finding(draft))


def mark_failed(application_ids: list[int], reason: str) -> None:
    """After the last retry: a visible state an admin can retry, never stuck in `validating`."""
    for application in db.session.scalars(select(Application).where(
            Application.id.in_(application_ids), Application.state == State.VALIDATING)):
        move(application, State.VALIDATION_FAILED, reason=reason[:500])


def retry(application: Application) -> None:
    """An admin sends a failed (or stuck) validation round again."""
    if application.state == State.VALIDATION_FAILED:
        move(application, State.VALIDATING, retried=True)
    elif application.state != State.VALIDATING:
        raise Conflict(f"Application {application.id} is {application.state.replace('_', ' ')}; only a failed or "
                       "stuck validation can be retried.")
    enqueue_validation(application)


def overlapping_pending(changed: Application) -> list[Application]:
    """Reviewable applications of others whose entries overlap `changed`'s entries."""
    spans = [and_(AddressEntry.version == e.version, AddressEntry.start <= e.end, AddressEntry.end >= e.start)
             for e in changed.entries]
    if not spans:
        return []
    ids = select(AddressEntry.application_id).where(or_(*spans))
    return db.session.scalars(select(Application).where(
        Application.id.in_(ids), Application.id != changed.id, Application.state.in_(State.REVIEWABLE))).all()


def revalidate_overlapping(changed: Application) -> list[int]:
    """After an approval, revocation or expiry, pending applications touching that space are checked again."""
    from app.jobs.validation import enqueue_batch

    affected = overlapping_pending(changed)
    for application in affected:
        move(application, State.VALIDATING, reason=f"application {changed.id} became {changed.state}")
    ids = [a.id for a in affected]
    if ids:
        enqueue_batch(ids)
    return ids


def stuck_applications(stuck_after: timedelta) -> list[Application]:
    """Applications validating for longer than `stuck_after` since submission."""
    return db.session.scalars(select(Application).where(
        Application.state == State.VALIDATING, Application.submitted_at < utcnow() - stuck_after)
        .order_by(Application.submitted_at)).all()


def record_sweep(application_ids: list[int]) -> None:
    audit.record("validation.requeued", None, application_ids=application_ids)


def validation_progress(application: Application) -> dict | None:
    """The running job's progress (job.meta), for the live page; None when no job reports any."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from app.extensions import queues

    if application.state != State.VALIDATING or not application.validation_job_id:
        return None
    try:
        return Job.fetch(application.validation_job_id, connection=queues.connection).meta.get("progress")
    except NoSuchJobError:
        return None
