"""RQ job of the mail queue: email notifications once they are committed (services.notifications.queue_emails)."""
from rq import get_current_job

from app.services.notifications import send_emails as _send


def send_emails(notification_ids: list[int]) -> int:
    """Email each notification; reading only, so nothing to commit. A retry (RQ's, after the SMTP server
    refused or was away) skips the ones an earlier try sent: they are kept in the job's meta."""
    job = get_current_job()
    sent = set(job.meta.get("sent", ())) if job is not None else set()
    try:
        return _send([i for i in notification_ids if i not in sent], sent.add)
    finally:
        if job is not None and sent:
            job.meta["sent"] = sorted(sent)
            job.save_meta()
