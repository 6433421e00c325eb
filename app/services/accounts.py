"""Creating accounts and signing in."""
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from app import audit
from app.choices import Role
from app.extensions import db
from app.models import User
from app.models.types import utcnow
from app.services import Conflict, ServiceError
from app.services.passwords import hash_password, password_problem, verify_password


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ServiceError(f"{email.strip()!r} is not a valid email address: {exc}", field="email") from None


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(email: str, password: str, role: str = Role.APPLICANT, name: str = "", actor=None,
                signed_up: bool = False) -> User:
    """Create an account; the caller commits. Refuses a taken email or a weak password.

    The event's actor is `actor`, or the new user when they signed up themselves, else "system" (CLI).
    """
    email = normalise_email(email)
    if role not in Role.ALL:
        raise ServiceError(f"Role {role!r} is unknown; choose one of {', '.join(Role.ALL)}.", field="role")
    if find_user(email):
        raise Conflict(f"An account with {email} already exists; sign in instead.", field="email")
    problem = password_problem(password, email)
    if problem:
        raise ServiceError(problem, field="password")
    user = User(email=email, name=name.strip(), role=role, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", user, actor=user if signed_up else actor, role=role)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user when the password matches an active account; records the attempt either way."""
    user = find_user(email)
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        audit.record("user.sign_in_failed", ("user", user.id if user else ""), actor=None,
                     email=email.strip()[:254])
        return None
    user.last_sign_in_at = utcnow()
    audit.record("user.signed_in", user, actor=user)
    return user
