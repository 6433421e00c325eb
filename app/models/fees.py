"""Fees: the schedule an admin sets per category, a payment reference per fee, and every aggregator callback
received (accepted or refused), so a forged or replayed one leaves a row to look at (services.fees)."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.choices import PaymentState
from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class FeeSchedule(db.Model):
    """From `effective_from` on, a `category` application reaching `threshold` addresses (counting the applicant's
    approved ones) costs `amount` rupees. Rows are never edited: a change is a new row with a later date."""

    __tablename__ = "fee_schedules"
    __table_args__ = (Index("ix_fee_schedules_category_from", "category", "effective_from", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int]                      # whole rupees (PKR); 0: no fee from that date
    threshold: Mapped[int]                   # addresses, this application's and those already approved
    effective_from: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Payment(db.Model):
    """A fee owed for one application, and the reference the applicant pays it by. A renewed (expired) reference
    keeps its row, state `expired`; the new one points back at it (renewal_of_id)."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_state", "state", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    schedule_id: Mapped[int] = mapped_column(ForeignKey("fee_schedules.id"))
    reference: Mapped[str] = mapped_column(String(17), unique=True)
    amount: Mapped[int]                      # whole rupees
    currency: Mapped[str] = mapped_column(String(3), default="PKR")
    addresses: Mapped[int]                   # what the rule counted at submission (why the fee is due)
    threshold: Mapped[int]
    state: Mapped[str] = mapped_column(String(10), default=PaymentState.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    renewal_of_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_via: Mapped[str | None] = mapped_column(String(20))            # PaymentChannel
    provider_txn_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    bank_reference: Mapped[str | None] = mapped_column(String(100))     # an admin's fallback: the bank's own
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    application = relationship("Application")
    applicant = relationship("User", foreign_keys=[applicant_id])


class PaymentCallback(db.Model):
    """One call of the aggregator's callback, whatever became of it: `outcome` accepted, duplicate or refused
    (`reason` a PaymentRefusal code). The body is kept as received (cut to BODY_KEPT characters)."""

    __tablename__ = "payment_callbacks"

    BODY_KEPT = 4000

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40))
    reference: Mapped[str | None] = mapped_column(String(40))
    provider_txn_id: Mapped[str | None] = mapped_column(String(100))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text, default="")
