"""RQ jobs for webhook notices: one try per run, retried by RQ with backoff, then marked failed."""
from rq.job import Job

from app.extensions import db
from app.services.publication import webhooks as service
from app.transactions import committed


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx (or could not be reached); raised so RQ retries the job."""


def deliver_notice(delivery_id: int) -> None:
    """One try; no transaction is held while the receiver answers (up to WEBHOOK_TIMEOUT seconds)."""
    with committed():  # reads only: ends the transaction before the network wait
        notice = service.pending_notice(delivery_id)
    if notice is None:  # delivered or given up already
        return
    status, error = service.post_notice(*notice)
    with committed():  # the try is recorded whether or not it worked
        error = service.record_try(delivery_id, notice[0], status, error)
    if error:
        raise DeliveryFailed(error)


def on_failure(job: Job, connection, exc_type, exc_value, traceback) -> None:
    """RQ calls this on every failure; after the last retry the delivery is given up."""
    if job.retries_left:
        return
    db.session.rollback()  # whatever the failed try left open
    with committed():  # a DeliveryFailed's reason is already on the row; anything else (a timeout) is recorded here
        service.mark_failed(job.args[0], None if exc_type is DeliveryFailed else f"{exc_type.__name__}: {exc_value}")
