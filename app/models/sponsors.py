"""Sponsors (associations, employers, co-working spaces, platforms), the member files they upload and the
invitations those files become."""
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.choices import ImportState, InvitationState, SponsorState
from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Sponsor(db.Model):
    """An organisation that vouches for its members; its word stands for their employer letter while approved."""

    __tablename__ = "sponsors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # choices.SponsorKind
    state: Mapped[str] = mapped_column(String(20), default=SponsorState.PENDING, index=True)
    # What a reviewer checks before approving: the registration (SECP, PSEB or society) and who signs for it.
    registration_number: Mapped[str | None] = mapped_column(String(60))
    signatory_name: Mapped[str | None] = mapped_column(String(200))
    signatory_cnic: Mapped[str | None] = mapped_column(String(20))
    state_reason: Mapped[str | None] = mapped_column(Text)  # the reviewer's reason for the latest decision
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    documents: Mapped[list["SponsorDocument"]] = relationship(order_by="SponsorDocument.kind")


class SponsorDocument(db.Model):
    """One of a sponsor's papers (choices.SponsorPaper), the newest of each kind; its bytes kept here, apart from
    applications' document store, whose clean-up counts only applications' documents."""

    __tablename__ = "sponsor_documents"
    __table_args__ = (UniqueConstraint("sponsor_id", "kind", name="uq_sponsor_documents_sponsor_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id"))
    kind: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Which sponsor a user of role `sponsor` acts for: one sponsor per user.
sponsor_users = db.Table(
    "sponsor_users",
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("sponsor_id", ForeignKey("sponsors.id"), nullable=False, index=True),
)


class SponsorImport(db.Model):
    """One uploaded member file, kept as it came (so the sponsor can download and correct it) with the problems
    found in it; nothing is invited from it until it has none."""

    __tablename__ = "sponsor_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    file_format: Mapped[str] = mapped_column(String(10))      # csv or xlsx
    encoding: Mapped[str | None] = mapped_column(String(20))  # the text encoding a CSV was read in
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    state: Mapped[str] = mapped_column(String(20), default=ImportState.DRAFT)
    rows: Mapped[int] = mapped_column(default=0)
    problems: Mapped[list] = mapped_column(JSON, default=list)  # [{"row", "column", "code", "message"}]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sponsor = relationship("Sponsor")


class Invitation(db.Model):
    """What a sponsor proposes in one member's name. The member sees it through the link sent to them (its token is
    stored hashed), corrects it and consents; only then is an application made, as theirs."""

    __tablename__ = "sponsor_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id"), index=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("sponsor_imports.id"), index=True)
    row: Mapped[int]  # its row in the file (the header is row 1)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(200))
    cnic: Mapped[str] = mapped_column(String(20), index=True)
    # {"mobile", "operator", "isp", "subscriber_id", "addresses": [...], "purpose"}: as checked on import
    proposal: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default=InvitationState.INVITED, index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sponsor = relationship("Sponsor")
    member = relationship("User")
    application = relationship("Application")
