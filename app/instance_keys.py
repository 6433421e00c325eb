"""Secrets generated once into instance/ when the environment does not provide them.

Created with O_EXCL and mode 0600, so several gunicorn processes starting at once agree on one
key and no other local user can read it.
"""
import os
import secrets
from pathlib import Path
from typing import Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def load_or_create(path: Path, generate: Callable[[], bytes]) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as handle:
        handle.write(generate())
    return path.read_bytes()


def secret_key(instance_dir: Path) -> str:
    return load_or_create(
        instance_dir / "secret_key", lambda: secrets.token_hex(32).encode()
    ).decode().strip()


def _new_signing_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def signing_key_pem(instance_dir: Path) -> bytes:
    """The whitelist signing key: WHITELIST_SIGNING_KEY (PEM text) if set, else instance/."""
    from_env = os.environ.get("WHITELIST_SIGNING_KEY")
    if from_env:
        return from_env.encode()
    return load_or_create(instance_dir / "whitelist-signing-key.pem", _new_signing_key)
