"""Tell a user something: in the portal always, and by email (SMTP, or .eml files in development)."""
import secrets
import smtplib
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import func, select

from app.after_commit import call_after_commit
from app.extensions import db
from app.choices import State
from app.models import Application, Notification, User
from app.models.types import utcnow


def notify(user: User, subject: str, body: str, link: str | None = None) -> Notification:
    """Store the notification now; send the email only once the transaction commits."""
    notification = Notification(user_id=user.id, subject=subject, body=body, link=link)
    db.session.add(notification)
    message = _email(user.email, subject, body, link)
    config = dict(current_app.config)
    call_after_commit(lambda: deliver(message, config))
    return notification


def _email(to: str, subject: str, body: str, link: str | None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = f"Raasta: {subject}"
    text = body + (f"\n\nOpen it in Raasta: {current_app.config['PUBLIC_URL']}{link}" if link else "")
    message.set_content(text + "\n\n— Raasta, IP and VPN whitelisting\n")
    return message


def deliver(message: EmailMessage, config: dict) -> None:
    """Send through SMTP_URL when set; otherwise write instance/mail/<time>-<n>.eml to read locally."""
    smtp_url = config.get("SMTP_URL")
    if not smtp_url:
        folder = Path(config["INSTANCE_DIR"]) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        (folder / f"{stamp}-{secrets.token_hex(3)}.eml").write_bytes(bytes(message))
        return
    url = urlsplit(smtp_url)
    with smtplib.SMTP(url.hostname, url.port or 587, timeout=30) as smtp:
        if url.scheme != "smtp+insecure":
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(message)


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


def notify_state(application: Application) -> None:
    if application.state not in STATE_MESSAGES:
        return
    subject, body = STATE_MESSAGES[application.state]
    notify(application.applicant, f"Application {application.id} {subject}",
           body.format(id=application.id, message=application.reviewer_message or ""),
           link=f"/applications/{application.id}")


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None)))
