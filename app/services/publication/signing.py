"""The Ed25519 key that signs whitelist bodies, webhook notices and audit checkpoints."""
import hashlib
import os
from collections.abc import Callable

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
    """Ed25519 signatures of bodies too large to hold, in one pass over their chunks as they are written.

    Ed25519 (RFC 8032, 5.1.6) signs M as R || S with R = rB, k = SHA-512(R || A || M) and S = r + k·a (mod L).
    Verification (`openssl pkeyutl -verify -rawin`, any Ed25519 library) needs nothing more: how r was chosen
    is the signer's business, as long as it is secret and never repeats for two messages. The RFC derives it
    from the message, r = SHA-512(prefix || M), which costs a whole SHA-512 pass over M before R is known and a
    second one after: at 1M entries that pass was 0.8 CPU-seconds of every approval, and the body read back from
    disk. Here r is hedged instead (as in draft-irtf-cfrg-det-sigs-with-noise): r = SHA-512(prefix || 32 fresh
    random bytes || context), known before the first chunk, so k's hash runs over the chunks as they stream. The
    secret prefix keeps r unpredictable even with a weak random source, and the context (the version's serial
    and format) keeps it from repeating across bodies. The price: signing the same body twice gives two
    different, equally valid signatures (numbered versions are signed once). The curve arithmetic is
    libsodium's (PyNaCl), the hashes hashlib's."""

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

    def begin(self, context: bytes) -> "Signing":
        """A signature of the body about to stream; `context` names it (e.g. b"42/json")."""
        return Signing(self, context)


class Signing:
    """One body's signature under way: update() with every chunk of the body, in order, then finish()."""

    def __init__(self, signer: StreamingSigner, context: bytes):
        self._signer = signer
        self._r = sodium.crypto_core_ed25519_scalar_reduce(
            hashlib.sha512(signer._prefix + os.urandom(32) + context).digest())
        self._big_r = sodium.crypto_scalarmult_ed25519_base_noclamp(self._r)
        self._k = hashlib.sha512(self._big_r + signer.public)

    def update(self, chunk: bytes) -> None:
        self._k.update(chunk)

    def finish(self) -> bytes:
        """The 64-byte signature of the chunks given so far."""
        k = sodium.crypto_core_ed25519_scalar_reduce(self._k.digest())
        return self._big_r + sodium.crypto_core_ed25519_scalar_add(self._r, sodium.crypto_core_ed25519_scalar_mul(
            k, self._signer._scalar))
