"""The portal's own pages (help, contact, privacy): plain text an admin edits (see services.site_pages)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class SitePage(db.Model):
    """One page as an admin last saved it; a page never saved shows its default text."""

    __tablename__ = "site_pages"

    slug: Mapped[str] = mapped_column(String(20), primary_key=True)  # its address: /help, /contact, /privacy
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    updated_by = relationship("User")
