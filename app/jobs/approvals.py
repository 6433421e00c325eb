"""RQ jobs after changes of the approved space: hourly expiry, and re-validation of what they touch."""
from flask import current_app

from app.services.national_register import worker_register
from app.services.review import approvals
from app.services.validation.queue import enqueue_batch
from app.transactions import committed


def expire_approvals() -> list[int]:
    """Expire the approvals that are due and publish once (periodic, hourly)."""
    with committed():
        expired = approvals.expire_due()
    if expired:
        current_app.logger.info("approvals expired: %s", expired)
    return expired


def revalidate_touching(application_ids: list[int]) -> list[int]:
    """Pending applications overlapping these just-approved, revoked or expired ones are validated again."""
    with committed():
        moved = approvals.revalidate_touching(application_ids, worker_register())
        if moved:
            enqueue_batch(moved)
    return moved
