"""Reading published whitelist versions: by serial or `latest`, their bodies, and diffs between them.

A numbered version never changes, and a body is named by its sha256, so both can be cached
without invalidation:
- `file_ref(serial, fmt)` keeps (sha256, size, signature, published_at) of numbered versions in a
  small per-app dictionary; `latest` costs one indexed query, so an ISP's poll answered 304 loads no
  ORM object and no body. What it last found for `latest` is kept for POLL_CACHE_SECONDS
  (`recent_latest`), for the 304 shortcut only (app/api/not_modified.py); publish() clears it.
- `body_path(sha256)` materialises a body once per host into INSTANCE_DIR/whitelist-cache/<sha256>
  (checked against its sha256, written to a temporary file and renamed into place), so the web
  server streams it like a static file (its wsgi.file_wrapper; gunicorn would use sendfile) and a
  1M-entry body never passes through Python objects again. Every host behind one database writes
  the same bytes under the same name. The cache keeps the newest versions' bodies (an older one
  is written again when asked for), since a million entries make about 530 MB of bodies a version.
"""
import errno
import hashlib
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from flask import Flask, current_app
from sqlalchemy import bindparam, func, select

from app.choices import WhitelistFormat
from app.export.snapshot import VersionFacts
from app.extensions import db
from app.i18n import _
from app.models import SubscriberFile, WhitelistBlob, WhitelistFile, WhitelistVersion
from app.services import Unavailable
from app.services.publication import block_store, bodies, pieces
from app.services.recent import Recent

LATEST = "latest"
CACHE_FOLDER = "whitelist-cache"
_REFS = "raasta.whitelist_refs"
_RECENT_LATEST = "raasta.whitelist_recent_latest"
_MAX_CACHED_REFS = 10_000  # (serial, format) pairs: a few MB at most, emptied when full
KEEP_VERSIONS = 3          # versions whose bodies stay in the disk cache however old
PRUNE_AFTER_SECONDS = 3600
_DISK_TROUBLE = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}  # the host's disk, not the request


class FileRef(NamedTuple):
    """What serving one format of one version needs, without its body."""

    serial: int
    format: str
    sha256: str
    size: int
    signature: bytes
    published_at: datetime


def latest_serial() -> int | None:
    return db.session.scalar(select(func.max(WhitelistVersion.serial)))


def version_by_ref(ref: int | str) -> WhitelistVersion | None:
    """The version numbered `ref`, or the newest for "latest"; None when there is none."""
    serial = latest_serial() if ref == LATEST else ref
    return db.session.get(WhitelistVersion, serial) if serial is not None else None


def file_of(version: WhitelistVersion, fmt: str) -> WhitelistFile | None:
    return db.session.get(WhitelistFile, (version.serial, fmt))


def files_of(version: WhitelistVersion) -> list[WhitelistFile]:
    """The version's formats in WhitelistFormat.ALL order (formats added later come last)."""
    order = {fmt: n for n, fmt in enumerate(WhitelistFormat.ALL)}
    return sorted(version.files, key=lambda f: (order.get(f.format, len(order)), f.format))


_REF_COLUMNS = (select(WhitelistFile.serial, WhitelistFile.format, WhitelistFile.sha256, WhitelistFile.size,
                       WhitelistFile.signature, WhitelistVersion.published_at)
                .join(WhitelistVersion, WhitelistVersion.serial == WhitelistFile.serial)
                .where(WhitelistFile.format == bindparam("fmt")))
_LATEST_REF = _REF_COLUMNS.where(WhitelistFile.serial == select(func.max(WhitelistVersion.serial)).scalar_subquery())
_NUMBERED_REF = _REF_COLUMNS.where(WhitelistFile.serial == bindparam("serial"))


def file_ref(ref: int | str, fmt: str) -> FileRef | None:
    """(serial, sha256, size, signature, published_at) of `fmt` of version `ref` ("latest" or a serial).

    One Core query for "latest" (ORM execution would cost more than the rest of a 304 answer);
    numbered versions come from the per-app cache after their first read. None when that version,
    or that format of it, does not exist.
    """
    if ref == LATEST:
        row = db.session.connection().execute(_LATEST_REF, {"fmt": fmt}).first()
        found = FileRef(*row) if row else None
        if found is not None:
            recent_latest(current_app).put(fmt, found)
        return found
    found = known_ref(current_app, ref, fmt)
    if found is None:
        row = db.session.connection().execute(_NUMBERED_REF, {"fmt": fmt, "serial": ref}).first()
        if row is None:
            return None
        cache = _known_refs(current_app)
        if len(cache) >= _MAX_CACHED_REFS:
            cache.clear()
        # Only read paths call this, after the publishing transaction committed: the row is final.
        found = cache[(ref, fmt)] = FileRef(*row)
    return found


def _known_refs(app: Flask) -> dict[tuple[int, str], FileRef]:
    return app.extensions.setdefault(_REFS, {})


def known_ref(app: Flask, serial: int, fmt: str) -> FileRef | None:
    """`fmt` of numbered version `serial` if this process has read it before (it never changes)."""
    return _known_refs(app).get((serial, fmt))


def recent_latest(app: Flask) -> Recent:
    """The latest version's FileRef per format, as this process read it in the last POLL_CACHE_SECONDS."""
    recent = app.extensions.get(_RECENT_LATEST)
    if recent is None:
        recent = app.extensions[_RECENT_LATEST] = Recent(app.config["POLL_CACHE_SECONDS"])
    return recent


def cache_dir() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / CACHE_FOLDER


def body_path(sha256: str, size: int | None = None) -> Path:
    """A local file holding the body named `sha256`, materialised from the database on first use."""
    path = cache_dir() / sha256
    try:
        on_disk = path.stat().st_size
    except FileNotFoundError:
        on_disk = None
    if on_disk is not None and (size is None or on_disk == size):  # a truncated copy is written again
        return path
    try:
        body = db.session.scalar(select(WhitelistBlob.body).where(WhitelistBlob.sha256 == sha256))
        if body is None:
            _assemble(sha256, path.parent)
        elif hashlib.sha256(body).hexdigest() != sha256:
            raise ValueError(f"the stored whitelist body {sha256} does not match its sha256")
        else:
            _write_atomically(path, body)
    except OSError as error:
        if error.errno not in _DISK_TROUBLE:
            raise
        current_app.logger.error("whitelist body %s not written to the cache %s: %s", sha256, path.parent, error)
        raise Unavailable(_("This server cannot write the list to its disk just now (%(reason)s); nothing is lost: "
                            "try again in a minute.", reason=os.strerror(error.errno)), retry_after=60,
                          details={"sha256": sha256}) from error
    prune_cache(path.parent, keep={sha256})
    return path


def _assemble(sha256: str, folder: Path) -> None:
    """Write the body named `sha256` of a version assembled from its blocks (published since migration 0016: no
    blob holds it) into `folder`, from this host's piece files of that version or from the database."""
    found = db.session.execute(select(WhitelistFile.serial, WhitelistFile.format)
                               .where(WhitelistFile.sha256 == sha256).limit(1)).first()
    if found is None:
        return _assemble_feed(sha256, folder)
    version = db.session.get(WhitelistVersion, found.serial)
    local = version_pieces(version, block_store.at_serial(version.serial))
    written, path = bodies.write_one(found.format, facts(version), local, folder)
    if written != sha256:
        path.unlink(missing_ok=True)
        raise ValueError(f"whitelist version {version.serial}'s {found.format} body assembles to {written}, not "
                         f"its recorded {sha256}: run `flask whitelist verify`")


def _assemble_feed(sha256: str, folder: Path) -> None:
    """Write the subscriber feed body named `sha256` (published since migration 0018: its head, then the rows part
    it shares with other versions) into `folder`."""
    feed = db.session.execute(select(SubscriberFile.head, SubscriberFile.rows_sha256).where(
        SubscriberFile.sha256 == sha256, SubscriberFile.rows_sha256.is_not(None)).limit(1)).first()
    rows = feed and db.session.scalar(select(WhitelistBlob.body).where(WhitelistBlob.sha256 == feed.rows_sha256))
    if rows is None:
        raise LookupError(f"no whitelist or subscriber body with sha256 {sha256}")
    digest = hashlib.sha256(feed.head)
    digest.update(rows)
    if digest.hexdigest() != sha256:
        raise ValueError(f"the subscriber feed body {sha256} does not match its head and rows part")
    _write_atomically(folder / sha256, feed.head, rows)


def version_pieces(version: WhitelistVersion, blocks: list) -> pieces.Pieces:
    """The pieces of `version` (whose blocks are `blocks`) on this host, from its files here or the database."""
    return (pieces.existing(version.serial, version.content_sha256, blocks, *cached_bodies(version, ("csv", "json")))
            or pieces.build(version.serial, version.content_sha256, blocks, fresh={}, previous=None))


def cached_bodies(version: WhitelistVersion, formats: tuple[str, ...]) -> list[Path | None]:
    """This host's cached copy of each of the version's `formats` bodies, None where it has none (or a short one)."""
    found = []
    for fmt in formats:
        file = file_of(version, fmt)
        path = cache_dir() / file.sha256 if file is not None else None
        found.append(path if path is not None and path.is_file() and path.stat().st_size == file.size else None)
    return found


def facts(version: WhitelistVersion) -> VersionFacts:
    """What the version's files say of it, beside the list."""
    return VersionFacts(version.serial, version.published_at, version.audit_head_seq, version.audit_head_hash)


def _write_atomically(path: Path, *parts: bytes) -> None:
    """A reader sees no file or the whole file (`parts`, one after the other): written to a temporary beside it,
    then renamed into place. A failed write (a full disk) leaves no temporary behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:16]}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                handle.write(part)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def prune_cache(folder: Path, keep: set[str]) -> None:
    """Bound the cache: drop bodies of all but the newest KEEP_VERSIONS versions, unless written in the
    last hour (a download or diff of an older version may be using them). Runs when a body is
    written, i.e. about once per body per host. A file being sent stays readable after its unlink;
    an older version asked for again is written again from the database."""
    newest = select(func.max(WhitelistVersion.serial)).scalar_subquery()
    keep = keep | set(db.session.scalars(select(WhitelistFile.sha256).where(
        WhitelistFile.serial > newest - KEEP_VERSIONS)))
    cutoff = time.time() - PRUNE_AFTER_SECONDS
    for path in folder.iterdir():
        try:
            if path.name not in keep and path.stat().st_mtime < cutoff:
                path.unlink()  # temporaries of an interrupted write (".…") too
        except FileNotFoundError:
            pass  # another process pruned it first


def body(sha256: str) -> bytes:
    """The exact stored bytes of the body named `sha256` (through the local cache)."""
    return body_path(sha256).read_bytes()


def _lines(version: WhitelistVersion) -> list[str]:
    txt = file_of(version, WhitelistFormat.TXT)
    if txt is None:
        raise LookupError(f"whitelist version {version.serial} has no txt body")
    return body(txt.sha256).decode().splitlines()


def diff(old: WhitelistVersion, new: WhitelistVersion) -> dict:
    """The aggregated CIDRs (txt lines) of `new` not in `old` ("added") and of `old` not in `new`.

    Removing "removed" from version old's lines and adding "added" gives exactly version new's
    lines. Both lists keep the order of the txt bodies, which the address engine wrote IPv4 before
    IPv6 and numerically sorted, so they come out sorted the same way without sorting again. The
    diff is of aggregated CIDRs: a /24 that joins its neighbour shows as the two /24s removed and
    the /23 added.
    """
    old_lines = _lines(old)
    new_lines = _lines(new) if new.serial != old.serial else old_lines
    old_set, new_set = set(old_lines), set(new_lines)
    return {"from": old.serial, "to": new.serial,
            "added": [cidr for cidr in new_lines if cidr not in old_set],
            "removed": [cidr for cidr in old_lines if cidr not in new_set]}
