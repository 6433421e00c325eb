"""Publishing the whitelist: approved space now -> an immutable, signed, numbered version.

publish() runs inside the transaction that changed the approved space (a batch approval, a
revocation, the expiry job, `flask whitelist publish`), so the caller knows the serial at once
and a rolled-back approval leaves no version behind. Serials are gap-free: publications take one
lock, read the latest serial and add one. Publishing when nothing changed makes no version.
"""
import hashlib

from flask import current_app
from sqlalchemy import select, text

from app import audit
from app.addresses import AddressRange, aggregate
from app.choices import State
from app.export import RENDERERS, ApprovedRow, Snapshot
from app.extensions import db
from app.models import (ApplicantProfile, Application, ApprovedPrefix, User, WhitelistBlob, WhitelistFile,
                        WhitelistVersion)
from app.models.types import utcnow
from app.services import audit_checkpoints, signing, webhooks

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


def approved_rows(now=None) -> tuple[list[ApprovedRow], list[AddressRange]]:
    """Every CIDR of every approved, unexpired entry, in address order, with the ranges to aggregate."""
    now = now or utcnow()
    query = (select(ApprovedPrefix.network, ApprovedPrefix.version, ApprovedPrefix.start, ApprovedPrefix.end,
                    Application.id, ApplicantProfile.name, User.email, Application.category,
                    Application.approved_at, Application.expires_at)
             .join(Application, Application.id == ApprovedPrefix.application_id)
             .join(User, User.id == Application.applicant_id)
             .outerjoin(ApplicantProfile, ApplicantProfile.user_id == User.id)
             .where(Application.state == State.APPROVED,
                    (Application.expires_at.is_(None)) | (Application.expires_at > now))
             .order_by(ApprovedPrefix.version, ApprovedPrefix.start, ApprovedPrefix.prefixlen, Application.id))
    rows, ranges = [], []
    for network, version, start, end, application_id, name, email, category, approved_at, expires_at in \
            db.session.execute(query.execution_options(yield_per=50_000)):
        rows.append(ApprovedRow(network, application_id, name or email, category or "",
                                _iso(approved_at), _iso(expires_at)))
        ranges.append(AddressRange(version, start, end))
    return rows, ranges


def _iso(value) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def content_digest(rows: list[ApprovedRow]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\t".join(map(str, row)).encode() + b"\n")
    return digest.hexdigest()


def publish(reason: str, actor=None) -> WhitelistVersion | None:
    """A new version of what is approved now, or None when it equals the latest. The caller commits."""
    _lock_publication()
    rows, ranges = approved_rows()
    content = content_digest(rows)
    latest = latest_version()
    if latest is not None and latest.content_sha256 == content:
        return None
    serial = latest.serial + 1 if latest else 1
    cidrs = aggregate(ranges)
    event = audit.record("whitelist.published", ("whitelist_version", serial), actor=actor, reason=reason,
                         entries=len(rows), prefixes=len(cidrs), content_sha256=content)
    audit_checkpoints.sign_head(event)  # ISPs hold this head in the signed JSON; auditors verify it
    version = WhitelistVersion(serial=serial, published_at=event.at, published_by_id=event.actor_id,
                               reason=reason[:200], entry_count=len(rows), prefix_count=len(cidrs),
                               content_sha256=content, audit_head_seq=event.seq, audit_head_hash=event.hash)
    db.session.add(version)
    db.session.flush()
    snapshot = Snapshot(serial, event.at, rows, cidrs, event.seq, event.hash)
    for fmt, renderer in RENDERERS.items():
        _store(version, fmt, renderer(snapshot))
    db.session.flush()
    current_app.logger.info("whitelist version %s published: %s entries, %s prefixes (%s)",
                            serial, len(rows), len(cidrs), reason)
    webhooks.queue_notices(version)
    return version


def _store(version: WhitelistVersion, fmt: str, body: bytes) -> None:
    sha256 = hashlib.sha256(body).hexdigest()
    if db.session.get(WhitelistBlob, sha256) is None:
        db.session.add(WhitelistBlob(sha256=sha256, size=len(body), body=body))
    db.session.add(WhitelistFile(serial=version.serial, format=fmt, sha256=sha256, size=len(body),
                                 signature=signing.sign(body)))
