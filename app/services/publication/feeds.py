"""The operators' subscriber feeds: part of every published version, one per organisation, three formats.

A feed body is a head naming the version and a rows part (app/export/subscribers.py). publish() asks plan()
which organisations' subscriptions changed since the version before (marked by dirty.py where they change,
or holding an approval that expired since): only theirs are read and their rows parts rendered; every other
organisation keeps its rows parts, stored once as WhitelistBlobs named by sha256. The version's content digest
takes each organisation's csv rows part's sha256 (its every row and holder), so a version whose subscriptions
changed but whose addresses did not is still a new serial, and an install without subscriptions digests as
before. store_feeds() then writes, in the same transaction, each organisation's SubscriberFile per format: the
new head, the rows part's sha256, and the whole body's sha256 and signature, hashed as head then rows part
stream by. The whole body is materialised in the body cache when asked for (files.body_path). An organisation
that ever had approved subscriptions gets a feed in every later version (empty once they are gone), so its
RADIUS server's next poll drops them.

Reading: feed_ref() for downloads (by serial or `latest`), feed_diff() between two versions, feeds_of() for
the webhook notice and the ISP page. Every read takes an organisation: an operator only ever sees its own.
"""
import csv
import hashlib
import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, select

from app.choices import SubscriberFormat
from app.export.snapshot import Holder
from app.export.subscribers import FEED_FORMATS, FeedHead, SubscriberFeed
from app.extensions import db
from app.models import (
    Application,
    ApprovedSubscription,
    IspOrganisation,
    SubscriberFile,
    WhitelistBlob,
    WhitelistDirtyFeed,
    WhitelistVersion,
)
from app.services.id_lists import among
from app.services.publication import block_store, dirty, signing
from app.services.publication.files import body, body_path
from app.services.publication.pieces import READ_CHUNK

# organisation id -> its approved subscriptions as (identifier, kind, application id), sorted by identifier
Subscribers = dict[int, list[tuple[str, str, int]]]


class FeedRef(NamedTuple):
    """What serving one format of one organisation's feed in one version needs, without its body."""

    serial: int
    format: str
    sha256: str
    size: int
    signature: bytes
    count: int
    published_at: datetime


class RowsPart(NamedTuple):
    """One format's rows part of one organisation's feed: rendered now (`body`), or kept from the version before
    (`body` None: read from the blob named `sha256`)."""

    sha256: str
    size: int
    body: bytes | None


class Feed(NamedTuple):
    """One organisation's feed in the next version: how many subscriptions, and each format's rows part."""

    count: int
    parts: dict[str, RowsPart]
    kept_from: dict[str, SubscriberFile]  # the version before's files, when the rows parts are theirs


class Plan(NamedTuple):
    feeds: dict[int, Feed]  # organisation id -> its feed in the next version
    rendered: int           # organisations whose rows were read and rendered again

    def content_lines(self) -> list[bytes]:
        """The subscriptions' part of a version's content digest (publish.content_digest): each organisation with
        subscriptions and its csv rows part's sha256. Nothing at all when there are none, so a register without
        subscriptions digests exactly as before they existed (no new version for the same addresses)."""
        return [b"S\t%d\t%s\n" % (organisation_id, feed.parts[SubscriberFormat.CSV].sha256.encode())
                for organisation_id, feed in sorted(self.feeds.items()) if feed.count]

    def subscriptions(self) -> int:
        return sum(feed.count for feed in self.feeds.values())


def plan(latest: WhitelistVersion | None, since: datetime | None, now: datetime, full: bool) -> Plan:
    """Every organisation's feed for a version published at `now` after `latest`: rendered again for those
    marked, those holding an approval that expired in (since, now], those whose files before have no rows parts
    (published before migration 0018) or another Filter-Id, and all of them when `full`; kept for the others."""
    marked = dirty.take_feeds()
    before = _files_of(latest.serial) if latest is not None else {}
    filter_id = current_app.config["RADIUS_FILTER_ID"]
    kept = {} if full else {organisation_id: files for organisation_id, files in before.items()
                            if organisation_id not in marked and _reusable(files, filter_id)}
    if since is not None:
        for organisation_id in _expiring(since, now):
            kept.pop(organisation_id, None)
    # Every organisation the first time and in a full publication; else those marked or not kept (an organisation
    # without a feed yet is marked by its first approved subscription).
    to_read = None if full or latest is None else (marked | set(before)) - set(kept)
    fresh, holders = approved_subscriptions(now, to_read) if to_read != set() else ({}, {})
    feeds = {organisation_id: Feed(files[SubscriberFormat.CSV].count,
                                   {fmt: RowsPart(file.rows_sha256, file.size - len(file.head), None)
                                    for fmt, file in files.items()}, files)
             for organisation_id, files in kept.items()}
    for organisation_id in (set(fresh) | set(before)) - set(kept):
        rows = fresh.get(organisation_id, [])
        feed = SubscriberFeed(0, now, "", rows, holders, filter_id)
        parts = {}
        for fmt, parts_of in FEED_FORMATS.items():
            rendered = parts_of.rows(feed)
            parts[fmt] = RowsPart(hashlib.sha256(rendered).hexdigest(), len(rendered), rendered)
        feeds[organisation_id] = Feed(len(rows), parts, {})
    return Plan(feeds, len(feeds) - len(kept))


def _files_of(serial: int) -> dict[int, dict[str, SubscriberFile]]:
    found: dict[int, dict[str, SubscriberFile]] = {}
    for file in db.session.scalars(select(SubscriberFile).where(SubscriberFile.serial == serial)):
        found.setdefault(file.organisation_id, {})[file.format] = file
    return found


def _reusable(files: dict[str, SubscriberFile], filter_id: str) -> bool:
    """Whether an organisation's files of the version before have rows parts that the next version can keep: all
    formats there, each with its rows part, and the radius part written for today's Filter-Id (in its head)."""
    if set(files) != set(FEED_FORMATS) or any(file.rows_sha256 is None for file in files.values()):
        return False
    radius = files[SubscriberFormat.RADIUS]
    return radius.head == FEED_FORMATS[SubscriberFormat.RADIUS].head(
        FeedHead(radius.serial, _published_at(radius.serial), _organisation_name(radius.organisation_id),
                 radius.count, filter_id))


def _published_at(serial: int) -> datetime:
    return db.session.scalar(select(WhitelistVersion.published_at).where(WhitelistVersion.serial == serial))


def _organisation_name(organisation_id: int) -> str:
    return db.session.scalar(select(IspOrganisation.name).where(IspOrganisation.id == organisation_id))


def _expiring(since: datetime, now: datetime) -> set[int]:
    """The organisations serving subscriptions of approvals whose expiry fell in (since, now]."""
    return set(db.session.scalars(
        select(ApprovedSubscription.organisation_id).distinct()
        .join(Application, Application.id == ApprovedSubscription.application_id)
        .where(*block_store.expired_in(since, now))))


def approved_subscriptions(now: datetime, organisation_ids: set[int] | None = None) \
        -> tuple[Subscribers, dict[int, Holder]]:
    """The approved subscriptions of live approvals at `now` per organisation (of `organisation_ids`, or all),
    and the holders of their applications. One Core query of plain tuples: 500,000 rows must cost well under a
    second."""
    query = (select(ApprovedSubscription.organisation_id, ApprovedSubscription.identifier, ApprovedSubscription.kind,
                    ApprovedSubscription.application_id)
             .join(Application, Application.id == ApprovedSubscription.application_id).where(block_store.live(now)))
    if organisation_ids is not None:
        query = query.where(among(ApprovedSubscription.organisation_id, sorted(organisation_ids)))
    found = db.session.connection().execute(query).cursor.fetchall()
    subscribers: Subscribers = {}
    for organisation_id, identifier, kind, application_id in found:
        subscribers.setdefault(organisation_id, []).append((identifier, kind, application_id))
    for rows in subscribers.values():
        rows.sort()
    return subscribers, block_store.holders({row[3] for row in found}, now)


def stale_organisations(version: WhitelistVersion, now: datetime) -> list[int]:
    """The organisations whose feed in `version` does not show their approved subscriptions at `now`, though
    nothing waits to publish them (not marked, no approval of theirs expired since): a change that failed to
    mark them, which `flask whitelist verify` reports and `flask whitelist publish --full` repairs. The csv is
    compared: it has no head, so its sha256 is its rows part's, in files of any age."""
    waiting = set(db.session.scalars(select(WhitelistDirtyFeed.organisation_id))) | _expiring(version.published_at,
                                                                                             now)
    recorded = {organisation_id: files[SubscriberFormat.CSV].sha256
                for organisation_id, files in _files_of(version.serial).items() if SubscriberFormat.CSV in files}
    fresh, holders = approved_subscriptions(now, None)
    filter_id = current_app.config["RADIUS_FILTER_ID"]
    stale = []
    for organisation_id in sorted((set(recorded) | set(fresh)) - waiting):
        rows = FEED_FORMATS[SubscriberFormat.CSV].rows(
            SubscriberFeed(version.serial, now, "", fresh.get(organisation_id, []), holders, filter_id))
        if recorded.get(organisation_id) != hashlib.sha256(rows).hexdigest():
            stale.append(organisation_id)
    return stale


def store_feeds(version: WhitelistVersion, planned: Plan) -> int:
    """Write each organisation's feed files for `version` (just flushed): its heads, its rows parts (stored as
    blobs when new) and each whole body's sha256 and signature. Returns how many subscriptions they hold."""
    names = dict(db.session.execute(select(IspOrganisation.id, IspOrganisation.name).where(
        among(IspOrganisation.id, sorted(planned.feeds)))).all())
    filter_id = current_app.config["RADIUS_FILTER_ID"]
    signer = signing.streaming_signer()
    new_parts = {part.sha256: part.body for feed in planned.feeds.values() for part in feed.parts.values()
                 if part.body is not None}
    stored = set(db.session.scalars(select(WhitelistBlob.sha256).where(WhitelistBlob.sha256.in_(sorted(new_parts)))))
    db.session.add_all([WhitelistBlob(sha256=sha256, size=len(rows), body=rows)
                        for sha256, rows in new_parts.items() if sha256 not in stored])
    db.session.flush()
    files = []
    # Hashing and signing let go of the GIL: one thread seals each body while this one reads the next.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="feeds-seal") as sealer:
        sealing = []
        for organisation_id, feed in sorted(planned.feeds.items()):
            facts = FeedHead(version.serial, version.published_at, names[organisation_id], feed.count, filter_id)
            for fmt, part in feed.parts.items():
                head = FEED_FORMATS[fmt].head(facts)
                before = feed.kept_from.get(fmt)
                if not head and before is not None:  # csv: the whole body is the rows part, sealed before
                    files.append((organisation_id, fmt, feed.count, head, part.sha256, before.size, before.sha256,
                                  before.signature))
                    continue
                context = f"{version.serial}/{organisation_id}/{fmt}".encode()
                rows = part.body if part.body is not None else body_path(part.sha256, part.size)
                sealing.append((organisation_id, fmt, feed.count, head, part.sha256, len(head) + part.size,
                                sealer.submit(_seal, signer, context, head, rows)))
        files += [(*row, *seal.result()) for *row, seal in sealing]
    db.session.add_all([SubscriberFile(serial=version.serial, organisation_id=organisation_id, format=fmt,
                                       sha256=sha256, size=size, signature=signature, count=count, head=head,
                                       rows_sha256=rows_sha256)
                        for organisation_id, fmt, count, head, rows_sha256, size, sha256, signature in files])
    return planned.subscriptions()


def _seal(signer: signing.StreamingSigner, context: bytes, head: bytes, rows: bytes | Path) -> tuple[str, bytes]:
    """sha256 and signature of head + rows part; a kept rows part is read from the body cache a chunk at a time."""
    digest, signature = hashlib.sha256(), signer.begin(context)
    for chunk in _chunks(head, rows):
        digest.update(chunk)
        signature.update(chunk)
    return digest.hexdigest(), signature.finish()


def _chunks(head: bytes, rows: bytes | Path) -> Iterator[bytes]:
    yield head
    if isinstance(rows, bytes):
        yield rows
        return
    with rows.open("rb") as part:
        yield from iter(lambda: part.read(READ_CHUNK), b"")


_REF_COLUMNS = (select(SubscriberFile.serial, SubscriberFile.format, SubscriberFile.sha256, SubscriberFile.size,
                       SubscriberFile.signature, SubscriberFile.count, WhitelistVersion.published_at)
                .join(WhitelistVersion, WhitelistVersion.serial == SubscriberFile.serial))


def feed_ref(serial: int, organisation: IspOrganisation, fmt: str) -> FeedRef | None:
    """`fmt` of `organisation`'s feed in version `serial`; None when it has none there."""
    row = db.session.execute(_REF_COLUMNS.where(SubscriberFile.serial == serial, SubscriberFile.format == fmt,
                                                SubscriberFile.organisation_id == organisation.id)).first()
    return FeedRef(*row) if row else None


def feeds_of(serial: int, organisation: IspOrganisation) -> list[FeedRef]:
    """The organisation's feed in version `serial`, in SubscriberFormat.ALL order; [] when it has none."""
    rows = db.session.execute(_REF_COLUMNS.where(SubscriberFile.serial == serial,
                                                 SubscriberFile.organisation_id == organisation.id)).all()
    order = {fmt: n for n, fmt in enumerate(SubscriberFormat.ALL)}
    return sorted((FeedRef(*row) for row in rows), key=lambda ref: order.get(ref.format, len(order)))


def first_feed_serial(organisation: IspOrganisation) -> int | None:
    """The first version with a feed for this organisation (it has one in every version after)."""
    return db.session.scalar(select(func.min(SubscriberFile.serial))
                             .where(SubscriberFile.organisation_id == organisation.id))


def _identifiers(serial: int, organisation: IspOrganisation) -> list[str]:
    """The identifiers of the organisation's csv feed in version `serial`, in order ([] without a feed)."""
    ref = feed_ref(serial, organisation, SubscriberFormat.CSV)
    if ref is None:
        return []
    reader = csv.reader(io.StringIO(body(ref.sha256).decode()))
    next(reader, None)  # the header
    return [row[0] for row in reader if row]


def feed_diff(old_serial: int, new_serial: int, organisation: IspOrganisation) -> dict:
    """The organisation's identifiers in version `new_serial` and not in `old_serial` ("added"), and the
    reverse ("removed"), each sorted as the feed is. A version before its first feed counts as empty."""
    old = _identifiers(old_serial, organisation)
    new = _identifiers(new_serial, organisation) if new_serial != old_serial else old
    old_set, new_set = set(old), set(new)
    return {"from": old_serial, "to": new_serial, "added": [i for i in new if i not in old_set],
            "removed": [i for i in old if i not in new_set]}
