"""Accounts, API tokens and applicant profiles."""
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.choices import Role
from app.extensions import db
from app.models.types import UTCDateTime, utcnow


def trigram_index(name: str, column: str) -> Index:
    """For the review queue's search by part of a name or email (ILIKE): a trigram index on PostgreSQL;
    SQLite makes it a plain index, which its LIKE cannot use for a substring (a scan of its table)."""
    return Index(name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (trigram_index("ix_users_email_trgm", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.APPLICANT)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("isp_organisations.id"))  # isp users only
    # Part of every session and remember-me cookie; a new one (sign-out, password change) ends them all.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    # The language chosen with ?lang= (app.language_choice): pages, emails and SMS follow it; NULL: not chosen.
    language: Mapped[str | None] = mapped_column(String(8))

    profile: Mapped["ApplicantProfile | None"] = relationship(back_populates="user", uselist=False)
    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user")
    organisation = relationship("IspOrganisation")
    # sponsor users only: the sponsor they act for (table sponsor_users, so that users itself keeps its shape)
    sponsor = relationship("Sponsor", secondary="sponsor_users", uselist=False)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in for deactivated accounts
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: the id and the session token."""
        return f"{self.id}:{self.session_token}"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def display_name(self) -> str:
        return self.name or self.email


class ApiToken(db.Model):
    """A bearer token. Only its sha256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists so a user can tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


class ApplicantProfile(db.Model):
    """Who the applicant is: a firm (NTN) or a freelancer (CNIC), and the connection to whitelist."""

    __tablename__ = "applicant_profiles"
    __table_args__ = (trigram_index("ix_applicant_profiles_name_trgm", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    ntn: Mapped[str | None] = mapped_column(String(20), index=True)
    cnic: Mapped[str | None] = mapped_column(String(20), index=True)
    secp_number: Mapped[str | None] = mapped_column(String(40))
    pseb_number: Mapped[str | None] = mapped_column(String(40))
    platform_url: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    isp_name: Mapped[str | None] = mapped_column(String(100))
    isp_subscriber_id: Mapped[str | None] = mapped_column(String(100))
    # Set when isp_name is an ISP on Raasta, which then confirms the subscriber; None for one typed in.
    isp_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("isp_organisations.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="profile")
