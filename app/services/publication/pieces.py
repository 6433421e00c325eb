"""One version's block pieces on this host: three files, each its blocks' pieces of one kind end to end.

`lines`, `csv` and `json` hold every block's piece of that kind in address order (BlockRef sizes say where each
lies), under INSTANCE_DIR/whitelist-pieces/<serial>-<content>/. publish() builds the new version's files from
the previous version's (unchanged blocks copied by the kernel, os.copy_file_range) and the blocks it re-rendered,
then assembles the bodies from them (app.services.publication.bodies). A host without the previous version's
files reads the pieces from the database instead, a bounded number of blocks at a time. The folder is written
under a temporary name and renamed, so it is whole or absent; the name carries the version's content digest, so a
rolled-back publication's folder is never taken for the next one's.
"""
import errno
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from flask import current_app

from app.services.publication.block_store import PIECES, BlockRef, blob_bodies
from app.services.publication.dirty import BlockKey

FOLDER = "whitelist-pieces"
KEEP = 3                  # newest piece folders kept per host
DATABASE_SPAN = 512       # blocks whose pieces are read from the database at a time
READ_CHUNK = 4 << 20      # bytes of a piece file read at a time


class Pieces:
    """The piece files of one version and where each block's pieces lie in them."""

    def __init__(self, folder: Path, blocks: list[BlockRef]):
        self.folder = folder
        self.blocks = blocks
        self.position = {ref.key: n for n, ref in enumerate(blocks)}
        self.offsets = {kind: _offsets([getattr(ref, f"{kind}_size") for ref in blocks]) for kind in PIECES}

    def path(self, kind: str) -> Path:
        return self.folder / kind

    def lines_of(self) -> Callable[[int, int], bytes]:
        """(first, last) block positions -> their txt lines, from the lines file read once (17 MB at a million
        entries): the list formats read it for every format, in stretches of neighbouring blocks."""
        lines, offsets = self.path("lines").read_bytes(), self.offsets["lines"]
        return lambda first, last: lines[offsets[first]:offsets[last + 1]]

    def chunks(self, kind: str) -> Iterator[bytes]:
        """The whole file of `kind` (every block's piece in order), READ_CHUNK bytes at a time."""
        with self.path(kind).open("rb") as handle:
            while chunk := handle.read(READ_CHUNK):
                yield chunk


def _offsets(sizes: list[int]) -> list[int]:
    return [0, *np.cumsum(np.asarray(sizes, dtype=np.int64)).tolist()]


def root() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / FOLDER


def name(serial: int, content_sha256: str) -> str:
    return f"{serial}-{content_sha256[:16]}"


def existing(serial: int, content_sha256: str, blocks: list[BlockRef]) -> Pieces | None:
    """This host's piece files of that version, if it has them."""
    folder = root() / name(serial, content_sha256)
    return Pieces(folder, blocks) if folder.is_dir() else None


def build(serial: int, content_sha256: str, blocks: list[BlockRef], fresh: dict[BlockKey, dict[str, bytes]],
          previous: Pieces | None, under: Path | None = None) -> Pieces:
    """Write the piece files of a version whose blocks are `blocks`: the pieces of `fresh` blocks as given, the
    others copied from `previous` (the last version's files on this host) or read from the database. `under`: a
    folder of the caller's instead of this host's piece folders (kept as they are)."""
    target = (under or root()) / name(serial, content_sha256)
    if target.is_dir():
        return Pieces(target, blocks)  # made by an earlier attempt with the same content: the same bytes
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        for kind in PIECES:
            with (temporary / kind).open("wb") as out:
                _write_kind(out, kind, blocks, fresh, previous)
        os.replace(temporary, target)
    except OSError:
        shutil.rmtree(temporary, ignore_errors=True)
        if not target.is_dir():
            raise
        # another process of this host wrote the same version's pieces meanwhile: the same bytes
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    if under is None:
        _prune(keep={target.name})
    return Pieces(target, blocks)


def _write_kind(out, kind: str, blocks: list[BlockRef], fresh: dict[BlockKey, dict[str, bytes]],
                previous: Pieces | None) -> None:
    """Each block's piece in order: runs of blocks the previous files hold unchanged are copied in one call."""
    sha = f"{kind}_sha256"
    run: list[int] = []  # positions in `previous` of the current run of copyable blocks

    def copy_run() -> None:
        if run:
            start, end = previous.offsets[kind][run[0]], previous.offsets[kind][run[-1] + 1]
            _copy_range(previous.path(kind), out, start, end - start)
            run.clear()

    missing: list[int] = []
    for n, ref in enumerate(blocks):
        if ref.key in fresh:
            copy_run()
            _flush_missing(out, kind, blocks, missing)
            out.write(fresh[ref.key][kind])
            continue
        before = previous.position.get(ref.key) if previous else None
        if before is not None and getattr(previous.blocks[before], sha) == getattr(ref, sha) \
                and (not run or before == run[-1] + 1):
            _flush_missing(out, kind, blocks, missing)
            run.append(before)
        else:
            copy_run()
            missing.append(n)
            if len(missing) >= DATABASE_SPAN:
                _flush_missing(out, kind, blocks, missing)
    copy_run()
    _flush_missing(out, kind, blocks, missing)


def _flush_missing(out, kind: str, blocks: list[BlockRef], missing: list[int]) -> None:
    """Write the pieces of `missing` (positions in blocks) read from the database, in order."""
    if not missing:
        return
    sha = f"{kind}_sha256"
    bodies = blob_bodies([getattr(blocks[n], sha) for n in missing])
    for n in missing:
        out.write(bodies[getattr(blocks[n], sha)])
    missing.clear()


def _copy_range(source: Path, out, start: int, length: int) -> None:
    """Copy bytes [start, start + length) of `source` to the end of `out`: in the kernel (copy_file_range) where
    the file system allows, else through a buffer."""
    out.flush()
    with source.open("rb") as handle:
        copied = 0
        try:
            while copied < length:
                done = os.copy_file_range(handle.fileno(), out.fileno(), length - copied, start + copied)
                if done == 0:
                    raise OSError(errno.EIO, f"{source} ended before byte {start + length}")
                copied += done
        except OSError as error:
            if error.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
                raise
            out.seek(0, os.SEEK_END)
            while copied < length:
                chunk = os.pread(handle.fileno(), min(1 << 20, length - copied), start + copied)
                if not chunk:
                    raise OSError(errno.EIO, f"{source} ended before byte {start + length}") from None
                out.write(chunk)
                copied += len(chunk)
            out.flush()
    out.seek(0, os.SEEK_END)


def _prune(keep: set[str]) -> None:
    """Keep the KEEP newest piece folders (and any written in the last minute: another process may be reading)."""
    folders = sorted((p for p in root().iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    cutoff = time.time() - 60
    for folder in folders[KEEP:]:
        if folder.name not in keep and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
