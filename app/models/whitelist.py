"""Published whitelist versions. A numbered version never changes once written."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class WhitelistVersion(db.Model):
    __tablename__ = "whitelist_versions"

    serial: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    # Snapshot of every approved entry (application id, applicant name, cidrs, approved/expiry
    # times) from which every format is rendered, so re-rendering gives identical bytes.
    entries: Mapped[list] = mapped_column(JSON, default=list)
    cidrs: Mapped[list] = mapped_column(JSON, default=list)  # aggregated, IPv4 then IPv6
    digests: Mapped[dict] = mapped_column(JSON, default=dict)  # format -> sha256 of its body
    audit_head_hash: Mapped[str | None] = mapped_column(String(64))
