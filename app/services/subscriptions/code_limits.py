"""How often an SMS code may be sent: at most one a minute and five an hour to one number (whichever accounts ask),
and the same for one account (whichever numbers it asks for), so that nobody floods a stranger's phone, nor
spends the gateway's credit, from one account or from many.

Counted from the codes themselves (sms_codes), so every web host and worker agrees and nothing else is kept;
a request holds `lock_code_requests()` while it counts and adds its code, so two at once cannot both pass.
"""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, text

from app.extensions import db
from app.i18n import _, ngettext
from app.models import SmsCode
from app.services.locks import take_sqlite_write_lock
from app.services.pakistani_numbers import mobile_national

# (window, most codes in it), for a number and for an account alike.
LIMITS = ((timedelta(minutes=1), 1), (timedelta(hours=1), 5))
_LONGEST = max(window for window, _ in LIMITS)
_CODE_REQUESTS_KEY = 0x5241_534D  # "RASM": code requests, one at a time (PostgreSQL advisory lock)


@dataclass(frozen=True)
class Wait:
    """A limit holding the next code back: until when, and why, in words that name the number."""

    until: datetime
    seconds: int   # from now, rounded up: the Retry-After
    reason: str


def lock_code_requests() -> None:
    """Serialise code requests until the transaction ends: each counts the codes the one before it added."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CODE_REQUESTS_KEY})
    else:
        take_sqlite_write_lock()


def next_code_wait(number: str, user_id: int, now: datetime) -> Wait | None:
    """What holds back a code to `number` asked by account `user_id` now: the limit that lets it go last, or None."""
    recent = db.session.execute(select(SmsCode.number, SmsCode.user_id, SmsCode.created_at).where(
        SmsCode.created_at > now - _LONGEST, or_(SmsCode.number == number, SmsCode.user_id == user_id))).all()
    waits = []
    for about_number in (True, False):
        times = sorted((r.created_at for r in recent if (r.number == number if about_number else r.user_id == user_id)),
                       reverse=True)
        for window, most in LIMITS:
            within = [t for t in times if t > now - window]
            if len(within) >= most:
                until = within[most - 1] + window  # when the oldest code that counts leaves the window
                waits.append((until, about_number, window, most))
    if not waits:
        return None
    until, about_number, window, most = max(waits)
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return Wait(until, seconds, _reason(number, about_number, window, most, seconds))


def _reason(number: str, about_number: bool, window: timedelta, most: int, seconds: int) -> str:
    shown, wait = mobile_national(number), in_words(seconds)
    if window < timedelta(hours=1):
        if about_number:
            return _("A code was sent to %(number)s less than a minute ago: wait for its SMS, or ask for a new code "
                     "in %(wait)s. Nothing was sent.", number=shown, wait=wait)
        return _("Your account asked for a code less than a minute ago; ask for a new code in %(wait)s. "
                 "Nothing was sent.", wait=wait)
    if about_number:
        return ngettext("%(number)s has had %(num)s code in the last hour, as many as we send to one number; ask for "
                        "a new code in %(wait)s. Nothing was sent.",
                        "%(number)s has had %(num)s codes in the last hour, as many as we send to one number; ask "
                        "for a new code in %(wait)s. Nothing was sent.", most, number=shown, wait=wait)
    return ngettext("Your account has asked for %(num)s code in the last hour, as many as one account may; ask for a "
                    "new code in %(wait)s. Nothing was sent.",
                    "Your account has asked for %(num)s codes in the last hour, as many as one account may; ask for "
                    "a new code in %(wait)s. Nothing was sent.", most, wait=wait)


def in_words(seconds: int) -> str:
    """"45 seconds", "2 minutes": how long to wait, rounded up, in the current language."""
    if seconds < 120:
        return ngettext("%(num)s second", "%(num)s seconds", seconds)
    return ngettext("%(num)s minute", "%(num)s minutes", math.ceil(seconds / 60))
