"""A version's format bodies, assembled from its piece files, streamed to the body cache, hashed and signed.

No body is ever whole in memory: each format's chunks (app.export.assembly) are written to a temporary file in
the cache while sha256 and the Ed25519 signature's hash (signing.StreamingSigner) run over them on two other
threads, and the file is renamed to its sha256 (files.body_path serves it from there). Each body is read once:
nothing is read back. Memory stays a few chunks whatever the list's size.
"""
import hashlib
import os
import tempfile
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from app.choices import WhitelistFormat
from app.export.assembly import assemble, version_counts
from app.export.blocks import BlockMeta
from app.export.snapshot import Counts, VersionFacts
from app.services.publication import signing
from app.services.publication.block_store import BlockRef
from app.services.publication.pieces import Pieces
from app.services.publication.signing import Signing

ORDER = (WhitelistFormat.JSON, WhitelistFormat.CSV, WhitelistFormat.CISCO, WhitelistFormat.MIKROTIK,
         WhitelistFormat.IPSET, WhitelistFormat.NFT, WhitelistFormat.TXT)


SINK_DEPTH = 24  # tasks (a chunk each, at most a few MB) queued ahead of the hashing and writing


class Sealed(NamedTuple):
    sha256: str
    size: int
    signature: bytes


def metas(blocks: list[BlockRef]) -> list[BlockMeta]:
    return [BlockMeta(ref.version, ref.block, ref.full, ref.line_count, ref.entry_count) for ref in blocks]


def counts_of(blocks: list[BlockRef]) -> Counts:
    return version_counts(metas(blocks))


def write_all(facts: VersionFacts, pieces: Pieces, folder: Path) -> dict[str, Sealed]:
    """Every format of the version whose pieces these are: written to `folder` (the body cache), hashed and
    signed."""
    signer = signing.streaming_signer()
    blocks, lines_of = metas(pieces.blocks), pieces.lines_of()
    counts = version_counts(blocks)
    sealed = {}
    for fmt in ORDER:
        signature = signer.begin(f"{facts.serial}/{fmt}".encode())
        chunks = assemble(fmt, facts, blocks, lines_of, pieces.chunks("csv"), pieces.chunks("json"), counts)
        sha256, size, _ = _write(chunks, folder, signature)
        sealed[fmt] = Sealed(sha256, size, signature.finish())
    return sealed


def write_one(fmt: str, facts: VersionFacts, pieces: Pieces, folder: Path) -> tuple[str, Path]:
    """One format's body (sha256, path) in `folder`, e.g. for a host that serves a version it did not publish."""
    chunks = assemble(fmt, facts, metas(pieces.blocks), pieces.lines_of(), pieces.chunks("csv"),
                      pieces.chunks("json"))
    sha256, _, path = _write(chunks, folder)
    return sha256, path


def _write(chunks: Iterable[bytes], folder: Path, signature: Signing | None = None) -> tuple[str, int, Path]:
    """Stream the chunks to `folder`, hashing them (and signing them): (sha256, size, path named by it).

    This thread makes the chunks (Python work); three sink threads take each chunk in turn, one hashing it with
    sha256, one writing it, one running the signature's hash (all three let go of the GIL), a few chunks behind,
    so the work spreads over the CPUs: the longest of them (SHA-512, about 0.8 s for 532 MB) sets the pace."""
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".body.")
    try:
        with os.fdopen(fd, "wb") as out, ThreadPoolExecutor(max_workers=1) as hashing, \
                ThreadPoolExecutor(max_workers=1) as writing, ThreadPoolExecutor(max_workers=1) as signing_:
            pending: deque[Future] = deque()
            for chunk in chunks:
                pending.append(hashing.submit(digest.update, chunk))
                pending.append(writing.submit(out.write, chunk))
                if signature is not None:
                    pending.append(signing_.submit(signature.update, chunk))
                size += len(chunk)
                while len(pending) > SINK_DEPTH or (pending and pending[0].done()):
                    pending.popleft().result()
            while pending:
                pending.popleft().result()
        os.chmod(temporary, 0o644)
        path = folder / digest.hexdigest()
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return digest.hexdigest(), size, path
