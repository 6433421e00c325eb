"""The whitelist's address blocks in the database: the approved space each holds now, and its pieces per version.

read() gathers what a block shows (app.export.blocks.BlockRows) for the blocks publish() re-renders: a range
query per run of neighbouring blocks, the few prefixes wider than a block, and the holders of what it found.
current() and at_serial() list the blocks of the latest or of any version (WhitelistBlock rows, as BlockRef);
store() records a new version's changed blocks and their pieces (content-addressed WhitelistBlobs).
"""
import hashlib
from datetime import datetime
from typing import NamedTuple

import numpy as np
from sqlalchemy import LargeBinary, String, bindparam, func, insert, literal_column, select, type_coerce, update

from app.addresses.columns import format_ipv4_cidrs
from app.addresses.ranges import format_address
from app.choices import State
from app.export.blocks import (
    BLOCK_PREFIX,
    BlockRows,
    RenderedBlock,
    block_of,
    block_span,
    render_block,
)
from app.export.snapshot import Holder
from app.extensions import db
from app.models import (
    ApplicantProfile,
    Application,
    ApprovedPrefix,
    User,
    WhitelistBlob,
    WhitelistBlock,
)
from app.services.id_lists import among
from app.services.publication.dirty import SPANS, BlockKey, blocks_of_span, keys_of

_BLOB_LOOKUP = 500  # sha256s per query
_HOLDERS_BY_ID = 5_000  # beyond this many applications, read every live holder
PIECES = ("lines", "csv", "json")  # a block's pieces: txt lines, csv rows, json entries


class BlockRef(NamedTuple):
    """One block of a version, without its pieces' bytes: where each piece is and how big."""

    id: int
    version: int
    block: int
    full: bool
    line_count: int
    entry_count: int
    lines_sha256: str
    lines_size: int
    csv_sha256: str
    csv_size: int
    json_sha256: str
    json_size: int

    @property
    def key(self) -> BlockKey:
        return self.version, self.block


_REF_COLUMNS = (WhitelistBlock.id, WhitelistBlock.version, WhitelistBlock.block, WhitelistBlock.full,
                WhitelistBlock.line_count, WhitelistBlock.entry_count, WhitelistBlock.lines_sha256,
                WhitelistBlock.lines_size, WhitelistBlock.csv_sha256, WhitelistBlock.csv_size,
                WhitelistBlock.json_sha256, WhitelistBlock.json_size)


def current() -> list[BlockRef]:
    """The latest version's blocks, in address order (IPv4 first)."""
    return _refs(WhitelistBlock.until_serial.is_(None))


def at_serial(serial: int) -> list[BlockRef]:
    """Version `serial`'s blocks, in address order."""
    return _refs((WhitelistBlock.from_serial <= serial)
                 & (WhitelistBlock.until_serial.is_(None) | (WhitelistBlock.until_serial > serial)))


def _refs(condition) -> list[BlockRef]:
    query = select(*_REF_COLUMNS).where(condition).order_by(WhitelistBlock.version, WhitelistBlock.block)
    return [BlockRef(*row) for row in db.session.connection().execute(query).cursor.fetchall()]


def live(now: datetime):
    """An approval that is in the whitelist at `now`."""
    return (Application.state == State.APPROVED) & (Application.expires_at.is_(None) | (Application.expires_at > now))


def keys_with_space(now: datetime) -> set[BlockKey]:
    """Every block holding approved space at `now` (what a full publication renders)."""
    return keys_of(db.session.execute(SPANS.join(Application, Application.id == ApprovedPrefix.application_id)
                                      .where(live(now))))


def expiring_keys(since: datetime, now: datetime) -> set[BlockKey]:
    """The blocks of approvals whose expiry fell in (since, now]: out of the whitelist from now on, whether or not
    the expiry job has removed them yet."""
    return keys_of(db.session.execute(SPANS.join(Application, Application.id == ApprovedPrefix.application_id)
                                      .where(*expired_in(since, now))))


def expired_in(since: datetime, now: datetime) -> list:
    """Conditions: an approval whose expiry fell in (since, now]. Found through ix_applications_expiry (a few rows);
    on SQLite the state is compared with SQLite's unary +, which no index serves: given `state = 'approved'`,
    SQLite walked ix_applications_state over every approval (60 ms at 250,000) to find the few expiring."""
    state = (literal_column("+applications.state", String) if db.session.get_bind().dialect.name == "sqlite"
             else Application.state)
    return [Application.expires_at > since, Application.expires_at <= now, state == State.APPROVED]


def read(keys: set[BlockKey], now: datetime) -> list[BlockRows]:
    """What each of the blocks `keys` shows at `now`, in address order; a block without approved space too (its
    rows are empty, and publish() drops it)."""
    found: dict[BlockKey, tuple[list, list]] = {key: ([], []) for key in keys}
    for version, first, last in _runs(keys):
        low, high = block_span(version, first)[0], block_span(version, last)[1]
        for start, prefixlen, end, application_id in _prefixes(version, (ApprovedPrefix.start >= low)
                                                               & (ApprovedPrefix.start <= high), now):
            entries, spans = found[(version, block_of(version, start))]
            entries.append((start, prefixlen, application_id))
            spans.append((start, end))
    _add_wide_spans(found, now)
    found_holders = holders({entry[2] for entries, _ in found.values() for entry in entries}, now)
    return [BlockRows(version, block, _with_cidr_text(version, entries), spans,
                      {entry[2]: found_holders[entry[2]] for entry in entries})  # each block's own holders
            for (version, block), (entries, spans) in sorted(found.items())]


def _runs(keys: set[BlockKey]) -> list[tuple[int, int, int]]:
    """The keys as (version, first block, last block) runs of neighbours: one range query each."""
    runs: list[list[int]] = []
    for version, block in sorted(keys):
        if runs and runs[-1][0] == version and runs[-1][2] == block - 1:
            runs[-1][2] = block
        else:
            runs.append([version, block, block])
    return [tuple(run) for run in runs]


def _prefixes(version: int, condition, now: datetime) -> list[tuple[int, int, int, int]]:
    """(start, prefix length, end, application id) of the live approved prefixes of `version` matching
    `condition`, read as raw bytes (no per-value type processing)."""
    query = (select(type_coerce(ApprovedPrefix.start, LargeBinary), ApprovedPrefix.prefixlen,
                    type_coerce(ApprovedPrefix.end, LargeBinary), ApprovedPrefix.application_id)
             .join(Application, Application.id == ApprovedPrefix.application_id)
             .where(ApprovedPrefix.version == version, condition, live(now)))
    return [(int.from_bytes(start, "big"), prefixlen, int.from_bytes(end, "big"), application_id)
            for start, prefixlen, end, application_id in db.session.connection().execute(query).cursor.fetchall()]


def _add_wide_spans(found: dict[BlockKey, tuple[list, list]], now: datetime) -> None:
    """A prefix wider than a block covers blocks after the one it starts in: its span counts in each of them.
    Such prefixes need a reviewer's override of the breadth rule, so there are few; one indexed query."""
    for version, prefix in BLOCK_PREFIX.items():
        if not any(key[0] == version for key in found):
            continue
        for start, _, end, _ in _prefixes(version, ApprovedPrefix.prefixlen < prefix, now):
            for block in blocks_of_span(version, start, end)[1:]:
                if (version, block) in found:
                    found[(version, block)][1].append((start, end))


def _with_cidr_text(version: int, entries: list[tuple[int, int, int]]) -> list[tuple[int, int, str, int]]:
    """(start, prefix length, CIDR text, application id): the text as publication has always written it."""
    if version == 4:
        texts = format_ipv4_cidrs(np.fromiter((e[0] for e in entries), np.int64, len(entries)),
                                  np.fromiter((e[1] for e in entries), np.int64, len(entries)))
    else:
        texts = [f"{format_address(6, start)}/{length}" for start, length, _ in entries]
    return [(start, length, text, application_id) for (start, length, application_id), text in zip(entries, texts)]


def holders(application_ids: set[int], now: datetime) -> dict[int, Holder]:
    """application id -> who holds it and until when, as every format writes it; for the live approvals among
    `application_ids` (read all at once when they are many: a list of 250,000 ids costs more than the join)."""
    if not application_ids:
        return {}
    query = (select(Application.id, func.coalesce(func.nullif(ApplicantProfile.name, ""), User.email),
                    func.coalesce(Application.category, ""), iso_seconds(Application.approved_at),
                    iso_seconds(Application.expires_at))
             .join(User, User.id == Application.applicant_id)
             .outerjoin(ApplicantProfile, ApplicantProfile.user_id == User.id)
             .where(live(now)))
    if len(application_ids) <= _HOLDERS_BY_ID:
        query = query.where(among(Application.id, sorted(application_ids)))
    found = db.session.connection().execute(query).cursor.fetchall()
    return {application_id: Holder(*holder) for application_id, *holder in found if application_id in application_ids}


def iso_seconds(column):
    """A UTC timestamp column as datetime.isoformat(timespec="seconds") writes it for a UTC value
    ("2024-03-01T10:15:00+00:00"; "" for NULL), formatted by the database."""
    if db.session.get_bind().dialect.name == "postgresql":
        formatted = func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')
    else:  # SQLite stores "YYYY-MM-DD HH:MM:SS.ffffff" in UTC (app.models.types.UTCDateTime)
        formatted = func.strftime("%Y-%m-%dT%H:%M:%S+00:00", column)
    return func.coalesce(formatted, "")


def store(serial: int, changed: list[tuple[RenderedBlock, dict[str, str]]], replaced: list[BlockRef]) -> None:
    """Version `serial` replaces the `replaced` blocks by the `changed` ones (each with its pieces' sha256 by
    kind); a changed block without space ends its block's history. Only pieces not stored before are written."""
    if replaced:
        db.session.execute(update(WhitelistBlock).where(among(WhitelistBlock.id, [ref.id for ref in replaced]))
                           .values(until_serial=serial))
    kept = [(block, shas) for block, shas in changed if block.entry_count or block.line_count]
    pieces = {shas[kind]: piece for block, shas in kept for kind, piece in pieces_of(block).items()}
    _store_blobs(pieces)
    if kept:
        db.session.execute(insert(WhitelistBlock), [
            {"version": block.version, "block": block.index, "from_serial": serial, "until_serial": None,
             "full": block.full, "line_count": block.line_count, "entry_count": block.entry_count,
             **{f"{kind}_sha256": shas[kind] for kind in PIECES},
             **{f"{kind}_size": len(piece) for kind, piece in pieces_of(block).items()}}
            for block, shas in kept])


def pieces_of(block: RenderedBlock) -> dict[str, bytes]:
    return {"lines": block.lines, "csv": block.csv_rows, "json": block.json_items}


def piece_shas(block: RenderedBlock) -> dict[str, str]:
    return {kind: hashlib.sha256(piece).hexdigest() for kind, piece in pieces_of(block).items()}


def rendered(keys: set[BlockKey], now: datetime) -> dict[BlockKey, RenderedBlock]:
    """Each of the blocks `keys` rendered from the database as it stands at `now`."""
    return {(rows.version, rows.index): render_block(rows) for rows in read(keys, now)}


def differs(ref: BlockRef | None, block: RenderedBlock, shas: dict[str, str]) -> bool:
    """Whether a freshly rendered block (with its pieces' sha256s) is not what `ref` recorded (None: no row)."""
    empty = not (block.entry_count or block.line_count)
    if ref is None:
        return not empty
    return empty or ref.full != block.full or any(getattr(ref, f"{kind}_sha256") != shas[kind] for kind in PIECES)


def _store_blobs(pieces: dict[str, bytes]) -> None:
    wanted = sorted(pieces)
    present: set[str] = set()
    for first in range(0, len(wanted), _BLOB_LOOKUP):
        present.update(db.session.scalars(select(WhitelistBlob.sha256).where(
            WhitelistBlob.sha256.in_(wanted[first:first + _BLOB_LOOKUP]))))
    missing = [{"sha256": sha256, "size": len(pieces[sha256]), "body": pieces[sha256]}
               for sha256 in wanted if sha256 not in present]
    if missing:
        db.session.execute(insert(WhitelistBlob), missing)


def blob_bodies(sha256s: list[str]) -> dict[str, bytes]:
    """The stored bytes of each named blob (pieces of blocks), a bounded query at a time."""
    found: dict[str, bytes] = {}
    wanted = sorted(set(sha256s))
    for first in range(0, len(wanted), _BLOB_LOOKUP):
        found.update(db.session.execute(select(WhitelistBlob.sha256, WhitelistBlob.body).where(
            WhitelistBlob.sha256.in_(bindparam("wanted", wanted[first:first + _BLOB_LOOKUP], expanding=True))
        )).all())
    return found

