"""Password hashing (argon2id) and the strength rule applied at sign-up and on the CLI."""
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from app.i18n import _

MIN_LENGTH = 10
# argon2-cffi's named parameter sets. Production hashes with the library's default (RFC 9106's low-memory
# choice: 3 passes over 64 MiB, about 50-100 ms); the test configuration picks CHEAPEST, made for test
# suites, which create hundreds of accounts. A hash carries its own parameters, so verifying never
# depends on this setting.
DEFAULT_PROFILE = "RFC_9106_LOW_MEMORY"
_hashers = {name: PasswordHasher.from_parameters(getattr(profiles, name)) for name in (DEFAULT_PROFILE, "CHEAPEST")}


def _hasher() -> PasswordHasher:
    profile = current_app.config.get("PASSWORD_HASH_PROFILE", DEFAULT_PROFILE) if has_app_context() else DEFAULT_PROFILE
    return _hashers[profile]

# The handful that every breach list starts with, plus local favourites.
_COMMON = {
    "password", "password1", "password123", "1234567890", "12345678910", "qwertyuiop",
    "iloveyou12", "pakistan123", "pakistan12", "abcdefghij", "letmein123", "admin12345",
}


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, email: str = "") -> str | None:
    """Why this password is too weak, in words for the user; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(min)s characters.", min=MIN_LENGTH)
    if password.lower() in _COMMON or len(set(password)) < 4:
        return _("This password is too easy to guess; use a longer phrase or mix of words.")
    if email and password.lower() == email.lower():
        return _("Do not use your email address as your password.")
    return None
