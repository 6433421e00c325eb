"""Email for notifications: built and sent only by the mail queue's job, never inside the transaction
that stores the notification (a slow or refusing SMTP server must not slow or fail a validation).

Through SMTP_URL when set (one connection per job); otherwise each message becomes
instance/mail/<time>-<n>.eml to read locally.
"""
import logging
import secrets
import smtplib
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from app.i18n import _
from app.models.types import utcnow

log = logging.getLogger(__name__)


def build_message(config: dict, to: str, subject: str, body: str, link: str | None) -> EmailMessage:
    """The email of a notification; its own few words in the current language (the caller forces the
    recipient's: notifications.send_emails)."""
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = _("Raasta: %(subject)s", subject=subject)
    text = body + ("\n\n" + _("Open it in Raasta: %(url)s", url=f"{config['PUBLIC_URL']}{link}") if link else "")
    message.set_content(text + "\n\n" + _("— Raasta, IP and VPN whitelisting") + "\n")
    return message


class MailFolder:
    """Development: messages as .eml files under instance/mail."""

    def __init__(self, config: dict):
        self.folder = Path(config["INSTANCE_DIR"]) / "mail"

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        pass

    def send(self, message: EmailMessage) -> None:
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        (self.folder / f"{stamp}-{secrets.token_hex(3)}.eml").write_bytes(bytes(message))


class SmtpConnection:
    """One SMTP session for a whole job's messages (STARTTLS unless the scheme is smtp+insecure)."""

    def __init__(self, smtp_url: str):
        self.url = urlsplit(smtp_url)
        self.smtp = None

    def __enter__(self):
        self.smtp = smtplib.SMTP(self.url.hostname, self.url.port or 587, timeout=30)
        if self.url.scheme != "smtp+insecure":
            self.smtp.starttls()
        if self.url.username:
            self.smtp.login(unquote(self.url.username), unquote(self.url.password or ""))
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()

    def send(self, message: EmailMessage) -> None:
        self.smtp.send_message(message)


def transport(config: dict):
    return SmtpConnection(config["SMTP_URL"]) if config.get("SMTP_URL") else MailFolder(config)


def permanently_refused(error: Exception) -> bool:
    """The server refused this one message for good (a 5xx for its recipient or content): retrying will not
    help, and it must not hold back the others. A 4xx or a lost connection is worth retrying."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, (smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) and error.smtp_code >= 500


def send_all(config: dict, messages, on_sent) -> None:
    """Send (key, message) pairs over one transport; on_sent(key) after each one the server took (or
    refused for good, which is logged). A temporary failure raises, for the job to be retried."""
    with transport(config) as outbox:
        for key, message in messages:
            try:
                outbox.send(message)
            except smtplib.SMTPException as error:
                if not permanently_refused(error):
                    raise
                log.warning("mail for notification %s refused for good: %s", key, error)
            on_sent(key)
