"""Reminding applicants to renew an approval before it expires."""
from datetime import datetime, timedelta

from babel.dates import format_date
from flask_babel import LazyString, get_locale
from sqlalchemy import select

from app import audit
from app.choices import State
from app.extensions import db
from app.i18n import _l, lazy_ngettext
from app.models import Application
from app.models.types import utcnow
from app.services.notifications import notify

REMIND_BEFORE = timedelta(days=30)


def _day(value: datetime) -> str:
    """"05 March 2027", its month in the current language."""
    return format_date(value, "dd MMMM y", locale=get_locale() or "en")


def remind_expiring() -> list[int]:
    """Notify each applicant once when an approval has 30 days or less left; the caller commits."""
    now = utcnow()
    due = db.session.scalars(select(Application).where(
        Application.state == State.APPROVED, Application.expires_at.is_not(None),
        Application.expires_at <= now + REMIND_BEFORE, Application.expires_at > now,
        Application.renewal_reminded_at.is_(None))).all()
    for application in due:
        days = max(1, (application.expires_at - now).days)
        notify(application.applicant,
               lazy_ngettext("Application %(id)s expires in %(num)s day", "Application %(id)s expires in %(num)s days",
                             days, id=application.id),
               _l("The approval of application %(id)s expires on %(date)s. Renew it from its page: the new "
                  "application is prefilled, so it takes a minute.", id=application.id,
                  date=LazyString(_day, application.expires_at)),
               link=f"/applications/{application.id}")
        application.renewal_reminded_at = now
        audit.record("application.renewal_reminded", application, expires_at=application.expires_at)
    return [a.id for a in due]
