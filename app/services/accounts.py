"""Accounts: creating them, signing in and out, changing passwords, ending sessions.

Signing in with an unknown email costs the same argon2 work as a wrong password, and a sign-up with a
taken email answers like any other (its owner is emailed instead), so neither tells an outsider which
emails have accounts.
"""
import functools
import secrets

from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from sqlalchemy import func, select

from app import audit
from app.choices import Role
from app.extensions import db
from app.i18n import _
from app.models import User
from app.models.types import utcnow
from app.services import Conflict, ServiceError
from app.services.notifications import notify
from app.services.passwords import hash_password, password_problem, verify_password


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email has no account, so an unknown email takes as long as a wrong
    password. Made on first use, not at import: every worker and CLI process imports this module."""
    return hash_password(secrets.token_hex(16))


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ServiceError(_("%(email)s is not a valid email address: %(reason)s", email=repr(email.strip()),
                             reason=exc), field="email") from None


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(email: str, password: str, role: str = Role.APPLICANT, name: str = "", actor=None,
                signed_up: bool = False) -> User:
    """Create an account; the caller commits. Refuses a taken email or a weak password.

    The event's actor is `actor`, or the new user when they signed up themselves, else "system" (CLI).
    """
    email = normalise_email(email)
    if role not in Role.ALL:
        raise ServiceError(_("Role %(role)s is unknown; choose one of %(roles)s.", role=repr(role),
                             roles=", ".join(Role.ALL)), field="role")
    if find_user(email):
        raise Conflict(_("An account with %(email)s already exists; sign in instead.", email=email), field="email")
    problem = password_problem(password, email)
    if problem:
        raise ServiceError(problem, field="password")
    user = User(email=email, name=name.strip(), role=role, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", user, actor=user if signed_up else actor, role=role)
    return user


def _typed_email(email: str) -> str:
    """What the trail keeps of a failed sign-in's email box: the email, never anything else typed there
    (a password typed in the wrong box would otherwise stay forever in an append-only log)."""
    try:
        return normalise_email(email)
    except ServiceError:
        return "(not an email address)"


def authenticate(email: str, password: str) -> User | None:
    """The user when the password matches an active account; records the attempt either way."""
    user = find_user(email)
    matches = verify_password(user.password_hash if user else _dummy_hash(), password)
    if user is None or not user.is_active or not matches:
        audit.record("user.sign_in_failed", ("user", user.id if user else ""), actor=None, email=_typed_email(email))
        return None
    record_sign_in(user)
    return user


def record_sign_in(user: User) -> None:
    """A sign-in, by password or straight after signing up; the caller commits."""
    user.last_sign_in_at = utcnow()
    audit.record("user.signed_in", user, actor=user)


def sign_up_problems(email: str, password: str) -> dict[str, str]:
    """Everything wrong with a sign-up's email and password, so the form reports it all at once."""
    problems = {}
    try:
        email = normalise_email(email)
    except ServiceError as exc:
        problems["email"] = exc.message
    problem = password_problem(password, email)
    if problem:
        problems["password"] = problem
    return problems


def sign_up(email: str, password: str, name: str) -> User | None:
    """A new applicant account, or None when the email is taken: then its owner is told by email.

    The caller answers both the same way; a weak password or a malformed email is still refused.
    """
    existing = find_user(email) if "@" in email else None
    if existing is None:
        return create_user(email, password, name=name, signed_up=True)
    problem = password_problem(password, email)
    if problem:
        raise ServiceError(problem, field="password")
    hash_password(password)  # the same work as creating an account
    with force_locale(existing.language or "en"):  # in the owner's language, not the one who tried
        notify(existing, _("Someone tried to create an account with your email"),
               _("Someone tried to create a new Raasta account with this email address. If it was you, sign in "
                 "instead; if you forgot your password, ask your administrator to reset it. If it was not you, "
                 "nothing changed and you need do nothing."), link="/sign-in")
    audit.record("user.sign_up_refused", existing, actor=None, reason="email taken")
    return None


def end_sessions(user: User) -> None:
    """Every session and remember-me cookie of `user` stops working (User.get_id carries the token)."""
    user.session_token = secrets.token_hex(16)


def sign_out(user: User) -> None:
    end_sessions(user)
    audit.record("user.signed_out", user, actor=user)


def change_password(user: User, current: str, new: str) -> None:
    """Check the current password, set the new one, and end every other session. The caller commits."""
    if not verify_password(user.password_hash, current):
        raise ServiceError(_("That is not your current password."), field="current")
    problem = password_problem(new, user.email)
    if problem:
        raise ServiceError(problem, field="new")
    user.password_hash = hash_password(new)
    end_sessions(user)
    audit.record("user.password_changed", user, actor=user)
