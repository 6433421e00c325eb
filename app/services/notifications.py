"""Tell a user something: in the portal always, and by email through the mail queue (services.mail)."""
from flask import current_app
from sqlalchemy import func, insert, select

from app.choices import Role, State
from app.extensions import db
from app.models import Application, Notification, User
from app.models.types import utcnow
from app.queues import SEND_EMAILS
from app.services import job_outbox
from app.services.id_lists import among
from app.services.mail import build_message, send_all

EMAILS_PER_JOB = 500
NOTIFICATIONS_SHOWN = 100  # on the notifications page; older ones stay in the database


def notify(user: User, subject: str, body: str, link: str | None = None) -> Notification:
    """Store the notification now; the mail queue emails it once the transaction commits."""
    notification = Notification(user_id=user.id, subject=subject, body=body, link=link)
    db.session.add(notification)
    db.session.flush()  # its id, for the mail job
    queue_emails([notification.id])
    return notification


def notify_staff(subject: str, body: str, link: str | None = None) -> list[int]:
    """The same notification to every active reviewer and admin, in one insert; emailed after the commit."""
    staff = db.session.scalars(select(User.id).where(User.role.in_(Role.STAFF), User.active.is_(True))
                               .order_by(User.id)).all()
    if not staff:
        return []
    now = utcnow()
    ids = list(db.session.scalars(insert(Notification).returning(Notification.id), [
        {"user_id": user_id, "subject": subject, "body": body, "link": link, "created_at": now} for user_id in staff]))
    queue_emails(ids)
    return ids


def queue_emails(notification_ids: list[int]) -> None:
    """Once this transaction commits, the mail queue's job emails these notifications, retried with a growing
    pause (MAIL_RETRY_INTERVALS) while the SMTP server refuses or is away; nothing waits for it."""
    if not notification_ids:
        return
    ids = list(notification_ids)
    for first in range(0, len(ids), EMAILS_PER_JOB):
        job_outbox.enqueue(SEND_EMAILS, ids[first:first + EMAILS_PER_JOB],
                           retry=current_app.config["MAIL_RETRY_INTERVALS"] or None,
                           failure_ttl=30 * 24 * 3600)  # given up: kept a month for an admin to send again


# What the applicant is told when their application reaches a state.
STATE_MESSAGES = {
    State.READY: ("passed the automatic checks",
                  "Application {id} passed the automatic checks and is waiting for a reviewer."),
    State.FLAGGED: ("has findings to look at",
                    "The automatic checks found problems in application {id}. Open it to see each one and what "
                    "to do; a reviewer will also look at it."),
    State.VALIDATION_FAILED: ("could not be checked yet",
                              "We could not run the automatic checks on application {id}. Nothing is lost; an "
                              "administrator will retry them."),
    State.NEEDS_INFO: ("needs more information",
                       "A reviewer asked for more information on application {id}: {message}"),
    State.APPROVED: ("is approved", "Application {id} is approved. ISPs pick it up with the next whitelist."),
    State.REJECTED: ("was rejected", "Application {id} was rejected: {message}"),
    State.REVOKED: ("was revoked", "The approval of application {id} was revoked: {message}"),
    State.EXPIRED: ("has expired", "Application {id} has expired. Renew it from its page to stay whitelisted."),
}
# A suspension is told by review.suspensions itself, in the ISP's words. What a state means when reached from a
# particular one (previous, new) instead of the usual way:
TRANSITION_MESSAGES = {
    (State.SUSPENDED, State.APPROVED): (
        "is approved again",
        "A reviewer reinstated the approval of application {id}: {message} ISPs let its addresses through again "
        "from the whitelist published now."),
}


def notify_state(application: Application, previous: str | None = None) -> None:
    """Tell the applicant their application reached its state (`previous`: the state it left)."""
    subject, body = TRANSITION_MESSAGES.get((previous, application.state)) or STATE_MESSAGES.get(
        application.state, (None, None))
    if subject is None:
        return
    notify(application.applicant, f"Application {application.id} {subject}",
           body.format(id=application.id, message=application.reviewer_message or ""),
           link=f"/applications/{application.id}")


def notify_state_many(applications: list[Application]) -> list[int]:
    """notify_state() for thousands at once (a batch approval, an expiry run).

    The notifications go in with one insert; their emails go by the mail queue once the transaction commits,
    since sending thousands inside the reviewer's request would hold it for minutes over SMTP.
    """
    now = utcnow()
    rows = []
    for application in applications:
        if application.state in STATE_MESSAGES:
            subject, body = STATE_MESSAGES[application.state]
            rows.append({"user_id": application.applicant_id, "subject": f"Application {application.id} {subject}",
                         "body": body.format(id=application.id, message=application.reviewer_message or ""),
                         "link": f"/applications/{application.id}", "created_at": now})
    if not rows:
        return []
    ids = list(db.session.scalars(insert(Notification).returning(Notification.id), rows))
    queue_emails(ids)
    return ids


def send_emails(notification_ids: list[int], on_sent=lambda notification_id: None) -> int:
    """Email the given notifications over one connection (the mail queue's job); on_sent(id) after each.
    Raises on a temporary failure, for the job to be retried; returns how many were read."""
    config = dict(current_app.config)
    rows = db.session.execute(
        select(Notification.id, Notification.subject, Notification.body, Notification.link, User.email)
        .join(User, User.id == Notification.user_id).where(among(Notification.id, notification_ids))
        .order_by(Notification.id)).all()
    send_all(config, ((row.id, build_message(config, row.email, row.subject, row.body, row.link)) for row in rows),
             on_sent)
    return len(rows)


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None)))


def recent_for(user: User) -> list[Notification]:
    """The user's newest notifications (NOTIFICATIONS_SHOWN), newest first."""
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.created_at.desc()).limit(NOTIFICATIONS_SHOWN)).all()


def mark_read(notifications: list[Notification]) -> None:
    """The user has seen these; the caller commits."""
    now = utcnow()
    for notification in notifications:
        notification.read_at = notification.read_at or now
