"""Publishing the whitelist: approved space now -> an immutable, signed, numbered version.

publish() runs inside the transaction that changed the approved space (a batch approval, a
revocation, the expiry job, `flask whitelist publish`), so the caller knows the serial at once
and a rolled-back approval leaves no version behind. Serials are gap-free: publications take one
lock, read the latest serial and add one. Publishing when nothing changed makes no version.
"""
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from flask import current_app
from sqlalchemy import LargeBinary, func, select, text, type_coerce

from app import audit
from app.addresses import AddressRange, RangeColumns, aggregate_columns, format_ipv4_cidrs
from app.addresses.ranges import format_address
from app.after_commit import call_after_commit
from app.choices import State
from app.export import RENDERERS, Holder, Snapshot
from app.extensions import db
from app.models import (
    ApplicantProfile,
    Application,
    ApprovedPrefix,
    User,
    WhitelistBlob,
    WhitelistFile,
    WhitelistVersion,
)
from app.models.types import utcnow
from app.services.publication import audit_checkpoints, feeds, files, signing, webhooks
from app.system.memory import without_cyclic_gc

_PUBLISH_LOCK_KEY = 0x5241_5057  # "RAPW": one PostgreSQL advisory lock serialises publications


def _lock_publication() -> None:
    """Held until the transaction ends, so two publications cannot take the same serial."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PUBLISH_LOCK_KEY})
    else:
        # SQLite's one write lock, taken now by a write that matches no row.
        db.session.execute(text("UPDATE whitelist_versions SET serial = serial WHERE 0"))


def latest_version() -> WhitelistVersion | None:
    return db.session.scalars(select(WhitelistVersion).order_by(WhitelistVersion.serial.desc()).limit(1)).first()


def _live(now):
    return (Application.state == State.APPROVED) & (Application.expires_at.is_(None) | (Application.expires_at > now))


def _holders(now) -> dict[int, Holder]:
    """application id -> who holds it and until when, for every live approval.

    Read as the driver's own tuples with the dates written as text by the database: a Python datetime
    per value, then its isoformat(), cost a second at 250,000 applications."""
    query = (select(Application.id, func.coalesce(func.nullif(ApplicantProfile.name, ""), User.email),
                    func.coalesce(Application.category, ""), _iso_seconds(Application.approved_at),
                    _iso_seconds(Application.expires_at))
             .join(User, User.id == Application.applicant_id)
             .outerjoin(ApplicantProfile, ApplicantProfile.user_id == User.id)
             .where(_live(now)))
    found = db.session.connection().execute(query).cursor.fetchall()
    return {application_id: Holder(*holder) for application_id, *holder in found}


def _iso_seconds(column):
    """A UTC timestamp column as datetime.isoformat(timespec="seconds") writes it for a UTC value
    ("2024-03-01T10:15:00+00:00"; "" for NULL), formatted by the database."""
    if db.session.get_bind().dialect.name == "postgresql":
        formatted = func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')
    else:  # SQLite stores "YYYY-MM-DD HH:MM:SS.ffffff" in UTC (app.models.types.UTCDateTime)
        formatted = func.strftime("%Y-%m-%dT%H:%M:%S+00:00", column)
    return func.coalesce(formatted, "")


def approved_entries(now=None) -> tuple[list[tuple[str, int]], dict[int, Holder], RangeColumns]:
    """(cidr, application id) of every CIDR of every approved, unexpired entry, in address order; the
    holder of each application; and the same CIDRs as ranges to aggregate.

    Built for a million prefixes (the per-row Python work is what costs): each application's holder
    is read once, not once per prefix; prefixes come back as plain driver tuples, UInt128's raw
    bytes, unsorted; IPv4 is decoded, sorted and written as text with numpy. The CIDR text is the
    address engine's, from (start, prefix length), so it reads the same on both databases.
    """
    now = now or utcnow()
    holders = _holders(now)
    query = (select(ApprovedPrefix.version, type_coerce(ApprovedPrefix.start, LargeBinary), ApprovedPrefix.prefixlen,
                    ApprovedPrefix.application_id)
             .join(Application, Application.id == ApprovedPrefix.application_id)
             .where(_live(now)))
    # The driver's own tuples: no Row objects, no type processing (the columns need none).
    found = db.session.connection().execute(query).cursor.fetchall()
    v4 = [row for row in found if row[0] == 4]
    v6 = sorted((int.from_bytes(start, "big"), length, application_id)
                for version, start, length, application_id in found if version == 6)
    del found
    # IPv4 values are the low 8 of UInt128's 16 big-endian bytes.
    v4_starts = np.frombuffer(b"".join([row[1] for row in v4]), dtype=">u8")[1::2].astype(np.int64)
    v4_lengths = np.fromiter((row[2] for row in v4), dtype=np.int64, count=len(v4))
    v4_applications = np.fromiter((row[3] for row in v4), dtype=np.int64, count=len(v4))
    order = np.lexsort((v4_applications, v4_lengths, v4_starts))  # by address, then length, then application
    v4_starts, v4_lengths = v4_starts[order], v4_lengths[order]
    texts = format_ipv4_cidrs(v4_starts, v4_lengths)
    texts += [f"{format_address(6, start)}/{length}" for start, length, _ in v6]
    application_ids = v4_applications[order].tolist() + [application_id for _, _, application_id in v6]
    entries = list(zip(texts, application_ids))
    v4_ends = v4_starts | ((np.int64(1) << (32 - v4_lengths)) - 1)
    v6_ranges = [AddressRange.from_cidr(6, start, length) for start, length, _ in v6]
    return entries, holders, RangeColumns(v4_starts, v4_ends, v6_ranges)


def content_digest(entries: list[tuple[str, int]], holders: dict[int, Holder],
                   subscribers: feeds.Subscribers | None = None) -> str:
    """sha256 of the rows (entries joined with their holders, then the approved subscriptions), a line each,
    fields tab-separated: what every format and feed is rendered from. Each holder's fields are written once,
    as in the renderers."""
    tails = {application_id: "".join(f"\t{field}" for field in (application_id, *holder)).encode() + b"\n"
             for application_id, holder in holders.items()}
    return hashlib.sha256(b"".join([cidr.encode() + tails[application_id] for cidr, application_id in entries]
                                   + feeds.content_lines(subscribers or {}, tails))).hexdigest()


def publish(reason: str, actor=None) -> WhitelistVersion | None:
    """A new version of what is approved now, or None when it equals the latest. The caller commits."""
    # Reading and rendering a million rows makes millions of tuples and strings, none in a cycle; the
    # collector's full passes, which scan every live object, took a third of publish() at 1M rows.
    with without_cyclic_gc():
        return _publish(reason, actor)


def _publish(reason: str, actor) -> WhitelistVersion | None:
    _lock_publication()
    now = utcnow()
    entries, holders, columns = approved_entries(now)
    subscribers = feeds.approved_subscriptions(holders)
    content = content_digest(entries, holders, subscribers)
    latest = latest_version()
    if latest is not None and latest.content_sha256 == content:
        return None
    serial = latest.serial + 1 if latest else 1
    cidrs = aggregate_columns(columns)
    event = audit.record("whitelist.published", ("whitelist_version", serial), actor=actor, reason=reason,
                         entries=len(entries), prefixes=len(cidrs), content_sha256=content,
                         **({"subscriptions": sum(map(len, subscribers.values()))} if subscribers else {}))
    audit_checkpoints.sign_head(event)  # ISPs hold this head in the signed JSON; auditors verify it
    version = WhitelistVersion(serial=serial, published_at=event.at, published_by_id=event.actor_id,
                               reason=reason[:WhitelistVersion.reason.type.length], entry_count=len(entries),
                               prefix_count=len(cidrs), content_sha256=content, audit_head_seq=event.seq,
                               audit_head_hash=event.hash)
    db.session.add(version)
    db.session.flush()
    snapshot = Snapshot(serial, event.at, entries, holders, cidrs, event.seq, event.hash)
    for fmt, (body, sha256, signature) in _rendered_and_sealed(snapshot).items():
        _store(version, fmt, body, sha256, signature)
    db.session.flush()
    version.subscription_count = feeds.store_feeds(version, subscribers, holders)
    db.session.flush()
    current_app.logger.info("whitelist version %s published: %s entries, %s prefixes, %s subscriptions (%s)",
                            serial, len(entries), len(cidrs), version.subscription_count, reason)
    # This process's polls see the new version from the commit on (other processes within POLL_CACHE_SECONDS).
    call_after_commit(files.recent_latest(current_app).clear)
    webhooks.queue_notices(version)
    return version


def _rendered_and_sealed(snapshot: Snapshot) -> dict[str, tuple[bytes, str, bytes]]:
    """Each format's (body, sha256, Ed25519 signature).

    Hashing and signing half a gigabyte of bodies takes over a second at a million entries, and both
    let go of the GIL: one thread seals each body while this one renders the next."""
    sign = signing.signer()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="publication-seal") as sealer:
        sealing = {}
        for fmt, renderer in RENDERERS.items():
            body = renderer(snapshot)
            sealing[fmt] = (body, sealer.submit(_seal, sign, body))
    return {fmt: (body, *seal.result()) for fmt, (body, seal) in sealing.items()}


def _seal(sign: Callable[[bytes], bytes], body: bytes) -> tuple[str, bytes]:
    return hashlib.sha256(body).hexdigest(), sign(body)


def _store(version: WhitelistVersion, fmt: str, body: bytes, sha256: str, signature: bytes) -> None:
    if db.session.get(WhitelistBlob, sha256) is None:
        db.session.add(WhitelistBlob(sha256=sha256, size=len(body), body=body))
    db.session.add(WhitelistFile(serial=version.serial, format=fmt, sha256=sha256, size=len(body),
                                 signature=signature))
