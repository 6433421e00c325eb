"""Secrets generated once into instance/ when the environment does not provide them.

Written whole to a private temporary file (mode 0600) and then hard-linked into place: the link is
atomic and fails if the file exists, so of several web processes starting at once exactly one key
wins, and nobody ever reads a half-written (or empty) one.
"""
import os
import secrets
from pathlib import Path
from typing import Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def load_or_create(path: Path, generate: Callable[[], bytes]) -> bytes:
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(generate())
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won the race; its key is complete, since it was linked whole
    finally:
        temporary.unlink()
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
