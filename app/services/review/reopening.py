"""Which applications the applicant may still change, and taking a reviewed one back to draft.

A draft or a needs-info application is changed in place. A ready or flagged one that no reviewer has
put in a pending batch goes back to draft when the applicant changes it (its entries, endpoints or
documents); submitting it again runs every check again. A reviewer's overrides were written about the
findings of the old entries, so they are dropped with the move, in the same transaction and event.
"""
from sqlalchemy import delete

from app.choices import State
from app.extensions import db
from app.i18n import _
from app.models import Application, Override
from app.services import Conflict, NotAllowed
from app.services.review.batches import batch_for
from app.services.review.decisions import lock_application, overrides_of
from app.services.transitions import move


def check_changeable(application: Application) -> None:
    """Refuse (403) an application the applicant can no longer change, whatever its batch."""
    if application.state not in State.EDITABLE + State.REOPENABLE:
        raise NotAllowed(_("Application %(id)s is %(state)s; only a draft, one that needs more information, or one "
                           "waiting for review or with problems found (not yet in a batch) can be changed.",
                           id=application.id, state=State.LABELS[application.state].lower()),
                         details={"state": application.state})


def changeable(application: Application) -> bool:
    """Whether the applicant may change it now (without reopening a batched one): for the pages' buttons."""
    if application.state in State.EDITABLE:
        return True
    return application.state in State.REOPENABLE and batch_for(application) is None


def make_changeable(application: Application, actor=None) -> None:
    """Call before the applicant changes anything: reopens a ready or flagged application (409 when it
    is in a batch awaiting approval), leaves an editable one alone, refuses the rest."""
    check_changeable(application)
    if application.state in State.REOPENABLE:
        reopen(application, actor=actor)


def reopen(application: Application, actor=None) -> None:
    """Ready or flagged -> draft, dropping the reviewers' overrides; the caller commits.

    The row is locked first, so a reviewer batching it at the same moment either sees it as a draft
    (and cannot batch it) or has batched it already (and this refuses).
    """
    lock_application(application)
    check_changeable(application)
    batch = batch_for(application)
    if batch is not None:
        raise Conflict(_("Application %(id)s is in batch %(batch)s, awaiting a reviewer's approval; it can no longer "
                         "be changed. If it must change, withdraw it and apply again.", id=application.id,
                         batch=batch.id), details={"batch_id": batch.id})
    dropped = sorted(o.code for o in overrides_of(application))
    if dropped:
        db.session.execute(delete(Override).where(Override.application_id == application.id))
    move(application, State.DRAFT, actor=actor, reopened=True, overrides_dropped=dropped)
