"""One version's block pieces on this host: each kind of piece, every block's in address order, end to end.

BlockRef sizes say where each block's piece lies in a kind's stream. The txt lines are a file of their own under
INSTANCE_DIR/whitelist-pieces/<serial>-<content>/lines (17 MB at a million entries, read by every list format). The
csv rows and json entries need no file of their own: a version's csv body is its header, then exactly those rows, and
its json body ends with exactly those entries (less the first one's comma) before `\n ]\n}\n`, so the bodies in the
cache serve as the next publication's pieces (`Source`). publish() streams the new version's rows and entries from
the previous version's bodies (unchanged blocks, read in runs), the blocks it re-rendered, and the database for what
this host lacks. The lines folder is written under a temporary name and renamed, so it is whole or absent; its name
carries the version's content digest, so a rolled-back publication's folder is never taken for the next one's.
"""
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
from flask import current_app

from app.services.publication.block_store import PIECES, BlockRef, blob_bodies
from app.services.publication.dirty import BlockKey

FOLDER = "whitelist-pieces"
KEEP = 3                  # newest piece folders kept per host
DATABASE_SPAN = 512       # blocks whose pieces are read from the database at a time
READ_CHUNK = 4 << 20      # bytes of a file read at a time
JSON_TAIL = b"\n ]\n}\n"  # what follows the entries in a json body that has any


class Source(NamedTuple):
    """Where a kind's whole stream is stored: in `path` from byte `base`, after `head` (bytes the file leaves out)."""

    path: Path
    base: int
    head: bytes = b""


class Pieces:
    """One version's pieces: its blocks, the lines file, and for csv and json either a Source (a body of that version
    in the cache) or the way to make the stream (`fresh` blocks, the `previous` version's pieces, the database)."""

    def __init__(self, blocks: list[BlockRef], lines: Path, sources: dict[str, Source] | None = None,
                 fresh: dict[BlockKey, dict[str, bytes]] | None = None, previous: "Pieces | None" = None):
        self.blocks = blocks
        self.lines = lines
        self.sources = sources or {}
        self.fresh = fresh or {}
        self.previous = previous
        self.position = {ref.key: n for n, ref in enumerate(blocks)}
        self.offsets = {kind: _offsets([getattr(ref, f"{kind}_size") for ref in blocks]) for kind in PIECES}

    def lines_of(self) -> Callable[[int, int], bytes]:
        """(first, last) block positions -> their txt lines, from the lines file read once: the list formats read
        it for every format, in stretches of neighbouring blocks."""
        lines, offsets = self.lines.read_bytes(), self.offsets["lines"]
        return lambda first, last: lines[offsets[first]:offsets[last + 1]]

    def chunks(self, kind: str) -> Iterator[bytes]:
        """Every block's piece of `kind`, in order, as chunks of any size."""
        if kind in self.sources:
            return self.read(kind, 0, self.offsets[kind][-1])
        return _stream(kind, self.blocks, self.fresh, self.previous)

    def read(self, kind: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes [start, end) of the stored stream of `kind`."""
        source = self.sources[kind]
        if start < len(source.head):
            yield source.head[start:end]
            start = len(source.head)
        with source.path.open("rb") as handle:
            while start < end:
                chunk = os.pread(handle.fileno(), min(READ_CHUNK, end - start), source.base + start - len(source.head))
                if not chunk:
                    raise OSError(f"{source.path} ended before its pieces did")
                yield chunk
                start += len(chunk)


def _offsets(sizes: list[int]) -> list[int]:
    return [0, *np.cumsum(np.asarray(sizes, dtype=np.int64)).tolist()]


def root() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / FOLDER


def name(serial: int, content_sha256: str) -> str:
    return f"{serial}-{content_sha256[:16]}"


def existing(serial: int, content_sha256: str, blocks: list[BlockRef], csv_body: Path | None,
             json_body: Path | None) -> Pieces | None:
    """This host's pieces of that version, if it has its lines file; its csv and json bodies (in the cache, if
    there) hold the rest, else those streams come from the database."""
    lines = root() / name(serial, content_sha256) / "lines"
    if not lines.is_file():
        return None
    pieces = Pieces(blocks, lines)
    for kind, body, head, tail in (("csv", csv_body, b"", b""), ("json", json_body, b",", JSON_TAIL)):
        total = pieces.offsets[kind][-1]
        if body is not None and body.is_file():
            # The stream ends where the body's tail begins; a json body keeps all of it but the first comma.
            pieces.sources[kind] = Source(body, body.stat().st_size - len(tail) - (total - len(head)), head) \
                if total else Source(body, 0)
    return pieces


def build(serial: int, content_sha256: str, blocks: list[BlockRef], fresh: dict[BlockKey, dict[str, bytes]],
          previous: Pieces | None, under: Path | None = None) -> Pieces:
    """The pieces of a version whose blocks are `blocks`: `fresh` blocks as given, the others from `previous` (the
    last version's pieces on this host) or the database. Writes its lines file; its rows and entries stream when the
    bodies are written. `under`: a folder of the caller's instead of this host's piece folders (kept as they are)."""
    target = (under or root()) / name(serial, content_sha256)
    if not (target / "lines").is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
        try:
            with (temporary / "lines").open("wb") as out:
                for chunk in _stream("lines", blocks, fresh, previous):
                    out.write(chunk)
            os.replace(temporary, target)
        except OSError:
            shutil.rmtree(temporary, ignore_errors=True)
            if not target.is_dir():
                raise
            # another process of this host wrote the same version's lines meanwhile: the same bytes
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        if under is None:
            _prune(keep={target.name})
    return Pieces(blocks, target / "lines", fresh=fresh, previous=previous)


def _stream(kind: str, blocks: list[BlockRef], fresh: dict[BlockKey, dict[str, bytes]],
            previous: Pieces | None) -> Iterator[bytes]:
    """Each block's piece of `kind` in order: runs of blocks the previous version holds unchanged are read from it
    in one go; pieces this host does not have, from the database, DATABASE_SPAN blocks at a time."""
    sha = f"{kind}_sha256"
    stored = previous is not None and (kind == "lines" or kind in previous.sources)
    run: list[int] = []      # positions in `previous` of the current run of unchanged blocks
    missing: list[int] = []  # positions in `blocks` of pieces to read from the database

    def flush() -> Iterator[bytes]:
        if run:
            start, end = previous.offsets[kind][run[0]], previous.offsets[kind][run[-1] + 1]
            yield from (_read_lines(previous, start, end) if kind == "lines" else previous.read(kind, start, end))
            run.clear()
        if missing:
            found = blob_bodies([getattr(blocks[n], sha) for n in missing])
            yield b"".join(found[getattr(blocks[n], sha)] for n in missing)
            missing.clear()

    for n, ref in enumerate(blocks):
        if ref.key in fresh:
            yield from flush()
            yield fresh[ref.key][kind]
            continue
        before = previous.position.get(ref.key) if stored else None
        if before is not None and getattr(previous.blocks[before], sha) == getattr(ref, sha):
            if missing or (run and before != run[-1] + 1):
                yield from flush()
            run.append(before)
        else:
            if run:
                yield from flush()
            missing.append(n)
            if len(missing) >= DATABASE_SPAN:
                yield from flush()
    yield from flush()


def _read_lines(pieces: Pieces, start: int, end: int) -> Iterator[bytes]:
    with pieces.lines.open("rb") as handle:
        yield os.pread(handle.fileno(), end - start, start)


def _prune(keep: set[str]) -> None:
    """Keep the KEEP newest piece folders (and any written in the last minute: another process may be reading).
    Another process of this host may rename its temporary folder into place, or prune, meanwhile: a folder gone
    between the listing and its stat is passed over (it once made an ISP's poll a 500 under load)."""
    folders = []
    for path in root().iterdir():
        try:
            if path.is_dir():
                folders.append((path.stat().st_mtime, path))
        except FileNotFoundError:
            continue
    folders.sort(key=lambda found: found[0], reverse=True)
    cutoff = time.time() - 60
    for mtime, folder in folders[KEEP:]:
        if folder.name not in keep and mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
