"""The operators' subscriber feeds: part of every published version, one per organisation, three formats.

publish() reads the approved subscriptions with the approved space (approved_subscriptions), counts them in
the version's content (a version whose subscriptions changed but whose addresses did not is still a new
serial), and calls store_feeds() in the same transaction: each organisation's csv, json and radius bodies
(app/export/subscribers.py) are signed with the whitelist key and stored as WhitelistBlobs, named by sha256,
in SubscriberFile rows that never change once written. An organisation that ever had approved subscriptions
gets a feed in every later version (empty once they are gone), so its RADIUS server's next poll drops them.

Reading: feed_ref() for downloads (by serial or `latest`), feed_diff() between two versions, feeds_of() for
the webhook notice and the ISP page. Every read takes an organisation: an operator only ever sees its own.
"""
import csv
import hashlib
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, select

from app.choices import SubscriberFormat
from app.export.snapshot import Holder
from app.export.subscribers import SUBSCRIBER_RENDERERS, SubscriberFeed
from app.extensions import db
from app.models import (
    Application,
    ApprovedSubscription,
    IspOrganisation,
    SubscriberFile,
    WhitelistBlob,
    WhitelistVersion,
)
from app.services.publication import block_store, signing
from app.services.publication.files import body

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


def approved_subscriptions(now: datetime) -> tuple[Subscribers, dict[int, Holder]]:
    """Every approved subscription of a live approval at `now`, per organisation, and the holders of their
    applications. One Core query of plain tuples: 500,000 rows must cost well under a second."""
    query = (select(ApprovedSubscription.organisation_id, ApprovedSubscription.identifier, ApprovedSubscription.kind,
                    ApprovedSubscription.application_id)
             .join(Application, Application.id == ApprovedSubscription.application_id).where(block_store.live(now)))
    found = db.session.connection().execute(query).cursor.fetchall()
    subscribers: Subscribers = {}
    for organisation_id, identifier, kind, application_id in found:
        subscribers.setdefault(organisation_id, []).append((identifier, kind, application_id))
    for rows in subscribers.values():
        rows.sort()
    return subscribers, block_store.holders({row[3] for row in found}, now)


def content_lines(subscribers: Subscribers, tails: dict[int, bytes]) -> list[bytes]:
    """The subscriptions' part of a version's content digest (publish.content_digest): a line each, with
    their application's holder `tails`. Nothing at all when there are none, so a register without
    subscriptions digests exactly as before they existed (no new version for the same addresses)."""
    return [b"S\t%d\t%s\t%s" % (organisation_id, identifier.encode(), kind.encode()) + tails[application_id]
            for organisation_id in sorted(subscribers)
            for identifier, kind, application_id in subscribers[organisation_id]]


def store_feeds(version: WhitelistVersion, subscribers: Subscribers, holders: dict[int, Holder]) -> int:
    """Render, sign and store each organisation's feed for `version` (just flushed); returns how many
    subscriptions they hold. Organisations that had a feed in the version before get one even when empty."""
    before = set(db.session.scalars(select(SubscriberFile.organisation_id).distinct()
                                    .where(SubscriberFile.serial == version.serial - 1)))
    organisations = dict(db.session.execute(select(IspOrganisation.id, IspOrganisation.name).where(
        IspOrganisation.id.in_(before | set(subscribers)))).all())
    filter_id = current_app.config["RADIUS_FILTER_ID"]
    stored: set[str] = {sha256 for sha256 in db.session.scalars(select(WhitelistBlob.sha256).where(
        WhitelistBlob.sha256.in_(select(SubscriberFile.sha256).where(SubscriberFile.serial == version.serial - 1))))}
    sign = signing.signer()
    # Hashing and signing let go of the GIL: one thread seals each body while this one renders the next.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="feeds-seal") as sealer:
        sealing = []
        for organisation_id in sorted(organisations):
            rows = subscribers.get(organisation_id, [])
            feed = SubscriberFeed(version.serial, version.published_at, organisations[organisation_id], rows,
                                  holders, filter_id)
            for fmt, renderer in SUBSCRIBER_RENDERERS.items():
                rendered = renderer(feed)
                sealing.append((organisation_id, fmt, len(rows), rendered, sealer.submit(_seal, sign, rendered)))
        sealed = [(organisation_id, fmt, count, rendered, *seal.result())
                  for organisation_id, fmt, count, rendered, seal in sealing]
    for _, _, _, rendered, sha256, _ in sealed:
        if sha256 not in stored and db.session.get(WhitelistBlob, sha256) is None:
            db.session.add(WhitelistBlob(sha256=sha256, size=len(rendered), body=rendered))
        stored.add(sha256)
    db.session.flush()  # the bodies first: a file's foreign key names one
    db.session.add_all([SubscriberFile(serial=version.serial, organisation_id=organisation_id, format=fmt,
                                       sha256=sha256, size=len(rendered), signature=signature, count=count)
                        for organisation_id, fmt, count, rendered, sha256, signature in sealed])
    return sum(len(rows) for rows in subscribers.values())


def _seal(sign: Callable[[bytes], bytes], body: bytes) -> tuple[str, bytes]:
    return hashlib.sha256(body).hexdigest(), sign(body)


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
