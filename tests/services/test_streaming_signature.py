"""The streaming Ed25519 signer's signatures verify as any Ed25519 signature does, however the body is cut into
chunks; its nonce is fresh for every signature, so none repeats."""
import os
import random
import shutil
import subprocess

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from app.services.publication import signing


def streamed(body: bytes, context: bytes = b"7/txt") -> bytes:
    size = len(body)
    cuts = sorted(random.Random(size).sample(range(size + 1), k=min(size + 1, 5)))
    signature = signing.streaming_signer().begin(context)
    for start, end in zip([0, *cuts], [*cuts, size]):
        signature.update(body[start:end])
    return signature.finish()


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 4096, 1_000_003])
def test_a_body_signed_in_chunks_verifies_with_the_public_key(app, size):
    body = os.urandom(size)
    with app.app_context():
        signature, public = streamed(body), load_pem_public_key(signing.public_key_pem())
    assert len(signature) == 64
    public.verify(signature, body)  # raises if it does not verify
    with pytest.raises(InvalidSignature):
        public.verify(signature, body + b"\n")


def test_the_same_body_signed_twice_gets_two_valid_signatures_with_different_nonces(app):
    body = b"39.32.0.0/24\n" * 1000
    with app.app_context():
        first, second = streamed(body), streamed(body)
        public = load_pem_public_key(signing.public_key_pem())
    assert first[:32] != second[:32]  # R = rB: a repeated r with two messages would give the key away
    public.verify(first, body)
    public.verify(second, body)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_openssl_verifies_a_streamed_signature(app, tmp_path):
    body = os.urandom(300_000)
    with app.app_context():
        (tmp_path / "key.pem").write_bytes(signing.public_key_pem())
        (tmp_path / "body.sig").write_bytes(streamed(body))
    (tmp_path / "body").write_bytes(body)
    checked = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin", "-in", "body",
                              "-sigfile", "body.sig"], cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 0 and "Signature Verified Successfully" in checked.stdout, checked
