"""The Ed25519 key that signs whitelist bodies, webhook notices and audit checkpoints."""
from collections.abc import Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from app.system.instance_keys import signing_key_pem

_KEY = "raasta.signing_key"


def _private_key() -> Ed25519PrivateKey:
    key = current_app.extensions.get(_KEY)
    if key is None:
        key = serialization.load_pem_private_key(signing_key_pem(current_app.config["INSTANCE_DIR"]), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise RuntimeError("WHITELIST_SIGNING_KEY is not an Ed25519 private key (PEM, PKCS#8)")
        current_app.extensions[_KEY] = key
    return key


def sign(body: bytes) -> bytes:
    """The 64-byte Ed25519 signature of `body` (what `openssl pkeyutl -verify -rawin` checks)."""
    return _private_key().sign(body)


def signer() -> Callable[[bytes], bytes]:
    """sign() for use outside the app context, e.g. on another thread (the key releases the GIL)."""
    return _private_key().sign


def public_key_pem() -> bytes:
    return _private_key().public_key().public_bytes(serialization.Encoding.PEM,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)
