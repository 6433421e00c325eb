"""Tell a user something: in the portal always, and by email through the mail queue (services.mail).

Each person reads it in their own language (`User.language`; None: English): callers pass the subject and body
as lazy text (`_l(...)`, a Phrase), rendered here in the recipient's language and stored as rendered, so the
portal shows it and the email sends it in the words it was written in.
"""
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, insert, select

from app.choices import PaymentState, Role, State
from app.extensions import db
from app.i18n import DEFAULT, Phrase
from app.models import Application, Notification, Payment, User
from app.models.types import utcnow
from app.queues import SEND_EMAILS
from app.services import job_outbox
from app.services.fees.receipts import receipt_filename, receipt_pdf
from app.services.id_lists import among
from app.services.mail import build_message, send_all

EMAILS_PER_JOB = 500
NOTIFICATIONS_SHOWN = 100  # on the notifications page; older ones stay in the database


def in_language(language: str | None, text) -> str:
    """`text` (a lazy string, a Phrase, or plain text) in `language` (None: English)."""
    with force_locale(language or DEFAULT):
        return str(text)


def notify(user: User, subject, body, link: str | None = None, attachment: str | None = None) -> Notification:
    """Store the notification now, in the user's language; the mail queue emails it once the transaction
    commits. `attachment` names a file the email carries (attachments_of)."""
    subject, body = in_language(user.language, subject), in_language(user.language, body)
    notification = Notification(user_id=user.id, subject=subject, body=body, link=link, attachment=attachment)
    db.session.add(notification)
    db.session.flush()  # its id, for the mail job
    queue_emails([notification.id])
    return notification


def notify_staff(subject, body, link: str | None = None) -> list[int]:
    """The same notification to every active reviewer and admin, each in their language (rendered once per
    language), in one insert; emailed after the commit."""
    staff = db.session.execute(select(User.id, User.language).where(User.role.in_(Role.STAFF), User.active.is_(True))
                               .order_by(User.id)).all()
    if not staff:
        return []
    now = utcnow()
    words = {language: (in_language(language, subject), in_language(language, body))
             for language in dict.fromkeys(language or DEFAULT for _, language in staff)}
    ids = list(db.session.scalars(insert(Notification).returning(Notification.id), [
        {"user_id": user_id, "subject": words[language or DEFAULT][0], "body": words[language or DEFAULT][1],
         "link": link, "created_at": now} for user_id, language in staff]))
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


# What the applicant is told when their application reaches a state: (subject, body), each a whole sentence
# with %(id)s (the application) and %(message)s (the reviewer's message), put in the applicant's language.
STATE_MESSAGES = {
    State.READY: (Phrase("Application %(id)s passed the automatic checks"),
                  Phrase("Application %(id)s passed the automatic checks and is waiting for a reviewer.")),
    State.FLAGGED: (Phrase("Application %(id)s has findings to look at"),
                    Phrase("The automatic checks found problems in application %(id)s. Open it to see each one and "
                           "what to do; a reviewer will also look at it.")),
    State.VALIDATION_FAILED: (Phrase("Application %(id)s could not be checked yet"),
                              Phrase("We could not run the automatic checks on application %(id)s. Nothing is lost; "
                                     "an administrator will retry them.")),
    State.NEEDS_INFO: (Phrase("Application %(id)s needs more information"),
                       Phrase("A reviewer asked for more information on application %(id)s: %(message)s")),
    State.APPROVED: (Phrase("Application %(id)s is approved"),
                     Phrase("Application %(id)s is approved. ISPs pick it up with the next whitelist.")),
    State.REJECTED: (Phrase("Application %(id)s was rejected"),
                     Phrase("Application %(id)s was rejected: %(message)s")),
    State.REVOKED: (Phrase("Application %(id)s was revoked"),
                    Phrase("The approval of application %(id)s was revoked: %(message)s")),
    State.EXPIRED: (Phrase("Application %(id)s has expired"),
                    Phrase("Application %(id)s has expired. Renew it from its page to stay whitelisted.")),
}
# A suspension is told by review.suspensions itself, in the ISP's words. What a state means when reached from a
# particular one (previous, new) instead of the usual way:
TRANSITION_MESSAGES = {
    (State.SUSPENDED, State.APPROVED): (
        Phrase("Application %(id)s is approved again"),
        Phrase("A reviewer reinstated the approval of application %(id)s: %(message)s ISPs let its addresses "
               "through again from the whitelist published now.")),
}


def _state_words(messages: tuple[Phrase, Phrase], application: Application, language: str | None) -> tuple[str, str]:
    """(subject, body) of a state's message about `application`, in `language`."""
    params = {"id": application.id, "message": application.reviewer_message or ""}
    subject, body = messages
    return (in_language(language, Phrase(subject.msgid, **params)),
            in_language(language, Phrase(body.msgid, **params)))


def notify_state(application: Application, previous: str | None = None) -> None:
    """Tell the applicant their application reached its state (`previous`: the state it left), in their language."""
    messages = TRANSITION_MESSAGES.get((previous, application.state)) or STATE_MESSAGES.get(application.state)
    if messages is None:
        return
    subject, body = _state_words(messages, application, application.applicant.language)
    notify(application.applicant, subject, body, link=f"/applications/{application.id}")


def notify_state_many(applications: list[Application]) -> list[int]:
    """notify_state() for thousands at once (a batch approval, an expiry run), each in its applicant's language
    (read for all of them in one query).

    The notifications go in with one insert; their emails go by the mail queue once the transaction commits,
    since sending thousands inside the reviewer's request would hold it for minutes over SMTP.
    """
    told = [a for a in applications if a.state in STATE_MESSAGES]
    if not told:
        return []
    languages = dict(db.session.execute(select(User.id, User.language).where(
        among(User.id, sorted({a.applicant_id for a in told})))).all())
    now = utcnow()
    rows = []
    for application in told:
        subject, body = _state_words(STATE_MESSAGES[application.state], application,
                                     languages.get(application.applicant_id))
        rows.append({"user_id": application.applicant_id, "subject": subject, "body": body,
                     "link": f"/applications/{application.id}", "created_at": now})
    ids = list(db.session.scalars(insert(Notification).returning(Notification.id), rows))
    queue_emails(ids)
    return ids


def send_emails(notification_ids: list[int], on_sent=lambda notification_id: None) -> int:
    """Email the given notifications over one connection (the mail queue's job); on_sent(id) after each.
    Raises on a temporary failure, for the job to be retried; returns how many were read."""
    config = dict(current_app.config)
    rows = db.session.execute(
        select(Notification.id, Notification.subject, Notification.body, Notification.link, Notification.attachment,
               User.email, User.language)
        .join(User, User.id == Notification.user_id).where(among(Notification.id, notification_ids))
        .order_by(Notification.id)).all()
    send_all(config, ((row.id, _email(config, row)) for row in rows), on_sent)
    return len(rows)


def _email(config: dict, row):
    """The email of a notification, its few words around the stored text in the recipient's language."""
    with force_locale(row.language or DEFAULT):
        message = build_message(config, row.email, row.subject, row.body, row.link)
    for filename, content_type, content in attachments_of(row.attachment):
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def attachments_of(name: str | None) -> list[tuple[str, str, bytes]]:
    """The files an email carries, as (filename, content type, bytes), made from the name its notification keeps:
    "receipt:<payment id>" is that payment's receipt (services.fees.receipts), made when the email is built."""
    kind, _sep, key = (name or "").partition(":")
    if kind != "receipt" or not key.isdigit():
        return []
    payment = db.session.get(Payment, int(key))
    if payment is None or payment.state != PaymentState.PAID:
        return []
    return [(receipt_filename(payment), "application/pdf", receipt_pdf(payment))]


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
