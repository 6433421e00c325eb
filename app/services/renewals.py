"""Reminding applicants to renew an approval before it expires."""
from datetime import timedelta

from sqlalchemy import select

from app import audit
from app.choices import State
from app.extensions import db
from app.models import Application
from app.models.types import utcnow
from app.services.notifications import notify
from app.system.plurals import counted

REMIND_BEFORE = timedelta(days=30)


def remind_expiring() -> list[int]:
    """Notify each applicant once when an approval has 30 days or less left; the caller commits."""
    now = utcnow()
    due = db.session.scalars(select(Application).where(
        Application.state == State.APPROVED, Application.expires_at.is_not(None),
        Application.expires_at <= now + REMIND_BEFORE, Application.expires_at > now,
        Application.renewal_reminded_at.is_(None))).all()
    for application in due:
        days = max(1, (application.expires_at - now).days)
        notify(application.applicant, f"Application {application.id} expires in {counted(days, 'day')}",
               f"The approval of application {application.id} expires on "
               f"{application.expires_at:%d %B %Y}. Renew it from its page: the new application is prefilled, "
               "so it takes a minute.", link=f"/applications/{application.id}")
        application.renewal_reminded_at = now
        audit.record("application.renewal_reminded", application, expires_at=application.expires_at)
    return [a.id for a in due]
