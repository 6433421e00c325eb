"""An SMS code's secrets: a fresh code, the HMAC the database keeps of it, and the seal the SMS job opens.

Both keys derive from SECRET_KEY (every web host and worker shares it). The HMAC covers the subscription's id
with the code, so a hash copied onto another subscription's row proves nothing; it is compared in constant time.
The seal (AES-GCM) is bound to the number, so a sealed code moved onto another row cannot be sent to another
phone. Someone holding both the database and SECRET_KEY could try all million codes against a hash anyway, so
the seal adds no weakness the hash does not have, and it keeps the code out of Redis and out of the clear.
"""
import hashlib
import hmac
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

CODE_DIGITS = 6
_NONCE_BYTES = 12


def new_code() -> str:
    """Six random digits, leading zeros kept: 000000 to 999999."""
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def _key(purpose: bytes) -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"raasta:" + purpose, hashlib.sha256).digest()


def code_hash(subscription_id: int, code: str) -> str:
    return hmac.new(_key(b"sms-code-hash"), f"{subscription_id}:{code}".encode(), hashlib.sha256).hexdigest()


def code_matches(stored_hash: str, subscription_id: int, typed: str) -> bool:
    return hmac.compare_digest(stored_hash, code_hash(subscription_id, typed))


def seal(code: str, number: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(_key(b"sms-code-seal")).encrypt(nonce, code.encode(), number.encode())


def unseal(sealed: bytes, number: str) -> str | None:
    """The code sealed for `number`; None when the seal does not open (SECRET_KEY changed, or another number)."""
    try:
        return AESGCM(_key(b"sms-code-seal")).decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:],
                                                      number.encode()).decode()
    except (InvalidTag, ValueError):
        return None
