"""Working time in Pakistan: when a decision is due, and how much working time lies between two moments.

Pure functions of a Calendar (working days, working hours, holidays); nothing here reads the database or the
configuration (services.holidays.calendar() builds the Calendar from both). Pakistan Standard Time is UTC+5 all
year (no daylight saving since 2009), so a fixed offset is exact and needs no time zone database. Times come in
and go out as aware datetimes; the results are in UTC, as the database stores them.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from app.choices import State

PKT = timezone(timedelta(hours=5), "PKT")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday()'s order
# A calendar of holidays covering ten years without a working day is a mistake, not a long wait.
LONGEST_SEARCH_DAYS = 3660


class NoWorkingTime(ValueError):
    """The calendar has no working time within LONGEST_SEARCH_DAYS of the start."""


@dataclass(frozen=True)
class Calendar:
    working_days: frozenset[int] = frozenset(range(5))  # 0 = Monday
    start: time = time(9)
    end: time = time(17)
    holidays: frozenset[date] = field(default_factory=frozenset)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working hours of `day` in PKT, or None on a day off (a weekend day or a holiday)."""
        if day.weekday() not in self.working_days or day in self.holidays:
            return None
        return datetime.combine(day, self.start, PKT), datetime.combine(day, self.end, PKT)


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone; pass an aware datetime")
    return moment.astimezone(PKT)


def add_working_seconds(start: datetime, seconds: int | float, calendar: Calendar) -> datetime:
    """The moment `seconds` of working time after `start` (UTC). A deadline that falls exactly at the end of a
    working day is that end, not the next morning; zero seconds is `start` itself."""
    now = _local(start)
    remaining = timedelta(seconds=max(0, seconds))
    if not remaining:
        return now.astimezone(timezone.utc)
    day = now.date()
    for _ in range(LONGEST_SEARCH_DAYS):
        window = calendar.window(day)
        if window:
            begin = max(now, window[0])
            if begin < window[1]:
                if remaining <= window[1] - begin:
                    return (begin + remaining).astimezone(timezone.utc)
                remaining -= window[1] - begin
        day += timedelta(days=1)
    raise NoWorkingTime(f"no working time within {LONGEST_SEARCH_DAYS} days of {start.isoformat()}")


def due_at(start: datetime, hours: int | float, calendar: Calendar) -> datetime:
    """When a decision is due: `hours` working hours after `start`, skipping nights, days off and holidays."""
    return add_working_seconds(start, hours * 3600, calendar)


def working_seconds_between(a: datetime, b: datetime, calendar: Calendar) -> int:
    """Whole seconds of working time from `a` to `b`; 0 when `b` is not after `a`."""
    a, b = _local(a), _local(b)
    total = timedelta()
    day = a.date()
    while day <= b.date():
        window = calendar.window(day)
        if window:
            begin, end = max(a, window[0]), min(b, window[1])
            if end > begin:
                total += end - begin
        day += timedelta(days=1)
    return int(total.total_seconds())


# Whether a decision is late, for the applicant's page, the API and the queue. Waiting on a reviewer (the states
# below), it is late once now is past the due time; paused (needs_info: the applicant owes information) or not yet
# submitted, it is not; decided (approved, and what follows from an approval, or rejected), it stays late for good
# when the decision came after the due time, so the record and the statistics keep it. Withdrawn: no decision was
# owed any more, never late.
WAITING_STATES = frozenset({State.VALIDATING, State.VALIDATION_FAILED, State.READY, State.FLAGGED})
DECISION_STAMPS = {State.APPROVED: "approved_at", State.SUSPENDED: "approved_at", State.REVOKED: "approved_at",
                   State.EXPIRED: "approved_at", State.REJECTED: "decided_at"}


def is_late(application, now: datetime) -> bool:
    """`application`: anything with state, decision_due_at, approved_at and decided_at (a row or a model)."""
    due = application.decision_due_at
    if due is None:
        return False
    if application.state in WAITING_STATES:
        return now > due
    decided = getattr(application, DECISION_STAMPS.get(application.state, ""), None)
    return decided is not None and decided > due
