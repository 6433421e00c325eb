"""The SMS that carries a code, as the sms queue's job sends it (app.jobs.sms): the text, and the row's record of it.

The job gets only the code's row id. It reads the sealed code (code_secrets.seal), builds the text in memory,
hands it to services.sms and then drops the seal, so once sent the code exists nowhere but in its HMAC and on
the applicant's phone. A code no longer worth sending (used, void, expired, its number taken off the application)
is never sent, and its seal is dropped too.
"""
import logging

from flask_babel import force_locale
from sqlalchemy import select, update

from app.extensions import db
from app.i18n import DEFAULT, ngettext
from app.models import SmsCode, User
from app.models.types import utcnow
from app.services.subscriptions.code_secrets import unseal
from app.services.subscriptions.sms_codes import CODE_LIFE

log = logging.getLogger(__name__)


def code_message(code: str, language: str | None = None) -> str:
    """The SMS, in `language` (the code owner's; None: English): Raasta named, the code the only number of six
    digits in it, how long it works, what to do if unasked."""
    with force_locale(language or DEFAULT):
        return ngettext("Raasta code: %(code)s. Type it on Raasta to prove this mobile number is yours; it works for "
                        "%(num)s minute. If you did not ask for this, ignore it.",
                        "Raasta code: %(code)s. Type it on Raasta to prove this mobile number is yours; it works for "
                        "%(num)s minutes. If you did not ask for this, ignore it.",
                        int(CODE_LIFE.total_seconds() // 60), code=code)


def outgoing_sms(code_id: int) -> tuple[str, str] | None:
    """(number, text) of a code still to be sent; None when it was sent, or is no longer worth sending (its
    seal is then dropped). The caller commits, then sends outside the transaction."""
    row = db.session.get(SmsCode, code_id)
    if row is None or row.sealed_code is None:
        return None
    now = utcnow()
    if row.subscription_id is None or row.used_at or row.voided_at or row.expires_at <= now:
        row.sealed_code = None
        return None
    code = unseal(row.sealed_code, row.number)
    if code is None:  # sealed under another SECRET_KEY: this host's key differs, or it was changed since
        log.warning("SMS code %s cannot be unsealed with this SECRET_KEY; not sent", code_id)
        row.sealed_code, row.send_failed_at = None, now
        return None
    language = db.session.scalar(select(User.language).where(User.id == row.user_id))
    return row.number, code_message(code, language)


def record_sent(code_id: int) -> None:
    """The gateway took the SMS (or its file is written): the seal goes. The caller commits."""
    db.session.execute(update(SmsCode).where(SmsCode.id == code_id)
                       .values(sent_at=utcnow(), sealed_code=None).execution_options(synchronize_session=False))


def record_not_sent(code_id: int) -> None:
    """The gateway refused the SMS for good, or every retry failed: the seal goes and the page says so (the
    applicant asks for a new code). The caller commits."""
    db.session.execute(update(SmsCode).where(SmsCode.id == code_id, SmsCode.sent_at.is_(None))
                       .values(send_failed_at=utcnow(), sealed_code=None).execution_options(synchronize_session=False))
