"""Jobs waiting to be sent to Redis: written with the change that needs them (see services.job_outbox)."""
from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class OutboxJob(db.Model):
    __tablename__ = "job_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    queue: Mapped[str] = mapped_column(String(40))
    function: Mapped[str] = mapped_column(String(200))  # dotted path, e.g. app.jobs.validation.validate_application
    args: Mapped[list] = mapped_column(JSON)
    job_id: Mapped[str | None] = mapped_column(String(100))
    options: Mapped[dict] = mapped_column(JSON)  # retry intervals, failure callback, timeouts: see job_outbox
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
