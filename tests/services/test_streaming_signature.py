"""The streaming Ed25519 signer signs exactly as OpenSSL does, however the body is cut into chunks."""
import os
import random

import pytest

from app.services.publication import signing


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 4096, 1_000_003])
def test_a_body_signed_in_two_passes_of_chunks_is_signed_as_a_whole(app, size):
    body = os.urandom(size)
    cuts = sorted(random.Random(size).sample(range(size + 1), k=min(size + 1, 5)))
    chunks = [body[start:end] for start, end in zip([0, *cuts], [*cuts, size])]
    with app.app_context():
        signature = signing.streaming_signer().begin()
        for chunk in chunks:
            signature.update(chunk)
        assert signature.finish(reversed_cuts(body)) == signing.sign(body)


def reversed_cuts(body: bytes) -> list[bytes]:
    """The same body cut differently the second time: the two passes need not agree on chunks."""
    third = len(body) // 3
    return [body[:third], b"", body[third:]]
