"""Connections registered instead of addresses: mobile numbers and fixed-line accounts, and the approved ones.

A freelancer on mobile data or home broadband has no fixed address; what stays the same is the connection.
The operator serving it lets VPN traffic through for that subscriber (by MSISDN in the mobile core, by
account in the BRAS/RADIUS), so Raasta registers the subscription and publishes, per operator, the approved
ones it serves.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Subscription(db.Model):
    """One connection on an application: a mobile number (E.164) or a fixed-line account id, and the
    organisation the applicant says serves it. Numbers move between operators, so the operator is the
    applicant's word until that operator confirms it."""

    __tablename__ = "subscriptions"
    # Duplicates are looked up by identifier (then operator): a mobile number is unique in the country.
    __table_args__ = (Index("ix_subscriptions_identifier", "identifier", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10))             # choices.SubscriptionKind
    organisation_id: Mapped[int] = mapped_column(ForeignKey("isp_organisations.id"))
    identifier: Mapped[str] = mapped_column(String(100))      # +923001234567, or the ISP's account id
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a mobile number proven by an SMS code
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application = relationship("Application", back_populates="subscriptions")
    organisation = relationship("IspOrganisation")

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class ApprovedSubscription(db.Model):
    """One subscription of an approved application: what the operators' feeds are published from, and what a
    new application's subscription collides with. Written and deleted with the approved prefixes (approval,
    revocation, expiry, suspension). On PostgreSQL an exclusion constraint (migration 0011) refuses the same
    operator and identifier approved for two applicants, whatever the code does."""

    __tablename__ = "approved_subscriptions"
    __table_args__ = (Index("ix_approved_subscriptions_identifier", "identifier", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("isp_organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    identifier: Mapped[str] = mapped_column(String(100))
