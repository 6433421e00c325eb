"""RQ jobs for validation: one application, a batch of them, and the sweeper for lost jobs."""
import uuid
from datetime import datetime, timedelta, timezone

from flask import current_app
from rq import Callback, Retry, get_current_job
from rq.job import Job, JobStatus
from sqlalchemy import update

from app.after_commit import call_after_commit
from app.extensions import db, queues
from app.models import Application
from app.queues import VALIDATION
from app.services import Conflict
from app.services import validation as service
from app.services.register import worker_register

BATCH_SIZE = 200
RETRY = Retry(max=3, interval=[5, 30, 120])  # transient database or Redis trouble


def _report(job, **progress) -> None:
    if job is not None:
        job.meta["progress"] = progress
        job.save_meta()


def validate_application(application_id: int) -> str | None:
    """Validate one application; returns its new state (None if another worker has it or it is done)."""
    return validate_applications([application_id])[application_id]


def validate_applications(application_ids: list[int]) -> dict[int, str | None]:
    """Validate each application in its own transaction, with the register kept warm across them."""
    job = get_current_job()
    register = worker_register()
    results = {}
    for done, application_id in enumerate(application_ids):
        application = service.lock_for_validation(application_id)
        if application is None:
            db.session.rollback()
            results[application_id] = None
            continue
        entry_progress = (lambda n, total: _report(job, applications=done, of=len(application_ids),
                                                   entries=n, of_entries=total))
        try:
            results[application_id] = service.validate_application(application, register, entry_progress)
        except Conflict:  # withdrawn (or otherwise moved) while the checks ran: leave it as it is now
            db.session.rollback()
            results[application_id] = None
            continue
        db.session.commit()
        if len(application_ids) > 1 and done % 25 == 0:
            _report(job, applications=done + 1, of=len(application_ids))
    _report(job, applications=len(application_ids), of=len(application_ids))
    return results


def on_failure(job: Job, connection, exc_type, exc_value, traceback) -> None:
    """RQ calls this on every failure; after the last retry the applications become validation_failed."""
    if job.retries_left:
        return
    db.session.rollback()
    ids = job.args[0] if isinstance(job.args[0], list) else [job.args[0]]
    service.mark_failed(ids, f"{exc_type.__name__}: {exc_value}")
    db.session.commit()


def enqueue_options() -> dict:
    return {"retry": RETRY, "on_failure": Callback(on_failure), "job_timeout": current_app.config["VALIDATION_TIMEOUT"]}


def enqueue_one(application) -> None:
    """Queue one application's validation once the current transaction commits (so the worker sees it)."""
    job_id = f"validate-{application.id}-{application.submitted_at.timestamp():.0f}"
    application.validation_job_id = job_id
    queue, options, application_id = queues.queue(VALIDATION), enqueue_options(), application.id
    call_after_commit(lambda: queue.enqueue(validate_application, application_id, job_id=job_id, **options))


def enqueue_batch(application_ids: list[int]) -> None:
    """Queue validation of many applications in batches, once the current transaction commits.

    Each application records its batch's job id, so the sweeper can tell a waiting job from a lost one.
    """
    queue, options = queues.queue(VALIDATION), enqueue_options()
    batches = []
    for i in range(0, len(application_ids), BATCH_SIZE):
        chunk, job_id = application_ids[i:i + BATCH_SIZE], f"validate-batch-{uuid.uuid4().hex}"
        db.session.execute(update(Application).where(Application.id.in_(chunk)).values(validation_job_id=job_id))
        batches.append((chunk, job_id))
    call_after_commit(lambda: [queue.enqueue(validate_applications, chunk, job_id=job_id, **options)
                               for chunk, job_id in batches])


def _live_jobs(job_ids: set[str]) -> set[str]:
    """The ids among `job_ids` of jobs still waiting, or running on a worker that is still there.

    A killed worker's job stays "started" in RQ; its worker's registration expires within WORKER_TTL,
    so the job counts as lost from then on (and in any case after VALIDATION_LOST_AFTER).
    """
    lost_after = timedelta(seconds=current_app.config["VALIDATION_LOST_AFTER"])
    now = datetime.now(timezone.utc)
    live = set()
    for job in Job.fetch_many(list(job_ids), connection=queues.connection):
        if job is None:
            continue
        status = job.get_status(refresh=False)
        if status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
            live.add(job.id)
        elif status == JobStatus.STARTED and job.started_at and queues.worker_registered(job.worker_name) and \
                now - job.started_at.replace(tzinfo=timezone.utc) < lost_after:
            live.add(job.id)
    return live


def sweep_stuck_validations() -> list[int]:
    """Re-queue applications whose validation job was lost (e.g. a worker killed mid-job).

    Runs at worker start and every minute (app.jobs.periodic). "Stuck" means validating for longer than
    VALIDATION_STUCK_AFTER with no job for it waiting, or running on a live worker.
    """
    stuck_after = timedelta(seconds=current_app.config["VALIDATION_STUCK_AFTER"])
    stuck = service.stuck_applications(stuck_after)
    live = _live_jobs({a.validation_job_id for a in stuck if a.validation_job_id})
    lost = [a.id for a in stuck if a.validation_job_id not in live]
    if lost:
        service.record_sweep(lost)
        enqueue_batch(lost)
    db.session.commit()
    return lost
