"""The Ed25519 key that signs whitelist bodies, webhook notices and audit checkpoints."""
import hashlib
from collections.abc import Callable, Iterable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from nacl import bindings as sodium

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


def streaming_signer() -> "StreamingSigner":
    return StreamingSigner(_private_key())


class StreamingSigner:
    """Ed25519 signatures of bodies too large to hold: the same 64 bytes as sign(body), from the body read twice.

    Ed25519 (RFC 8032, 5.1.6) hashes the message twice: r = SHA-512(prefix || M), then, once R = rB is known,
    k = SHA-512(R || A || M); S = r + k·a (mod L). OpenSSL, behind `cryptography`, takes M whole; publication streams
    a body to disk while hashing it, so the first hash runs over the chunks as they are written (`begin`) and the
    second over the written file (`Signing.finish`). The curve arithmetic is libsodium's (PyNaCl), the hashes
    hashlib's; tests check the result against `cryptography`'s signature byte for byte."""

    def __init__(self, key: Ed25519PrivateKey):
        seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())
        self.public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        expanded = hashlib.sha512(seed).digest()
        scalar = bytearray(expanded[:32])
        scalar[0] &= 248
        scalar[31] = (scalar[31] & 127) | 64
        self._scalar = sodium.crypto_core_ed25519_scalar_reduce(bytes(scalar) + bytes(32))
        self._prefix = expanded[32:]

    def begin(self) -> "Signing":
        return Signing(self)


class Signing:
    """One body's signature under way: update() with every chunk of the body, then finish() with them again."""

    def __init__(self, signer: StreamingSigner):
        self._signer = signer
        self._first = hashlib.sha512(signer._prefix)

    def update(self, chunk: bytes) -> None:
        self._first.update(chunk)

    def finish(self, chunks: Iterable[bytes]) -> bytes:
        """The signature, given the same body's chunks a second time."""
        r = sodium.crypto_core_ed25519_scalar_reduce(self._first.digest())
        big_r = sodium.crypto_scalarmult_ed25519_base_noclamp(r)
        second = hashlib.sha512(big_r + self._signer.public)
        for chunk in chunks:
            second.update(chunk)
        k = sodium.crypto_core_ed25519_scalar_reduce(second.digest())
        return big_r + sodium.crypto_core_ed25519_scalar_add(r, sodium.crypto_core_ed25519_scalar_mul(
            k, self._signer._scalar))
