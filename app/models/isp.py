"""ISP organisations, their answers about subscribers, and the webhook notices they are sent."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.choices import ConfirmationState, DeliveryState, OrganisationKind
from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class IspOrganisation(db.Model):
    __tablename__ = "isp_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default=OrganisationKind.FIXED)  # choices.OrganisationKind
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IspConfirmation(db.Model):
    """One organisation's answer for its part of one application: the profile's ISP about the subscriber id
    (for address entries), and each organisation serving one of its subscriptions about those; one row per
    (application, organisation), so each answers for its own part only."""

    __tablename__ = "isp_confirmations"
    __table_args__ = (UniqueConstraint("application_id", "organisation_id",
                                       name="uq_isp_confirmations_application_organisation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("isp_organisations.id"), index=True)
    subscriber_id: Mapped[str] = mapped_column(String(100))
    # sha256 of the subscriptions it was asked about (kind and identifier, sorted; "" for none): an applicant who
    # changes them asks again, rather than keep an answer about other numbers.
    subscriptions_digest: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(20), default=ConfirmationState.PENDING, index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application = relationship("Application")
    organisation = relationship("IspOrganisation")


class WebhookDelivery(db.Model):
    """One notice of a new version to one ISP's webhook, with its attempts."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("isp_organisations.id"), index=True)
    serial: Mapped[int] = mapped_column(ForeignKey("whitelist_versions.serial"))
    url: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(20), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_status: Mapped[int | None]          # HTTP status of the last attempt
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
