"""Access to Redis and the RQ queues, bound to the app's REDIS_URL, and the jobs that run on them.

Services queue work (through services.job_outbox) without importing app.jobs, which imports the
services: each job is a JobRef declared here, next to the queue it runs on, and imported by name
wherever it is queued. tests/test_jobs_by_reference.py checks that each one names a function in app.jobs.
"""
from dataclasses import dataclass

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Worker

VALIDATION = "validation"
DEFAULT = "default"
MAIL = "mail"  # notification emails: retried apart from the work that stored them
SMS = "sms"    # codes that prove a mobile number: someone is waiting at the page for each one
# The order a worker listens in. SMS first: a code lives 10 minutes and the applicant types it as it arrives,
# so it must not wait behind a bulk validation run (minutes on 2 CPUs); each is one short POST (SMS_TIMEOUT)
# and the codes' rate limits keep them few. Then validation; mail last, so a bulk run's emails wait for its end.
ALL_QUEUES = (SMS, VALIDATION, DEFAULT, MAIL)


@dataclass(frozen=True)
class JobRef:
    """A job function by the dotted path RQ imports it by, and the queue it runs on (None: a callback)."""

    path: str
    queue: str | None = DEFAULT


VALIDATE_APPLICATION = JobRef("app.jobs.validation.validate_application", VALIDATION)
VALIDATE_APPLICATIONS = JobRef("app.jobs.validation.validate_applications", VALIDATION)
VALIDATION_FAILED = JobRef("app.jobs.validation.on_failure", None)  # after the last retry: validation_failed
REVALIDATE_TOUCHING = JobRef("app.jobs.approvals.revalidate_touching")
DELIVER_WEBHOOK = JobRef("app.jobs.webhooks.deliver_notice")
WEBHOOK_FAILED = JobRef("app.jobs.webhooks.on_failure", None)  # after the last retry: the delivery is given up
SEND_EMAILS = JobRef("app.jobs.notifications.send_emails", MAIL)
SEND_INVITATIONS = JobRef("app.jobs.sponsors.send_invitations", MAIL)  # a sponsor's members: email, and SMS
SEND_CODE_SMS = JobRef("app.jobs.sms.send_code", SMS)
CODE_SMS_FAILED = JobRef("app.jobs.sms.on_failure", None)  # after the last retry: the code is left unsent


# A request that needs Redis waits this long at most, then fails with a clear error (a frozen Redis once
# held requests for 30 s each). The worker's own connection has no read timeout: it blocks on BLPOP.
REQUEST_TIMEOUT = 2


class QueueAccess:
    """One Redis connection per app; queues are cheap views on it."""

    def init_app(self, app: Flask) -> None:
        app.extensions["raasta.redis"] = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=REQUEST_TIMEOUT, socket_timeout=REQUEST_TIMEOUT
        )

    @property
    def connection(self) -> Redis:
        return current_app.extensions["raasta.redis"]

    def queue(self, name: str = DEFAULT) -> Queue:
        return Queue(name, connection=self.connection)

    def worker_registered(self, name: str | None) -> bool:
        """Whether RQ still has the worker: its key expires WORKER_TTL s after its last heartbeat, so a
        killed worker's "started" jobs are lost from then on."""
        return bool(name) and bool(self.connection.exists(Worker.redis_worker_namespace_prefix + name))
