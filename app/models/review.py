"""Reviewers' work: overrides of error findings, maker-checker batches, and internal notes."""
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.choices import BatchState
from app.extensions import db
from app.models.types import UTCDateTime, utcnow

# Each row remembers the application as it was batched: approval refuses it if it moved since
# (another state, or validated again after an approval nearby changed its findings).
batch_applications = Table(
    "batch_applications",
    db.metadata,
    Column("batch_id", ForeignKey("batches.id"), primary_key=True),
    Column("application_id", ForeignKey("applications.id"), primary_key=True, index=True),
    Column("state_at_batching", String(20), nullable=False),
    Column("validated_at", UTCDateTime, nullable=True),
)


class Override(db.Model):
    """A reviewer's written reason to approve despite an error finding with this code."""

    __tablename__ = "overrides"
    __table_args__ = (UniqueConstraint("application_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reviewer = relationship("User")


class Batch(db.Model):
    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default=BatchState.PENDING_APPROVAL, index=True)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    whitelist_serial: Mapped[int | None] = mapped_column(ForeignKey("whitelist_versions.serial"))
    note: Mapped[str | None] = mapped_column(Text)  # what the maker says the batch is

    made_by = relationship("User", foreign_keys=[made_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    applications = relationship("Application", secondary=batch_applications, order_by="Application.id",
                                viewonly=True)


class ReviewNote(db.Model):
    """A note between reviewers on an application. Never shown to the applicant."""

    __tablename__ = "review_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")
