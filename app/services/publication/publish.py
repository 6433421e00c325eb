"""Publishing the whitelist: approved space now -> an immutable, signed, numbered version.

publish() runs inside the transaction that changed the approved space (a batch approval, a
revocation, the expiry job, `flask whitelist publish`), so the caller knows the serial at once
and a rolled-back approval leaves no version behind. Serials are gap-free: publications take one
lock, read the latest serial and add one. Publishing when nothing changed makes no version.

A version is its address blocks' pieces (block_store), so publishing re-renders only the blocks marked since the
last version (dirty: what approvals, revocations, expiries and renamed holders touched) and keeps the rest: at a
million approved entries an approval re-renders a few thousand rows, not a million. The bodies are then streamed
from this host's piece files (pieces), hashed and signed (bodies) into the body cache every download is served
from. `full=True` (`flask whitelist publish --full`) re-renders every block from the database instead; the bodies
are the same bytes either way, which `flask whitelist verify` checks.
"""
import hashlib
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, text

from app import audit
from app.after_commit import call_after_commit
from app.choices import WhitelistFormat
from app.export.blocks import RenderedBlock
from app.extensions import db
from app.models import WhitelistFile, WhitelistVersion
from app.models.types import utcnow
from app.services.publication import (
    audit_checkpoints,
    block_store,
    bodies,
    dirty,
    feeds,
    files,
    pieces,
    webhooks,
)
from app.services.publication.block_store import BlockRef, pieces_of
from app.services.publication.dirty import BlockKey
from app.system.memory import without_cyclic_gc

_PUBLISH_LOCK_KEY = 0x5241_5057  # "RAPW": one PostgreSQL advisory lock serialises publications
# The expiry of an approval takes it out of the list even before the expiry job removes its space. Its blocks are
# re-rendered by the first publication after it: those whose expiry fell since the last version, with a margin
# for the seconds between that version's reading of the time and its publication time (marking more costs nothing).
EXPIRY_MARGIN = timedelta(minutes=5)


def _lock_publication() -> None:
    """Held until the transaction ends, so two publications cannot take the same serial."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PUBLISH_LOCK_KEY})
    else:
        # SQLite's one write lock, taken now by a write that matches no row.
        db.session.execute(text("UPDATE whitelist_versions SET serial = serial WHERE 0"))


def latest_version() -> WhitelistVersion | None:
    return db.session.scalars(select(WhitelistVersion).order_by(WhitelistVersion.serial.desc()).limit(1)).first()


def publish(reason: str, actor=None, full: bool = False) -> WhitelistVersion | None:
    """A new version of what is approved now, or None when it equals the latest. The caller commits.

    full: re-render every block from the database rather than only the marked ones (the same bytes)."""
    # Rendering many rows makes many tuples and strings, none in a cycle: the collector's full passes, which scan
    # every live object, would take a third of the time of a full publication.
    with without_cyclic_gc():
        return _publish(reason, actor, full)


def _publish(reason: str, actor, full: bool) -> WhitelistVersion | None:
    _lock_publication()
    now = utcnow()
    latest = latest_version()
    before = block_store.current()
    keys = dirty.take()
    if full:
        keys |= block_store.keys_with_space(now) | {ref.key for ref in before}
    elif latest is not None:
        keys |= block_store.expiring_keys(latest.published_at - EXPIRY_MARGIN, now)
    rendered = block_store.rendered(keys, now)
    shas = {key: block_store.piece_shas(block) for key, block in rendered.items()}
    was = {ref.key: ref for ref in before}
    changed = [key for key in sorted(rendered) if block_store.differs(was.get(key), rendered[key], shas[key])]
    after = _blocks_after(before, {key: (rendered[key], shas[key]) for key in changed})
    planned = feeds.plan(latest, latest.published_at - EXPIRY_MARGIN if latest is not None else None, now, full)
    content = content_digest(after, planned)
    if latest is not None and latest.content_sha256 == content:
        return None
    serial = latest.serial + 1 if latest else 1
    counts = bodies.counts_of(after)
    prefixes = counts.v4_prefixes + counts.v6_prefixes
    event = audit.record_head("whitelist.published", ("whitelist_version", serial), actor=actor, reason=reason,
                         entries=counts.entries, prefixes=prefixes, content_sha256=content,
                         **({"subscriptions": planned.subscriptions()} if planned.subscriptions() else {}))
    audit_checkpoints.sign_head(event)  # ISPs hold this head in the signed JSON; auditors verify it
    version = WhitelistVersion(serial=serial, published_at=event.at, published_by_id=event.actor_id,
                               reason=reason[:WhitelistVersion.reason.type.length], entry_count=counts.entries,
                               prefix_count=prefixes, content_sha256=content, audit_head_seq=event.seq,
                               audit_head_hash=event.hash)
    db.session.add(version)
    db.session.flush()
    block_store.store(serial, [(rendered[key], shas[key]) for key in changed],
                      replaced=[was[key] for key in changed if key in was])
    previous = (pieces.existing(latest.serial, latest.content_sha256, before,
                                *files.cached_bodies(latest, (WhitelistFormat.CSV, WhitelistFormat.JSON)))
                if latest is not None and not full else None)
    local = pieces.build(serial, content, after, {key: pieces_of(block) for key, block in rendered.items()}, previous)
    written = bodies.write_all(files.facts(version), local, files.cache_dir())
    db.session.add_all([WhitelistFile(serial=serial, format=fmt, sha256=sealed.sha256, size=sealed.size,
                                      signature=sealed.signature) for fmt, sealed in written.items()])
    db.session.flush()
    files.prune_cache(files.cache_dir(), keep={sealed.sha256 for sealed in written.values()})
    version.subscription_count = feeds.store_feeds(version, planned)
    db.session.flush()
    current_app.logger.info("whitelist version %s published: %s entries, %s prefixes, %s subscriptions, %s of %s "
                            "blocks and %s of %s feeds rendered again (%s)", serial, counts.entries, prefixes,
                            version.subscription_count, len(changed), len(after), planned.rendered,
                            len(planned.feeds), reason)
    # This process's polls see the new version from the commit on (other processes within POLL_CACHE_SECONDS).
    call_after_commit(files.recent_latest(current_app).clear)
    webhooks.queue_notices(version)
    return version


def _blocks_after(before: list[BlockRef], changed: dict[BlockKey, tuple[RenderedBlock, dict[str, str]]]) \
        -> list[BlockRef]:
    """The blocks of the new version, in address order: those before, with the changed ones replaced, added or,
    left without space, dropped."""
    blocks = {ref.key: ref for ref in before if ref.key not in changed}
    for key, (block, shas) in changed.items():
        if block.entry_count or block.line_count:
            sizes = {f"{kind}_size": len(piece) for kind, piece in pieces_of(block).items()}
            blocks[key] = BlockRef(0, block.version, block.index, block.full, block.line_count, block.entry_count,
                                   lines_sha256=shas["lines"], csv_sha256=shas["csv"], json_sha256=shas["json"],
                                   **sizes)
    return [blocks[key] for key in sorted(blocks)]


def content_digest(blocks: list[BlockRef], planned: feeds.Plan) -> str:
    """sha256 of what a version holds: each block's json piece (its rows, every field of each, which the other
    pieces are made from), then each organisation's subscriptions (its csv rows part's sha256: every row with its
    holder). Equal digests, equal versions."""
    digest = hashlib.sha256()
    for ref in blocks:
        digest.update(b"%d\t%d\t%s\n" % (ref.version, ref.block, ref.json_sha256.encode()))
    for line in planned.content_lines():
        digest.update(line)
    return digest.hexdigest()
