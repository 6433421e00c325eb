"""RQ job of the mail queue: a sponsor's invitations, by email and (where a mobile number is given) by SMS."""
import logging

from flask import current_app
from rq import get_current_job

from app.services.mail import send_all
from app.services.sms import SmsRefused, send_sms
from app.services.sponsors.invitation_messages import outgoing, sms_text

log = logging.getLogger(__name__)


def send_invitations(invitation_ids: list[int]) -> int:
    """Email (and text) each invitation; reading only. A retry skips those an earlier try sent (the job's meta)."""
    job = get_current_job()
    sent = set(job.meta.get("sent", ())) if job is not None else set()
    config = dict(current_app.config)
    waiting = [row for row in outgoing(invitation_ids) if row[0] not in sent]
    try:
        send_all(config, ((i, message) for i, _link, _mobile, message in waiting), sent.add)
        for invitation_id, link, mobile, _message in waiting:
            if mobile and f"sms-{invitation_id}" not in sent:
                try:
                    send_sms(config, mobile, sms_text(link), reference=f"raasta-invitation-{invitation_id}")
                except SmsRefused as exc:
                    log.warning("invitation %s: SMS refused: %s", invitation_id, exc)
                sent.add(f"sms-{invitation_id}")
    finally:
        if job is not None and sent:
            job.meta["sent"] = sorted(sent, key=str)
            job.save_meta()
    return len(waiting)
