"""SMS codes that prove a mobile number on an application is the applicant's (services.subscriptions.sms_codes).

A code is never stored as typed: `code_hash` is an HMAC of it, compared in constant time. Until the SMS job has
handed it to the gateway, `sealed_code` holds it encrypted with a key derived from SECRET_KEY (bound to the
number), so the job queue carries only the row's id and the database never holds it in clear; the job clears
it once sent. The rows outlive their subscription (its id is set NULL with it): the rate limits count them by
number and by account, and a number removed and added again must not start its count afresh.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class SmsCode(db.Model):
    __tablename__ = "sms_codes"
    # The rate limits: codes to one number, and codes one account asked for, in the last hour.
    __table_args__ = (Index("ix_sms_codes_number_created_at", "number", "created_at"),
                      Index("ix_sms_codes_user_id_created_at", "user_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscriptions.id", ondelete="SET NULL"),
                                                        index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # the account that asked for it
    number: Mapped[str] = mapped_column(String(16))                # E.164, as the subscription had it
    code_hash: Mapped[str] = mapped_column(String(64))             # hex HMAC-SHA256 of subscription id and code
    sealed_code: Mapped[bytes | None] = mapped_column(LargeBinary(64))  # until the SMS is sent, then NULL
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)               # wrong tries
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)    # the right code was typed
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # five wrong tries, or a newer code
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)    # the gateway (or instance/sms/) took it
    send_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the gateway refused it, retries spent
