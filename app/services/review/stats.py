"""Read-only figures for the reviewers' dashboard and batch list. Nothing here changes a row.

Each figure is one GROUP BY (or one narrow SELECT) over the applications' timestamps or the audit
trail, grouped by UTC day. Decisions are counted from the trail because it names who made each one
and keeps every decision, not only the latest one an application row remembers.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import Float, case, cast, distinct, exists, func, select
from sqlalchemy.orm import selectinload

from app.choices import BatchState, Role, Severity, State
from app.extensions import db
from app.i18n import _l
from app.models import Application, AuditEvent, Batch, Finding, User, WhitelistVersion
from app.models.review import batch_applications
from app.models.types import utcnow

DECISIONS = ("application.approved", "application.rejected", "application.needs_info")
# Queue age buckets: (label, at least this many days old).
AGE_BUCKETS = ((_l("< 1 d"), 0), (_l("1–2 d"), 1), (_l("2–3 d"), 2), (_l("3–7 d"), 3), (_l("1–2 wk"), 7),
               (_l("2–4 wk"), 14), (_l("4+ wk"), 28))


@dataclass
class DailyFlow:
    days: list[date]
    submitted: list[int]
    decided: list[int]


@dataclass
class DecisionTimes:
    median_hours: float | None  # over the whole window; None when nothing was decided
    decided: int
    weeks: list[date]  # the Monday of each week
    weekly_median_hours: list[float | None]  # None for a week without decisions (not a median of 0 h)
    # The decision clock's promise kept: of the week's decisions that had a due time, the share made by it (%);
    # None for a week without such decisions.
    weekly_on_time_percent: list[float | None]
    on_time_percent: float | None  # over the whole window; None when no decision had a due time


@dataclass
class PublicationTimes:
    median_hours: float | None  # over the whole window; None when no approval was published in it
    published: int  # approved applications whose first version was published in the window
    weeks: list[date]  # the Monday of each week, the same weeks as DecisionTimes'
    weekly_median_hours: list[float | None]  # None for a week without publications


def _day(column):
    """The UTC calendar day of a timestamp column, on either database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)  # SQLite stores UTC text


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _per_day(query, since: date, days: int) -> list[int]:
    counts = {_as_date(day): count for day, count in db.session.execute(query)}
    return [counts.get(since + timedelta(days=i), 0) for i in range(days)]


def daily_flow(days: int = 90, now: datetime | None = None) -> DailyFlow:
    """Applications submitted (their latest submission) and decisions made, per UTC day, oldest first."""
    now = now or utcnow()
    first = now.date() - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time(), now.tzinfo)
    submitted_day = _day(Application.submitted_at)
    submitted = _per_day(select(submitted_day, func.count()).where(Application.submitted_at >= start)
                         .group_by(submitted_day), first, days)
    decided_day = _day(AuditEvent.at)
    decided = _per_day(select(decided_day, func.count()).where(AuditEvent.action.in_(DECISIONS),
                                                               AuditEvent.at >= start)
                       .group_by(decided_day), first, days)
    return DailyFlow([first + timedelta(days=i) for i in range(days)], submitted, decided)


def _in_pending_batch():
    return exists().where(batch_applications.c.application_id == Application.id,
                          Batch.id == batch_applications.c.batch_id, Batch.state == BatchState.PENDING_APPROVAL)


def queue_ages(now: datetime | None = None) -> list[tuple[str, int]]:
    """How long the applications awaiting a reviewer (ready or flagged, not yet in a batch) have waited since
    submission. Those in a pending batch await the checker instead: batched_count() counts them."""
    now = now or utcnow()
    bucket = case(*((Application.submitted_at <= now - timedelta(days=floor), index)
                    for index, (_, floor) in reversed(list(enumerate(AGE_BUCKETS))) if floor),
                  else_=0)
    counts = dict(db.session.execute(select(bucket, func.count()).where(Application.state.in_(State.REVIEWABLE),
                                                                        ~_in_pending_batch())
                                     .group_by(bucket)).all())
    return [(str(label), counts.get(index, 0)) for index, (label, _) in enumerate(AGE_BUCKETS)]


def batched_count() -> int:
    """Ready or flagged applications in a batch awaiting a second reviewer's approval."""
    return db.session.scalar(select(func.count()).select_from(batch_applications)
                             .join(Batch, Batch.id == batch_applications.c.batch_id)
                             .join(Application, Application.id == batch_applications.c.application_id)
                             .where(Batch.state == BatchState.PENDING_APPROVAL,
                                    Application.state.in_(State.REVIEWABLE)))


def _weeks(start: datetime, now: datetime) -> list[date]:
    """The Mondays of the weeks from the one holding `start` to the one holding `now`."""
    first_week = (start - timedelta(days=start.weekday())).date()
    return [first_week + timedelta(weeks=i) for i in range((now.date() - first_week).days // 7 + 1)]


def _median(hours) -> float | None:
    return round(float(np.median(hours)), 1) if len(hours) else None


def decision_times(days: int = 90, now: datetime | None = None) -> DecisionTimes:
    """Median hours from (latest) submission to decision, overall and per week, for decisions in the window."""
    now = now or utcnow()
    start = now - timedelta(days=days)
    decided_at = func.coalesce(Application.approved_at, Application.decided_at)
    submitted, decided, due = _seconds(db.session.connection().execute(
        select(_epoch(Application.submitted_at), _epoch(decided_at), _epoch(Application.decision_due_at))
        .where(Application.submitted_at.is_not(None), decided_at >= start, decided_at >= Application.submitted_at)), 3)
    weeks = _weeks(start, now)
    hours, week = (decided - submitted) / 3600, _week_numbers(decided, weeks)
    dated = ~np.isnan(due)  # decisions with a due time: made by it?
    on_time = decided[dated] <= due[dated]
    return DecisionTimes(float(np.median(hours)) if len(hours) else None, len(hours), weeks,
                         [_median(hours[week == n]) for n in range(len(weeks))],
                         [_percent(on_time[week[dated] == n]) for n in range(len(weeks))], _percent(on_time))


def publication_times(days: int = 90, now: datetime | None = None) -> PublicationTimes:
    """Median hours from (latest) submission to the publication of the first whitelist version that carried the
    approval, overall and per week of publication, for approvals published in the window. One query.

    The version is the one the approval itself recorded: approve_batch() stores the serial that publish() returned
    (or the latest, when the approved content was already published) on the batch, in the same transaction, and that
    version's published_at is its `whitelist.published` event's time. Application.approved_at would be a proxy
    that only agrees while approval and publication share a transaction; the audit trail links the version to the
    batch only through JSON data. Measured from the same submitted_at as decision_times(), so the two medians differ
    by the decision-to-publication lag alone.
    """
    now = now or utcnow()
    start = now - timedelta(days=days)
    published_at = func.min(WhitelistVersion.published_at)
    submitted, published = _seconds(db.session.connection().execute(
        select(_epoch(Application.submitted_at), _epoch(published_at))
        .join(batch_applications, batch_applications.c.application_id == Application.id)
        .join(Batch, Batch.id == batch_applications.c.batch_id)
        .join(WhitelistVersion, WhitelistVersion.serial == Batch.whitelist_serial)
        .where(Batch.state == BatchState.PUBLISHED, Application.submitted_at.is_not(None),
               Batch.approved_at >= Application.submitted_at,  # this submission's approval, not an earlier one's
               WhitelistVersion.published_at >= start, WhitelistVersion.published_at >= Application.submitted_at)
        .group_by(Application.id, Application.submitted_at)), 2)
    weeks = _weeks(start, now)
    hours, week = (published - submitted) / 3600, _week_numbers(published, weeks)
    return PublicationTimes(float(np.median(hours)) if len(hours) else None, len(hours), weeks,
                            [_median(hours[week == n]) for n in range(len(weeks))])


def _epoch(column):
    """A UTC timestamp column as seconds since 1970, computed by the database: 100,000 rows then cost a float each
    rather than a Python datetime (a second of the dashboard's time at 500,000 applications)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.coalesce(cast(func.extract("epoch", column), Float), -1.0)
    # SQLite stores "YYYY-MM-DD HH:MM:SS.ffffff" in UTC: whole seconds, then the milliseconds (%f is "SS.SSS").
    # julianday() would be shorter, but its float is off by microseconds: 10 h would read 9.999999996 h.
    whole = cast(func.strftime("%s", column), Float)
    return func.coalesce(whole + cast(func.strftime("%f", column), Float) - cast(func.strftime("%S", column), Float),
                         -1.0)  # NULL: -1, a moment no row holds (numpy cannot take None)


def _seconds(result, columns: int) -> list[np.ndarray]:
    """The result's columns (_epoch values) as float arrays, NULL as NaN: converted by numpy from the driver's own
    tuples, no Python object per value."""
    table = np.array(result.cursor.fetchall(), dtype=np.float64)
    table = table.reshape(-1, columns)
    table[table < 0] = np.nan  # _epoch's stand-in for NULL
    return [table[:, n] for n in range(columns)]


def _week_numbers(seconds: np.ndarray, weeks: list[date]) -> np.ndarray:
    """The index in `weeks` of the UTC week holding each moment (the last week for any later one)."""
    days = np.floor(seconds / 86400).astype(np.int64) - (weeks[0] - date(1970, 1, 1)).days
    return np.minimum(days // 7, len(weeks) - 1)


def _percent(kept) -> float | None:
    return round(100 * float(np.sum(kept)) / len(kept), 1) if len(kept) else None


def flags_by_code() -> list[tuple[str, int]]:
    """Flagged applications per error code, most common first."""
    count = func.count(distinct(Finding.application_id))
    return [tuple(row) for row in db.session.execute(
        select(Finding.code, count).join(Application, Application.id == Finding.application_id)
        .where(Application.state == State.FLAGGED, Finding.severity == Severity.ERROR)
        .group_by(Finding.code).order_by(count.desc(), Finding.code))]


def decisions_by_reviewer(days: int = 90, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """{reviewer email: {decision action: count}} for decisions in the window, busiest reviewer first."""
    start = (now or utcnow()) - timedelta(days=days)
    rows = db.session.execute(select(AuditEvent.actor_name, AuditEvent.action, func.count())
                              .where(AuditEvent.action.in_(DECISIONS), AuditEvent.at >= start,
                                     AuditEvent.actor_role.in_(Role.STAFF))
                              .group_by(AuditEvent.actor_name, AuditEvent.action)).all()
    table: dict[str, dict[str, int]] = {}
    for name, action, count in rows:
        table.setdefault(name, dict.fromkeys(DECISIONS, 0))[action] = count
    return dict(sorted(table.items(), key=lambda item: (-sum(item[1].values()), item[0])))


def batch_sizes(batches: list[Batch]) -> dict[int, int]:
    """{batch id: how many applications}, counted without loading them (a batch may hold 10,000)."""
    ids = [batch.id for batch in batches]
    return dict(db.session.execute(select(batch_applications.c.batch_id, func.count())
                                   .where(batch_applications.c.batch_id.in_(ids))
                                   .group_by(batch_applications.c.batch_id)).all()) if ids else {}


def batch_members(batch: Batch, limit: int = 500) -> list[Application]:
    """The first `limit` applications of a batch by id, with what the batch page shows of each."""
    return list(db.session.scalars(
        select(Application).join(batch_applications, batch_applications.c.application_id == Application.id)
        .where(batch_applications.c.batch_id == batch.id).order_by(Application.id).limit(limit)
        .options(selectinload(Application.applicant).selectinload(User.profile),
                 selectinload(Application.entries), selectinload(Application.subscriptions))))
