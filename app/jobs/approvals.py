"""RQ jobs after changes of the approved space: hourly expiry, and re-validation of what they touch."""
from flask import current_app

from app.extensions import db
from app.services.national_register import worker_register
from app.services.review import approvals
from app.services.validation.queue import enqueue_batch


def expire_approvals() -> list[int]:
    """Expire the approvals that are due and publish once (periodic, hourly)."""
    expired = approvals.expire_due()
    db.session.commit()
    if expired:
        current_app.logger.info("approvals expired: %s", expired)
    return expired


def revalidate_touching(application_ids: list[int]) -> list[int]:
    """Pending applications overlapping these just-approved, revoked or expired ones are validated again."""
    moved = approvals.revalidate_touching(application_ids, worker_register())
    if moved:
        enqueue_batch(moved)
    db.session.commit()
    return moved
