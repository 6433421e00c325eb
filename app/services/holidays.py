"""Official holidays an admin lists, and the decision clock's Calendar built from them and the configuration.

Every refusal names the input: a date that is not YYYY-MM-DD (or not a real day), a day already listed, an empty
or overlong name. Each addition and removal is audited; the caller commits.
"""
import re
from datetime import date

from flask import current_app
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.i18n import _
from app.models import Holiday
from app.services import Conflict, ServiceError
from app.services.decision_clock import Calendar

NAME_MAX = 100
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text) -> date:
    """A day written YYYY-MM-DD (e.g. 2027-03-23), refused naming what was typed otherwise."""
    text = text.strip() if isinstance(text, str) else text
    if isinstance(text, date):
        return text
    try:
        if isinstance(text, str) and _ISO_DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    shown = repr(text[:40]) if isinstance(text, str) else repr(text)
    raise ServiceError(_("%(value)s is not a date; write it as year-month-day, e.g. 2027-03-23.", value=shown),
                       field="day")


def _clean_name(name) -> str:
    name = " ".join(name.split()) if isinstance(name, str) else ""
    if not name:
        raise ServiceError(_("Give the holiday a name, e.g. Pakistan Day."), field="name")
    if len(name) > NAME_MAX:
        raise ServiceError(_("The name %(name)s is too long; keep it under %(max)s characters.",
                             name=repr(name[:40] + "..."), max=NAME_MAX), field="name")
    return name


def all_holidays() -> list[Holiday]:
    return list(db.session.scalars(select(Holiday).order_by(Holiday.day)))


def find_holiday(day) -> Holiday | None:
    return db.session.scalar(select(Holiday).where(Holiday.day == parse_day(day)))


def add_holiday(day, name, actor=None) -> Holiday:
    """List `day` as the holiday `name`; refuses a bad date, a day already listed, an empty name."""
    day, name = parse_day(day), _clean_name(name)
    existing = find_holiday(day)
    if existing is not None:
        raise Conflict(_("%(day)s is already a holiday (%(name)s); remove it first to rename it.",
                         day=day.isoformat(), name=existing.name), field="day")
    holiday = Holiday(day=day, name=name)
    db.session.add(holiday)
    db.session.flush()
    audit.record("holiday.added", holiday, actor=actor, day=day.isoformat(), name=name)
    return holiday


def remove_holiday(day, actor=None) -> Holiday:
    """Take `day` off the holiday list; refuses a day that is not on it."""
    day = parse_day(day)
    holiday = find_holiday(day)
    if holiday is None:
        raise ServiceError(_("%(day)s is not on the holiday list.", day=day.isoformat()), field="day")
    audit.record("holiday.removed", holiday, actor=actor, day=day.isoformat(), name=holiday.name)
    db.session.delete(holiday)
    return holiday


def calendar() -> Calendar:
    """The decision clock's calendar: the configured working days and hours, and every listed holiday."""
    start, end = current_app.config["WORKING_HOURS"]
    return Calendar(frozenset(current_app.config["WORKING_DAYS"]), start, end,
                    frozenset(db.session.scalars(select(Holiday.day))))


def decision_hours() -> int:
    return current_app.config["DECISION_HOURS"]
