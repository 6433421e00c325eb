"""Password hashing (argon2id) and the strength rule applied at sign-up and on the CLI."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
_hasher = PasswordHasher()

# The handful that every breach list starts with, plus local favourites.
_COMMON = {
    "password", "password1", "password123", "1234567890", "12345678910", "qwertyuiop",
    "iloveyou12", "pakistan123", "pakistan12", "abcdefghij", "letmein123", "admin12345",
}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, email: str = "") -> str | None:
    """Why this password is too weak, in words for the user; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if password.lower() in _COMMON or len(set(password)) < 4:
        return "This password is too easy to guess; use a longer phrase or mix of words."
    if email and password.lower() == email.lower():
        return "Do not use your email address as your password."
    return None
