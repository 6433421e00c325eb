"""RQ jobs of the sms queue: the SMS of a code that proves a mobile number (services.subscriptions.code_sms)."""
import logging

from flask import current_app
from rq import get_current_job
from rq.job import Job

from app.extensions import db
from app.services.sms import SmsRefused, send_sms
from app.services.subscriptions import code_sms as service
from app.transactions import committed

log = logging.getLogger(__name__)


def send_code(code_id: int) -> None:
    """One try; no transaction is held while the gateway answers (up to SMS_TIMEOUT seconds). A gateway that
    does not answer 2xx raises SmsNotSent, and RQ tries again (SMS_RETRY_INTERVALS). Sent once: a retry after
    the gateway took the message (its record then failed) finds that in the job's meta and sends nothing."""
    job = get_current_job()
    if job is not None and job.meta.get("sent"):
        with committed():
            service.record_sent(code_id)
        return
    with committed():  # ends the transaction before the network wait; may drop a seal no longer worth sending
        outgoing = service.outgoing_sms(code_id)
    if outgoing is None:
        return
    number, text = outgoing
    try:
        send_sms(dict(current_app.config), number, text, reference=f"raasta-sms-{code_id}")
    except SmsRefused as exc:
        log.warning("SMS code %s not sent: %s", code_id, exc)
        with committed():
            service.record_not_sent(code_id)
        return
    if job is not None:
        job.meta["sent"] = True
        job.save_meta()
    with committed():
        service.record_sent(code_id)


def on_failure(job: Job, connection, exc_type, exc_value, traceback) -> None:
    """RQ calls this on every failure; after the last retry the code is left unsent and its page says so."""
    if job.retries_left:
        return
    db.session.rollback()  # whatever the failed try left open
    with committed():
        service.record_not_sent(job.args[0])
