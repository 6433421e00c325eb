"""Jobs recorded with the change that needs them, sent to Redis once that change commits.

A job sent only after the commit is still lost when Redis is frozen or away at that moment: the
application stood `validating` with no job. So a job is first a row of `job_outbox`, written in the
same transaction as the state change. Once it commits, the rows are sent to their RQ queues and
deleted; if Redis is away, the request still succeeds and the rows wait for the sweeper
(`jobs.periodic`, every minute), so nothing is stuck once Redis is back.

A job is named by a JobRef from app.queues (its dotted path, which RQ imports, and its queue), so
services decide *that* work is queued without importing the jobs, which import the services. A job may
be sent twice (Redis took it, then the delete failed); every job is idempotent.
"""
from datetime import timedelta

from flask import current_app
from rq import Callback, Retry
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from app.after_commit import call_after_commit
from app.extensions import db, queues
from app.models import OutboxJob
from app.models.types import utcnow
from app.queues import JobRef

_KEY = "raasta.job_outbox"
SWEEP_AFTER_SECONDS = 30  # rows older than this were not sent after their commit (Redis away): the sweeper sends them


def enqueue(job: JobRef, *args, job_id: str | None = None, retry: list[int] | None = None,
            on_failure: JobRef | None = None, timeout: int | None = None, failure_ttl: int | None = None) -> None:
    """Queue `job(*args)` on its queue once the current transaction commits; with it, or not at all.

    `retry`: the pauses (seconds) between tries; `on_failure`: the callback RQ calls on each failure.
    """
    if not isinstance(job, JobRef) or job.queue is None or not (on_failure is None or isinstance(on_failure, JobRef)):
        raise TypeError(f"queue jobs by a JobRef from app.queues, not {job!r}")  # a typed string would fail in RQ
    options = {"retry": retry, "on_failure": on_failure and on_failure.path, "timeout": timeout,
               "failure_ttl": failure_ttl}
    row = OutboxJob(queue=job.queue, function=job.path, args=list(args), job_id=job_id,
                    options={k: v for k, v in options.items() if v is not None})
    db.session.add(row)
    db.session.flush()
    written = db.session.info.get(_KEY)
    if written is None:
        written = db.session.info[_KEY] = []
        call_after_commit(lambda: _send_after_commit(db.session, written))
    written.append(row.id)


def _send_after_commit(session: Session, ids: list[int]) -> None:
    session.info.pop(_KEY, None)
    try:
        send(ids)
    except Exception as exc:  # Redis away or frozen: the change stands, the sweeper sends these later
        current_app.logger.warning("jobs %s wait in the outbox: %r", ids, exc)


@event.listens_for(Session, "after_transaction_end")
def _forget_rolled_back(session: Session, transaction) -> None:
    if transaction.parent is None:  # committed (sent already), rolled back or closed: the next registers its own
        session.info.pop(_KEY, None)


def send(ids: list[int] | None = None) -> int:
    """Send outbox rows to Redis: those of `ids`, or every row older than SWEEP_AFTER_SECONDS. Returns how many.

    The rows are claimed by one DELETE … RETURNING in a transaction of its own (after a request's commit the
    session may not emit SQL), and that transaction commits only once Redis took every job: a failure puts
    them all back. One statement claims them, so two senders never send the same row: on PostgreSQL rows
    another process is claiming are skipped, on SQLite writers take turns (the busy timeout).
    """
    table = OutboxJob.__table__
    claimed = select(table.c.id).with_for_update(skip_locked=True)
    if ids is not None:
        claimed = claimed.where(table.c.id.in_(ids))
    else:
        claimed = claimed.where(table.c.created_at < utcnow() - timedelta(seconds=SWEEP_AFTER_SECONDS))
    with db.engine.begin() as connection:
        rows = connection.execute(delete(table).where(table.c.id.in_(claimed.scalar_subquery()))
                                  .returning(*table.c)).all()
        for row in sorted(rows, key=lambda row: row.id):
            queues.queue(row.queue).enqueue(row.function, *row.args, job_id=row.job_id, **_rq_options(row.options))
    return len(rows)


def waiting_by_queue() -> dict[str, int]:
    """How many jobs of each queue wait in the outbox, not yet sent (Admin → Queues shows it)."""
    return dict(db.session.execute(select(OutboxJob.queue, func.count()).group_by(OutboxJob.queue)).all())


def _rq_options(options: dict) -> dict:
    rq_options = {}
    if options.get("retry"):
        rq_options["retry"] = Retry(max=len(options["retry"]), interval=options["retry"])
    if options.get("on_failure"):
        rq_options["on_failure"] = Callback(options["on_failure"])
    if options.get("timeout"):
        rq_options["job_timeout"] = options["timeout"]
    if options.get("failure_ttl"):
        rq_options["failure_ttl"] = options["failure_ttl"]
    return rq_options
