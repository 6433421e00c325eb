"""Applications and what they contain: address entries, VPN endpoints, documents, findings."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.choices import State
from app.extensions import db
from app.i18n import Phrase
from app.models.types import UInt128, UTCDateTime, utcnow


class Application(db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        # The review queue's keyset order (services.review.queue): oldest submission first.
        Index("ix_applications_queue", "submitted_at", "id"),
        # The review queue's default order: the decision due first (services.review.queue, keyset on it).
        Index("ix_applications_due", "decision_due_at", "id"),
        # A new-application form's key: the same form sent again finds the draft it made (one per key).
        Index("ix_applications_form_key", "applicant_id", "form_key", unique=True),
        # Approvals expiring in a window: what each publication re-renders, and the hourly expiry job.
        Index("ix_applications_expiry", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20), default=State.DRAFT, index=True)
    renewal_of_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    # The sponsor whose invitation the applicant accepted: its attestation stands for the employer letter.
    sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("sponsors.id"), index=True)
    reviewer_message: Mapped[str | None] = mapped_column(Text)  # the latest request-info or rejection text
    applicant_note: Mapped[str | None] = mapped_column(Text)    # what the applicant tells the reviewer, optional
    form_key: Mapped[str | None] = mapped_column(String(32))    # the new-application form that made this draft
    validation_job_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The decision clock (services.decision_clock): set when first submitted; while the applicant owes information
    # (needs_info) the clock is paused, the working seconds that were left kept in decision_clock_remaining, and a
    # new due time is set from them when the application is submitted again.
    decision_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_clock_remaining: Mapped[int | None]
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    renewal_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    applicant = relationship("User")
    sponsor = relationship("Sponsor")
    entries: Mapped[list["AddressEntry"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="AddressEntry.position"
    )
    endpoints: Mapped[list["Endpoint"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Endpoint.position"
    )
    documents: Mapped[list["Document"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Document.id"
    )
    findings: Mapped[list["Finding"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Finding.id"
    )
    subscriptions: Mapped[list["Subscription"]] = relationship(  # noqa: F821 (app.models.subscriptions)
        back_populates="application", cascade="all, delete-orphan", order_by="Subscription.position"
    )


class AddressEntry(db.Model):
    """One line the applicant typed, normalised to an integer range and its CIDR cover."""

    __tablename__ = "address_entries"
    __table_args__ = (
        Index("ix_address_entries_span", "version", "start", "end"),
        Index("ix_address_entries_size", "version", "size_class", "start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    input: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    start: Mapped[int] = mapped_column(UInt128)
    end: Mapped[int] = mapped_column(UInt128)
    cidrs: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)  # the applicant's word to the reviewer on this entry
    # (end - start).bit_length(): an entry of class c starts at most 2**c - 1 before any address it
    # covers, so "which entries overlap [a, b]" is one short index range per class, on both databases.
    size_class: Mapped[int] = mapped_column(default=lambda context: size_class(
        context.get_current_parameters()["start"], context.get_current_parameters()["end"]))

    application: Mapped[Application] = relationship(back_populates="entries")


def size_class(start, end) -> int:
    """The size class of [start, end]; the values may be ints or UInt128's 16 big-endian bytes."""
    if isinstance(start, bytes):
        start, end = int.from_bytes(start, "big"), int.from_bytes(end, "big")
    return (end - start).bit_length()


class Endpoint(db.Model):
    """A VPN endpoint the applicant connects to or from."""

    __tablename__ = "endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    host: Mapped[str] = mapped_column(String(255))
    protocol: Mapped[str] = mapped_column(String(20))
    port: Mapped[int | None]
    peer: Mapped[str | None] = mapped_column(String(255))

    application: Mapped[Application] = relationship(back_populates="endpoints")


class Document(db.Model):
    """A supporting document. Its bytes are in the document store under its sha256, shared by every document with
    the same content (app.services.document_store). `stored_name` is the file under instance/documents/ that held
    them before the store (migration 0017), until `flask documents migrate` moves it in; NULL after that."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    display_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str | None] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="documents")


class Finding(db.Model):
    """A result of validation: on the application, or on one of its entries, endpoints or subscriptions."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("address_entries.id"))
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("endpoints.id"))
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscriptions.id"))
    code: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)  # in the applicant's words ("the ISP in your profile")
    reviewer_message: Mapped[str | None] = mapped_column(Text)  # in a reviewer's, where they differ
    # Reviewer-only detail, e.g. the id of the application whose approved space this overlaps.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # The same messages as app.i18n.Phrase ({"message": {"msgid", "params"}, "reviewer_message": ...}), so each
    # reader gets them in their language; `message` and `reviewer_message` keep the English, which the API's
    # default and the search use. NULL on findings stored before Raasta spoke Urdu.
    phrases: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="findings")

    def message_for(self, reviewer: bool) -> str:
        """The message in the words written for who reads it, in the current language."""
        phrases = self.phrases or {}
        if reviewer and (self.reviewer_message or phrases.get("reviewer_message")):
            stored, english = phrases.get("reviewer_message"), self.reviewer_message
        else:
            stored, english = phrases.get("message"), self.message
        return str(Phrase.from_json(stored)) if stored else english
