"""A version's format bodies, assembled from its piece files, streamed to the body cache, hashed and signed.

No body is ever whole in memory: each format's chunks (app.export.assembly) are written to a temporary file in
the cache while sha256 runs over them, and the file is renamed to its sha256 (files.body_path serves it from
there). The Ed25519 signature needs the whole message, so one thread signs each finished body through a
read-only memory map while this one writes the next; a body's pages then count once, as the file's.
"""
import hashlib
import mmap
import os
import tempfile
from collections.abc import Callable, Iterable
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

# The largest first, so that its signature starts soonest.
ORDER = (WhitelistFormat.JSON, WhitelistFormat.CSV, WhitelistFormat.CISCO, WhitelistFormat.MIKROTIK,
         WhitelistFormat.IPSET, WhitelistFormat.NFT, WhitelistFormat.TXT)


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
    sign = signing.signer()
    blocks, lines_of = metas(pieces.blocks), pieces.lines_of()
    counts = version_counts(blocks)
    sealed: dict[str, tuple[str, int, Future]] = {}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="publication-sign") as signer:
        for fmt in ORDER:
            chunks = assemble(fmt, facts, blocks, lines_of, pieces.chunks("csv"), pieces.chunks("json"), counts)
            sha256, size, path = _write(chunks, folder)
            sealed[fmt] = (sha256, size, signer.submit(_sign_file, sign, path))
        return {fmt: Sealed(sha256, size, signature.result()) for fmt, (sha256, size, signature) in sealed.items()}


def write_one(fmt: str, facts: VersionFacts, pieces: Pieces, folder: Path) -> tuple[str, Path]:
    """One format's body (sha256, path) in `folder`, e.g. for a host that serves a version it did not publish."""
    chunks = assemble(fmt, facts, metas(pieces.blocks), pieces.lines_of(), pieces.chunks("csv"),
                      pieces.chunks("json"))
    sha256, _, path = _write(chunks, folder)
    return sha256, path


def _write(chunks: Iterable[bytes], folder: Path) -> tuple[str, int, Path]:
    """Stream the chunks to `folder`: (sha256, size, path named by the sha256)."""
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".body.")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        os.chmod(temporary, 0o644)
        path = folder / digest.hexdigest()
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return digest.hexdigest(), size, path


def _sign_file(sign: Callable[[bytes], bytes], path: Path) -> bytes:
    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return sign(b"")
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as body:
            return sign(body)
