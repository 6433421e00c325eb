"""Queueing validation: the job's id goes on each application's row, the job itself into the outbox.

The id on the row lets the sweeper tell an application whose job waits or runs from one whose job was
lost; the outbox sends the job only once the state change that needs it has committed.
"""
import uuid

from flask import current_app
from sqlalchemy import update

from app.extensions import db
from app.models import Application
from app.queues import VALIDATE_APPLICATION, VALIDATE_APPLICATIONS, VALIDATION_FAILED
from app.services import job_outbox

RETRY_INTERVALS = [5, 30, 120]  # transient database or Redis trouble
JOB_SIZE = 200  # applications per job of a bulk run: enough to amortise the worker's register, small enough to retry


def enqueue_one(application: Application) -> None:
    """Queue one application's validation with the current transaction (a submission, a retry)."""
    job_id = f"validate-{application.id}-{application.submitted_at.timestamp():.0f}"
    application.validation_job_id = job_id
    job_outbox.enqueue(VALIDATE_APPLICATION, application.id, job_id=job_id, **_options())


def enqueue_batch(application_ids: list[int]) -> None:
    """Queue validation of many applications, JOB_SIZE to a job, with the current transaction."""
    for first in range(0, len(application_ids), JOB_SIZE):
        chunk, job_id = application_ids[first:first + JOB_SIZE], f"validate-batch-{uuid.uuid4().hex}"
        # No synchronisation of loaded objects: with thousands of them in the session it cost O(n²) (a sweep
        # of 100,000 lost applications held SQLite's write lock for minutes); callers do not read the id back.
        db.session.execute(update(Application).where(Application.id.in_(chunk)).values(validation_job_id=job_id)
                           .execution_options(synchronize_session=False))
        job_outbox.enqueue(VALIDATE_APPLICATIONS, chunk, job_id=job_id, **_options())


def _options() -> dict:
    return {"retry": RETRY_INTERVALS, "on_failure": VALIDATION_FAILED,
            "timeout": current_app.config["VALIDATION_TIMEOUT"]}
