"""RQ jobs for validation: one application, a batch of them, and the sweeper for lost jobs."""
from datetime import datetime, timedelta, timezone

from flask import current_app
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.timeouts import BaseTimeoutException

from app.choices import State
from app.extensions import db, queues
from app.models import Application
from app.services import Conflict, job_outbox
from app.services.national_register import worker_register
from app.services.validation import retries
from app.services.validation.batch import lock_validating, validate_many
from app.services.validation.queue import enqueue_batch
from app.transactions import committed

SUB_BATCH = 25  # applications per transaction: one locking read, bulk writes, a short hold on the audit head


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
        except Exception as exc:  # rolled back: each one alone now
            if len(chunk) == 1:
                raise
            current_app.logger.warning("validation of %s failed (%r); doing them one at a time", chunk, exc)
            for application_id in chunk:
                try:
                    results.update(_validate_in_one_transaction([application_id], register, entry_progress))
                except BaseTimeoutException:
                    raise
                except Exception as single:
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
        with committed():
            results.update(validate_many(lock_validating(application_ids), register, progress))
    except Conflict:  # moved by someone else while the checks ran: rolled back, left as they are now
        pass
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
    db.session.rollback()  # whatever the failed job left open
    ids = job.args[0] if isinstance(job.args[0], list) else [job.args[0]]
    with committed():
        retries.mark_failed(ids, f"{exc_type.__name__}: {exc_value}")


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
    job_outbox.send()  # first the jobs whose sending failed (Redis was away): they are not lost, only late
    stuck_after = timedelta(seconds=current_app.config["VALIDATION_STUCK_AFTER"])
    with committed():
        stuck = retries.stuck_applications(stuck_after)
        live = _live_jobs({job_id for _, job_id in stuck if job_id})
        lost = [application_id for application_id, job_id in stuck if job_id not in live]
        if lost:
            retries.record_sweep(lost)
            enqueue_batch(lost)
    return lost


def validation_progress(application: Application) -> dict | None:
    """The running job's progress (job.meta), for the live page; None when no job reports any."""
    if application.state != State.VALIDATING or not application.validation_job_id:
        return None
    try:
        return Job.fetch(application.validation_job_id, connection=queues.connection).meta.get("progress")
    except NoSuchJobError:
        return None
