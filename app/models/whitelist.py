"""Published whitelist versions, their format bodies, and the approved space the database guards.

A numbered version never changes once written. Its bodies are assembled from the pieces of its address blocks
(WhitelistBlock), which live in the database as blobs addressed by their sha256, so every web host behind one
database assembles identical bytes; the operators' feeds are whole blobs.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import Network, UInt128, UTCDateTime, utcnow


class WhitelistVersion(db.Model):
    __tablename__ = "whitelist_versions"

    serial: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    entry_count: Mapped[int] = mapped_column(default=0)    # approved entries (rows of csv/json)
    prefix_count: Mapped[int] = mapped_column(default=0)   # aggregated CIDRs (lines of txt)
    subscription_count: Mapped[int] = mapped_column(default=0)  # approved subscriptions, all operators' feeds
    # sha256 of what was approved (entries and their metadata): publishing the same again makes no version.
    content_sha256: Mapped[str] = mapped_column(String(64))
    # The audit chain head at publication: the `whitelist.published` event itself.
    audit_head_seq: Mapped[int | None]
    audit_head_hash: Mapped[str | None] = mapped_column(String(64))

    published_by = relationship("User")
    files: Mapped[list["WhitelistFile"]] = relationship(order_by="WhitelistFile.format")


class WhitelistBlob(db.Model):
    """A format body, stored once however many versions share it."""

    __tablename__ = "whitelist_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    body: Mapped[bytes] = mapped_column(LargeBinary)


class WhitelistFile(db.Model):
    """One format of one version: its body's sha256 and size, and its Ed25519 signature. The body is a
    WhitelistBlob for versions published before blocks (migration 0016), else assembled from the version's
    blocks (app.services.publication.bodies)."""

    __tablename__ = "whitelist_files"

    serial: Mapped[int] = mapped_column(ForeignKey("whitelist_versions.serial"), primary_key=True)
    format: Mapped[str] = mapped_column(String(10), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class WhitelistBlock(db.Model):
    """One address block's pieces of the whitelist, from version `from_serial` until (not including) `until_serial`
    (None: still current).

    A block is a fixed CIDR (app.export.blocks.BLOCK_PREFIX: an IPv4 /14, an IPv6 /20) numbered `block` within its
    family. Its pieces are blobs: `lines`, the aggregated CIDRs of the approved space inside it (txt lines); `csv`
    and `json`, the rows of csv and json of the approved prefixes starting in it. A version's bodies are its
    blocks' pieces in address order between each format's head and tail, so publishing re-renders only the blocks
    that changed. A block without approved space has no row."""

    __tablename__ = "whitelist_blocks"
    __table_args__ = (Index("ix_whitelist_blocks_current", "until_serial", "version", "block"),
                      Index("ix_whitelist_blocks_from", "from_serial"))

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int]  # 4 or 6
    block: Mapped[int]
    from_serial: Mapped[int]
    until_serial: Mapped[int | None]
    full: Mapped[bool]  # the approved space covers the whole block
    line_count: Mapped[int]
    entry_count: Mapped[int]
    lines_sha256: Mapped[str] = mapped_column(String(64))
    lines_size: Mapped[int]
    csv_sha256: Mapped[str] = mapped_column(String(64))
    csv_size: Mapped[int]
    json_sha256: Mapped[str] = mapped_column(String(64))
    json_size: Mapped[int]


class WhitelistDirtyBlock(db.Model):
    """An address block whose approved space, or a holder of it, changed since the last publication: written in the
    transaction that changes it (approved_space, profiles), taken by the next publish()."""

    __tablename__ = "whitelist_dirty_blocks"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    block: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class WhitelistDirtyFeed(db.Model):
    """An organisation whose approved subscriptions, or a holder of them, changed since the last publication:
    written with the change (approved_space, profiles), taken by the next publish(), which renders its feed's
    rows again; every other organisation's feed keeps its rows part and gets a new head."""

    __tablename__ = "whitelist_dirty_feeds"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("isp_organisations.id"), primary_key=True,
                                                 autoincrement=False)


class SubscriberFile(db.Model):
    """One format of one organisation's subscriber feed in one version: which body, its signature, its rows.

    The body is `head` (naming the version) followed by the rows part, a WhitelistBlob named `rows_sha256` that
    every version with the same subscriptions shares (app/export/subscribers.py); `sha256` is the whole body's,
    materialised in the body cache when asked for. Files published before migration 0018 have no head and no
    rows part: their whole body is the blob named `sha256`. An organisation that ever had approved subscriptions
    has a file in every later version (an empty feed once they are all gone), so a RADIUS server polling
    `latest` always gets the current list."""

    __tablename__ = "subscriber_files"

    serial: Mapped[int] = mapped_column(ForeignKey("whitelist_versions.serial"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("isp_organisations.id"), primary_key=True)
    format: Mapped[str] = mapped_column(String(10), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    count: Mapped[int]  # subscriptions in the feed
    head: Mapped[bytes | None] = mapped_column(LargeBinary)
    rows_sha256: Mapped[str | None] = mapped_column(String(64))


class ApprovedPrefix(db.Model):
    """One CIDR of one approved entry: the approved space, one row per prefix.

    On PostgreSQL an exclusion constraint (migration 0004) refuses two overlapping prefixes of
    different applicants, so no code path can approve the same space twice. The integer columns
    serve the overlap queries on both databases: a prefix overlaps `p` when it contains `p` (an
    ancestor: same start at a shorter length) or lies inside it (start within p's span).
    """

    __tablename__ = "approved_prefixes"
    __table_args__ = (Index("ix_approved_prefixes_span", "version", "start", "prefixlen"),
                      # the few prefixes wider than a block, which publication reads for every block they cover
                      Index("ix_approved_prefixes_width", "version", "prefixlen"))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("address_entries.id"))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int]
    start: Mapped[int] = mapped_column(UInt128)
    end: Mapped[int] = mapped_column(UInt128)
    prefixlen: Mapped[int]
    network: Mapped[str] = mapped_column(Network)
