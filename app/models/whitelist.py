"""Published whitelist versions, their format bodies, and the approved space the database guards.

A numbered version never changes once written. Bodies live in the database, addressed by their
sha256, so every web host behind one PostgreSQL serves identical bytes.
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
    """One format of one version: which body, and its Ed25519 signature."""

    __tablename__ = "whitelist_files"

    serial: Mapped[int] = mapped_column(ForeignKey("whitelist_versions.serial"), primary_key=True)
    format: Mapped[str] = mapped_column(String(10), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("whitelist_blobs.sha256"))
    size: Mapped[int]
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class SubscriberFile(db.Model):
    """One format of one organisation's subscriber feed in one version: which body, its signature, its rows.

    Bodies are WhitelistBlobs like the whitelist's, so equal feeds share one. An organisation that ever had
    approved subscriptions has a file in every later version (an empty feed once they are all gone), so a
    RADIUS server polling `latest` always gets the current list."""

    __tablename__ = "subscriber_files"

    serial: Mapped[int] = mapped_column(ForeignKey("whitelist_versions.serial"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("isp_organisations.id"), primary_key=True)
    format: Mapped[str] = mapped_column(String(10), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("whitelist_blobs.sha256"))
    size: Mapped[int]
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    count: Mapped[int]  # subscriptions in the feed


class ApprovedPrefix(db.Model):
    """One CIDR of one approved entry: the approved space, one row per prefix.

    On PostgreSQL an exclusion constraint (migration 0004) refuses two overlapping prefixes of
    different applicants, so no code path can approve the same space twice. The integer columns
    serve the overlap queries on both databases: a prefix overlaps `p` when it contains `p` (an
    ancestor: same start at a shorter length) or lies inside it (start within p's span).
    """

    __tablename__ = "approved_prefixes"
    __table_args__ = (Index("ix_approved_prefixes_span", "version", "start", "prefixlen"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("address_entries.id"))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int]
    start: Mapped[int] = mapped_column(UInt128)
    end: Mapped[int] = mapped_column(UInt128)
    prefixlen: Mapped[int]
    network: Mapped[str] = mapped_column(Network)
