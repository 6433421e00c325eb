"""Jobs that run every so often, scheduled by the workers themselves (no cron needed).

Every worker start runs each job once and makes sure one future run is scheduled; a Redis key
per job keeps several workers from scheduling a run each.
"""
from datetime import timedelta

from flask import current_app
from rq.utils import import_attribute

from app.extensions import queues
from app.jobs.approvals import expire_approvals
from app.jobs.validation import sweep_stuck_validations
from app.queues import DEFAULT
from app.transactions import committed


def remind_expiring_approvals() -> list[int]:
    from app.services.renewals import remind_expiring

    with committed():
        reminded = remind_expiring()
    current_app.logger.info("renewal reminders sent for %s", reminded)
    return reminded


def checkpoint_audit_trail() -> int | None:
    """Sign the audit chain head if it moved since the last checkpoint; returns the signed seq."""
    from app.services.publication.audit_checkpoints import checkpoint_if_moved

    with committed():
        checkpoint = checkpoint_if_moved()
    return checkpoint.seq if checkpoint else None


# Each job by the dotted path RQ stores with a scheduled run, and how often it runs.
PERIODIC = {f"{job.__module__}.{job.__qualname__}": every for job, every in {
    sweep_stuck_validations: timedelta(minutes=1),
    remind_expiring_approvals: timedelta(hours=6),
    expire_approvals: timedelta(hours=1),
    checkpoint_audit_trail: timedelta(hours=1),
}.items()}


def _lock(name: str) -> str:
    return f"raasta:periodic:{name}"


def _schedule_next(name: str) -> None:
    if queues.connection.set(_lock(name), 1, nx=True, ex=int(PERIODIC[name].total_seconds())):
        queues.queue(DEFAULT).enqueue_in(PERIODIC[name], run_periodic, name)


def schedule_periodic_jobs() -> None:
    for name in PERIODIC:
        queues.queue(DEFAULT).enqueue(name)
        _schedule_next(name)


def run_periodic(name: str):
    """Run one periodic job, then schedule its next run."""
    queues.connection.delete(_lock(name))
    try:
        return import_attribute(name)()
    finally:
        _schedule_next(name)
