"""Validation done again: after a failure, for pending applications an approval touches, and the sweeper.

The checks themselves run in validation.batch (a sub-batch of applications per transaction). Idempotent:
a run replaces the application's findings, so running it twice gives the same result, and an
application that is no longer `validating` is left alone.
"""
from datetime import timedelta

from sqlalchemy import and_, or_, select

from app import audit
from app.choices import State
from app.extensions import db
from app.i18n import _
from app.models import AddressEntry, Application
from app.models.types import utcnow
from app.services import Conflict
from app.services.transitions import move, state_words
from app.services.validation.queue import enqueue_batch, enqueue_one

REASON_KEPT = 500  # characters of a failed job's error kept in the audit event shown to admins


def mark_failed(application_ids: list[int], reason: str) -> None:
    """After the last retry: a visible state an admin can retry, never stuck in `validating`."""
    for application in db.session.scalars(select(Application).where(
            Application.id.in_(application_ids), Application.state == State.VALIDATING)):
        move(application, State.VALIDATION_FAILED, reason=reason[:REASON_KEPT])


def retry(application: Application) -> None:
    """An admin sends a failed (or stuck) validation round again."""
    if application.state == State.VALIDATION_FAILED:
        move(application, State.VALIDATING, retried=True)
    elif application.state != State.VALIDATING:
        raise Conflict(_not_retryable(application))
    enqueue_one(application)


def _not_retryable(application: Application) -> str:
    """"Application 7 is approved; only a failed or stuck validation can be retried." """
    return _("Application %(id)s is %(state)s; only a failed or stuck validation can be retried.",
             id=application.id, state=state_words(application.state))


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
    affected = overlapping_pending(changed)
    for application in affected:
        move(application, State.VALIDATING, reason=f"application {changed.id} became {changed.state}")
    ids = [a.id for a in affected]
    if ids:
        enqueue_batch(ids)
    return ids


def stuck_applications(stuck_after: timedelta) -> list[tuple[int, str | None]]:
    """(id, validation job id) of the applications validating for longer than `stuck_after` since submission."""
    return db.session.execute(select(Application.id, Application.validation_job_id).where(
        Application.state == State.VALIDATING, Application.submitted_at < utcnow() - stuck_after)
        .order_by(Application.submitted_at)).all()


def record_sweep(application_ids: list[int]) -> None:
    audit.record("validation.requeued", None, application_ids=application_ids)
