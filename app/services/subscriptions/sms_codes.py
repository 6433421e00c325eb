"""Proof of a mobile number by SMS code: only the holder of a number may register it.

request_code() makes a 6-digit code for a mobile number on the applicant's own draft (or an application that
needs more information) and queues its SMS, which the sms queue's job sends once the transaction commits
(app.jobs.sms, with code_sms); verify_code() checks what the applicant typed. A code works for CODE_LIFE and for
MAX_WRONG_TRIES wrong tries; a new code voids the ones before it; the limits are in code_limits; the code's
secrets in code_secrets. Every step is audited on the application, with the number and never the code.
"""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app import audit
from app.choices import State, SubscriptionKind
from app.extensions import db
from app.i18n import _, ngettext
from app.models import Application, SmsCode, Subscription, User
from app.models.types import utcnow
from app.queues import CODE_SMS_FAILED, SEND_CODE_SMS
from app.services import Conflict, ServiceError, TooSoon, job_outbox
from app.services.pakistani_numbers import ascii_digits, mobile_national
from app.services.subscriptions.code_limits import lock_code_requests, next_code_wait
from app.services.subscriptions.code_secrets import (
    CODE_DIGITS,
    code_hash,
    code_matches,
    new_code,
    seal,
)

CODE_LIFE = timedelta(minutes=10)
MAX_WRONG_TRIES = 5
_SEPARATORS = re.compile(r"[\s\-.]+")


def subscription_on(application: Application, subscription_id: int) -> Subscription | None:
    """The application's subscription of that id; None for any other (the caller answers 404 either way)."""
    return next((s for s in application.subscriptions if s.id == subscription_id), None)


def request_code(subscription: Subscription, user: User) -> SmsCode:
    """Make a code for the subscription's number and queue its SMS; the caller commits, then the job sends it.

    Refused, sending nothing: a fixed-line account (422), an application past its draft (409), a number already
    proven (409), or one asked for too soon (TooSoon, 429 with the seconds to wait)."""
    lock_code_requests()
    details = {"subscription_id": subscription.id, "identifier": subscription.identifier}
    # As committed by whoever held the lock before: an edit may have taken the number off meanwhile.
    if db.session.get(Subscription, subscription.id, populate_existing=True) is None:
        raise Conflict(_("%(identifier)s was taken off the application meanwhile; nothing was sent.",
                         identifier=subscription.identifier), details=details)
    application = db.session.get(Application, subscription.application_id, populate_existing=True)
    shown = mobile_national(subscription.identifier) if subscription.kind == SubscriptionKind.MOBILE else None
    if shown is None:
        raise ServiceError(_("%(identifier)s is a broadband or fixed-line account: its ISP confirms it once you "
                             "submit, so no SMS code is needed. Nothing was sent.",
                             identifier=subscription.identifier), details=details)
    if application.state not in State.EDITABLE:
        raise Conflict(_("Application %(id)s is %(state)s; a number is proven while its application is a draft or "
                         "needs more information. Nothing was sent.", id=application.id,
                         state=State.LABELS[application.state].lower()),
                       details=details | {"state": application.state})
    if subscription.verified:
        raise Conflict(_("%(number)s is proven already; nothing was sent.", number=shown),
                       details=details | {"verified": True})
    now = utcnow()
    wait = next_code_wait(subscription.identifier, user.id, now)
    if wait:
        raise TooSoon(wait.reason, wait.seconds, details=details | {"retry_after": wait.seconds})
    replaced = db.session.scalars(update(SmsCode).where(_live(now), SmsCode.subscription_id == subscription.id)
                                  .values(voided_at=now, sealed_code=None).returning(SmsCode.id)).all()
    code = new_code()
    row = SmsCode(subscription_id=subscription.id, user_id=user.id, number=subscription.identifier,
                  code_hash=code_hash(subscription.id, code), sealed_code=seal(code, subscription.identifier),
                  created_at=now, expires_at=now + CODE_LIFE, attempts=0)
    db.session.add(row)
    db.session.flush()
    job_outbox.enqueue(SEND_CODE_SMS, row.id, job_id=f"sms-{row.id}",
                       retry=current_app.config["SMS_RETRY_INTERVALS"] or None, on_failure=CODE_SMS_FAILED,
                       timeout=current_app.config["SMS_TIMEOUT"] * 3, failure_ttl=7 * 24 * 3600)
    audit.record("subscription.code_requested", application, actor=user, subscription_id=subscription.id,
                 number=subscription.identifier, code_id=row.id, expires_at=row.expires_at, replaces=replaced)
    return row


def _live(now: datetime):
    """A code that may still be typed: not used, not void, not expired."""
    return (SmsCode.used_at.is_(None) & SmsCode.voided_at.is_(None) & (SmsCode.attempts < MAX_WRONG_TRIES)
            & (SmsCode.expires_at > now))


def latest_code(subscription_id: int) -> SmsCode | None:
    return db.session.scalars(select(SmsCode).where(SmsCode.subscription_id == subscription_id)
                              .order_by(SmsCode.id.desc()).limit(1)
                              .execution_options(populate_existing=True)).first()


def verify_code(subscription: Subscription, typed) -> ServiceError | None:
    """Check `typed` against the subscription's latest code: None when it proved the number, else the refusal.

    The refusal is returned, not raised: a wrong try counts (the fifth voids the code), so the caller commits
    first and then answers with it. The right code is taken by a compare-and-set, so of two verifications of
    one code exactly one succeeds; the other, like any replay, is refused."""
    shown = mobile_national(subscription.identifier) if subscription.kind == SubscriptionKind.MOBILE else None
    details = {"subscription_id": subscription.id, "identifier": subscription.identifier}
    if shown is None:
        return ServiceError(_("%(identifier)s is a broadband or fixed-line account: its ISP confirms it, so there is "
                              "no code to type.", identifier=subscription.identifier), details=details)
    digits = _SEPARATORS.sub("", ascii_digits(typed)) if isinstance(typed, str) else ""
    if not re.fullmatch(rf"\d{{{CODE_DIGITS}}}", digits):
        if isinstance(typed, str) and typed.strip():
            message = _("'%(typed)s' is not a code: type the %(digits)s digits of the SMS we sent to %(number)s.",
                        typed=" ".join(typed.split())[:20], digits=CODE_DIGITS, number=shown)
        else:
            message = _("Nothing is not a code: type the %(digits)s digits of the SMS we sent to %(number)s.",
                        digits=CODE_DIGITS, number=shown)
        return ServiceError(message, field="code", details=details)
    code = latest_code(subscription.id)
    now = utcnow()
    if refusal := _not_live(code, shown, now, details):
        return refusal
    if code_matches(code.code_hash, subscription.id, digits):
        return _take(code, subscription, shown, now, details)
    return _wrong_try(code, subscription, shown, now, details)


def _take(code: SmsCode, subscription: Subscription, shown: str, now: datetime, details: dict) -> ServiceError | None:
    won = db.session.execute(update(SmsCode).where(SmsCode.id == code.id, _live(now))
                             .values(used_at=now, sealed_code=None).execution_options(synchronize_session=False))
    if won.rowcount != 1:  # another verification of this code was first
        return _not_live(latest_code(subscription.id), shown, now, details) or _used(shown, details)
    proven = db.session.execute(update(Subscription).where(Subscription.id == subscription.id,
                                                           Subscription.verified_at.is_(None))
                                .values(verified_at=now).execution_options(synchronize_session=False))
    if proven.rowcount != 1:  # an edit took the number off the application meanwhile
        return Conflict(_("%(number)s was taken off the application meanwhile; add it again to prove it.",
                          number=shown), details=details)
    set_committed_value(subscription, "verified_at", now)
    audit.record("subscription.verified", subscription.application, subscription_id=subscription.id,
                 number=subscription.identifier, code_id=code.id)
    return None


def _wrong_try(code: SmsCode, subscription: Subscription, shown: str, now: datetime,
               details: dict) -> ServiceError:
    attempts = db.session.scalar(
        update(SmsCode).where(SmsCode.id == code.id, _live(now))
        .values(attempts=SmsCode.attempts + 1,
                voided_at=case((SmsCode.attempts + 1 >= MAX_WRONG_TRIES, now), else_=None))
        .returning(SmsCode.attempts).execution_options(synchronize_session=False))
    if attempts is None:  # it stopped working meanwhile (used, replaced or expired)
        return _not_live(latest_code(subscription.id), shown, now, details) or _used(shown, details)
    left = MAX_WRONG_TRIES - attempts
    application = subscription.application
    audit.record("subscription.code_wrong", application, subscription_id=subscription.id,
                 number=subscription.identifier, code_id=code.id, tries_left=left)
    details = details | {"tries_left": left}
    if left:
        return ServiceError(ngettext("That is not the code we sent to %(number)s: check the SMS and type it again "
                                     "(%(num)s try left).",
                                     "That is not the code we sent to %(number)s: check the SMS and type it again "
                                     "(%(num)s tries left).", left, number=shown), field="code", details=details)
    audit.record("subscription.code_voided", application, subscription_id=subscription.id,
                 number=subscription.identifier, code_id=code.id, reason="five wrong tries")
    return ServiceError(_("That is not the code we sent to %(number)s, and after five wrong tries it no longer "
                          "works: ask for a new code.", number=shown), field="code", details=details)


def _used(shown: str, details: dict) -> ServiceError:
    return ServiceError(_("That code has been used already: %(number)s is proven.", number=shown), field="code",
                        details=details | {"verified": True})


def _not_live(code: SmsCode | None, shown: str, now: datetime, details: dict) -> ServiceError | None:
    """Why the latest code can no longer be typed, or None while it can."""
    if code is None:
        return ServiceError(_("No code has been sent to %(number)s yet: ask for one first.", number=shown),
                            field="code", details=details)
    if code.used_at is not None:
        return _used(shown, details)
    if code.voided_at is not None or code.attempts >= MAX_WRONG_TRIES:
        if code.attempts >= MAX_WRONG_TRIES:
            message = _("The code sent to %(number)s no longer works after five wrong tries: ask for a new code.",
                        number=shown)
        else:
            message = _("The code sent to %(number)s no longer works since a newer one was asked for: ask for a new "
                        "code.", number=shown)
        return ServiceError(message, field="code", details=details | {"tries_left": 0})
    if code.expires_at <= now:
        return ServiceError(ngettext("The code sent to %(number)s has expired (a code works for %(num)s minute): "
                                     "ask for a new code.",
                                     "The code sent to %(number)s has expired (a code works for %(num)s minutes): "
                                     "ask for a new code.", int(CODE_LIFE.total_seconds() // 60), number=shown),
                            field="code", details=details)
    return None


@dataclass(frozen=True)
class ProofStep:
    """Where an unproven mobile number stands, for its page: the latest code, whether it can still be typed (else
    why not), how many tries it has left, and when another code may be asked (None: now)."""

    code: SmsCode | None
    live: bool
    problem: str | None
    tries_left: int
    resend_at: datetime | None
    resend_in: int  # seconds


def proof_step(subscription: Subscription, user: User, now: datetime | None = None) -> ProofStep:
    """`now` defaults to the clock; the answer to a code request passes the code's own time, so its wait is the
    full minute however long the request took."""
    now = now or utcnow()
    shown = mobile_national(subscription.identifier)
    code = latest_code(subscription.id)
    refusal = _not_live(code, shown, now, {}) if code else None
    problem = refusal.message if refusal else None
    if code and not problem and code.send_failed_at and not code.sent_at:
        problem = _("We could not send the code to %(number)s by SMS: ask for a new one.", number=shown)
    wait = next_code_wait(subscription.identifier, user.id, now)
    return ProofStep(code, code is not None and problem is None, problem,
                     MAX_WRONG_TRIES - code.attempts if code else MAX_WRONG_TRIES,
                     wait.until if wait else None, wait.seconds if wait else 0)
