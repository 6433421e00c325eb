"""Reviewers' work: overrides of error findings and maker-checker batches."""
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.choices import BatchState
from app.extensions import db
from app.models.types import UTCDateTime, utcnow

batch_applications = Table(
    "batch_applications",
    db.metadata,
    Column("batch_id", ForeignKey("batches.id"), primary_key=True),
    Column("application_id", ForeignKey("applications.id"), primary_key=True),
)


class Override(db.Model):
    """A reviewer's written reason to approve despite an error finding with this code."""

    __tablename__ = "overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Batch(db.Model):
    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default=BatchState.PENDING_APPROVAL)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    whitelist_serial: Mapped[int | None] = mapped_column(ForeignKey("whitelist_versions.serial"))

    applications = relationship("Application", secondary=batch_applications)
