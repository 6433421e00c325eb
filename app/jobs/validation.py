"""RQ jobs for validation: one application, a batch of them, and the sweeper for lost jobs."""
import uuid
from datetime import datetime, timedelta, timezone

from flask import current_app
from rq import Callback, Retry, get_current_job
from rq.job import Job, JobStatus
from rq.timeouts import BaseTimeoutException
from sqlalchemy import update

from app.after_commit import call_after_commit
from app.extensions import db, queues
from app.models import Application
from app.queues import VALIDATION
from app.services import Conflict
from app.services import validation as service
from app.services.register import worker_register
from app.services.validation_batch import lock_validating, validate_many

BATCH_SIZE = 200  # applications per job
SUB_BATCH = 25    # applications per transaction
RETRY = Retry(max=3, interval=[5, 30, 120])  # transient database or Redis trouble


def _report(job, **progress) -> None:
    if job is not None:
        job.meta["progress"] = progress
        job.save_meta()


def validate_application(application_id: int) -> str | None:
    """Validate one application; returns its new state (None if another worker has it or it is done)."""
    return validate_applications([application_id])[application_id]


def validate_applications(application_ids: list[int]) -> dict[int, str | None]:
    """Validate the applications SUB_BATCH at a time, one transaction each, with the register kept warm.

    A sub-batch that fails is rolled back and done again one application per transaction, so one bad
    row never fails its neighbours; if any single one still fails, the job fails after all the others
    are done (and RQ retries it: the done ones are no longer validating and are skipped).
    """
    job = get_current_job()
    register = worker_register()
    results, failures = {}, []
    for first in range(0, len(application_ids), SUB_BATCH):
        chunk = application_ids[first:first + SUB_BATCH]
        entry_progress = (lambda n, total: _report(job, applications=first, of=len(application_ids),
                                                   entries=n, of_entries=total))
        try:
            results.update(_validate_in_one_transaction(chunk, register, entry_progress))
        except BaseTimeoutException:
            raise  # the job's time is up: RQ fails it (and retries it) as a whole
        except Exception as exc:
            db.session.rollback()
            if len(chunk) == 1:
                raise
            current_app.logger.warning("validation of %s failed (%r); doing them one at a time", chunk, exc)
            for application_id in chunk:
                try:
                    results.update(_validate_in_one_transaction([application_id], register, entry_progress))
                except BaseTimeoutException:
                    raise
                except Exception as single:
                    db.session.rollback()
                    failures.append((application_id, single))
        if len(application_ids) > 1:
            _report(job, applications=first + len(chunk), of=len(application_ids))
    if failures:
        raise ValidationFailures(failures)
    _report(job, applications=len(application_ids), of=len(application_ids))
    return results


def _validate_in_one_transaction(application_ids: list[int], register, progress) -> dict[int, str | None]:
    results = dict.fromkeys(application_ids)
    try:
        results.update(validate_many(lock_validating(application_ids), register, progress))
    except Conflict:  # moved by someone else while the checks ran: leave them as they are now
        db.session.rollback()
        return results
    db.session.commit()
    return results


class ValidationFailures(Exception):
    """Some applications of a job could not be validated; the rest were."""

    def __init__(self, failures: list[tuple[int, Exception]]):
        super().__init__("; ".join(f"application {i}: {type(e).__name__}: {e}" for i, e in failures))
        self.application_ids = [i for i, _ in failures]


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
