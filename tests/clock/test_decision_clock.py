"""The decision clock's working time: pure functions of a Calendar, Pakistan time, no database."""
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.choices import State
from app.services.decision_clock import (
    PKT,
    Calendar,
    NoWorkingTime,
    add_working_seconds,
    due_at,
    is_late,
    working_seconds_between,
)

WEEK = Calendar()  # Monday to Friday, 09:00-17:00


def pkt(*args) -> datetime:
    return datetime(*args, tzinfo=PKT)


def test_friday_afternoon_is_due_monday_afternoon():
    # 2026-12-04 is a Friday: half an hour on Friday, seven and a half on Monday.
    assert due_at(pkt(2026, 12, 4, 16, 30), 8, WEEK) == pkt(2026, 12, 7, 16, 30)


def test_the_answer_is_in_utc_and_pakistan_has_no_daylight_saving():
    due = due_at(pkt(2026, 6, 1, 9), 8, WEEK)  # a June Monday: no summer time in Pakistan
    assert due.utcoffset() == timedelta(0)
    assert due == datetime(2026, 6, 1, 12, tzinfo=timezone.utc)  # 17:00 PKT
    assert due_at(pkt(2026, 1, 5, 9), 8, WEEK) == datetime(2026, 1, 5, 12, tzinfo=timezone.utc)


def test_a_holiday_is_skipped():
    # Pakistan Day 2027 is a Tuesday: Monday 16:00 + 8 h runs 1 h Monday, 7 h Wednesday.
    calendar = Calendar(holidays=frozenset({date(2027, 3, 23)}))
    assert due_at(pkt(2027, 3, 22, 16), 8, calendar) == pkt(2027, 3, 24, 16)
    assert due_at(pkt(2027, 3, 22, 16), 8, WEEK) == pkt(2027, 3, 23, 16)


def test_submitted_outside_hours_starts_at_the_next_opening():
    assert due_at(pkt(2026, 12, 7, 22, 15), 8, WEEK) == pkt(2026, 12, 8, 17)   # Monday night: Tuesday 17:00
    assert due_at(pkt(2026, 12, 8, 6, 0), 2, WEEK) == pkt(2026, 12, 8, 11)     # Tuesday early: 09:00 + 2 h
    assert due_at(pkt(2026, 12, 5, 12, 0), 8, WEEK) == pkt(2026, 12, 7, 17)    # Saturday: Monday 17:00
    assert due_at(pkt(2026, 12, 4, 17, 0), 1, WEEK) == pkt(2026, 12, 7, 10)    # Friday at closing: Monday 10:00


def test_a_deadline_at_closing_time_is_that_evening_not_the_next_morning():
    assert due_at(pkt(2026, 12, 7, 9), 8, WEEK) == pkt(2026, 12, 7, 17)


def test_input_in_utc_and_other_configurations():
    # 11:30 UTC on a Friday is 16:30 PKT.
    assert due_at(datetime(2026, 12, 4, 11, 30, tzinfo=timezone.utc), 8, WEEK) == pkt(2026, 12, 7, 16, 30)
    six_days = Calendar(working_days=frozenset({0, 1, 2, 3, 4, 5}), start=time(8), end=time(14))
    assert due_at(pkt(2026, 12, 4, 13), 8, six_days) == pkt(2026, 12, 7, 9)  # 1 h Fri, 6 h Sat, 1 h Mon
    with pytest.raises(ValueError, match="no time zone"):
        due_at(datetime(2026, 12, 4, 13), 8, WEEK)


def test_no_working_time_at_all_is_an_error_not_a_hang():
    with pytest.raises(NoWorkingTime):
        due_at(pkt(2026, 12, 4, 13), 1, Calendar(working_days=frozenset()))


def test_working_seconds_between():
    assert working_seconds_between(pkt(2026, 12, 4, 16, 30), pkt(2026, 12, 7, 16, 30), WEEK) == 8 * 3600
    assert working_seconds_between(pkt(2026, 12, 5, 10), pkt(2026, 12, 6, 10), WEEK) == 0  # a weekend
    assert working_seconds_between(pkt(2026, 12, 7, 18), pkt(2026, 12, 7, 8), WEEK) == 0  # backwards
    holiday = Calendar(holidays=frozenset({date(2026, 12, 7)}))
    assert working_seconds_between(pkt(2026, 12, 4, 16), pkt(2026, 12, 8, 10), holiday) == 2 * 3600


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31),
                       timezones=st.just(timezone.utc))
whole_seconds = moments.map(lambda moment: moment.replace(microsecond=0))  # the measure is in whole seconds
calendars = st.builds(
    Calendar,
    working_days=st.frozensets(st.integers(0, 6), min_size=1),
    start=st.sampled_from([time(0), time(8), time(9), time(9, 30)]),
    end=st.sampled_from([time(13), time(17), time(23, 59)]),
    holidays=st.frozensets(st.dates(date(2026, 1, 1), date(2029, 3, 1)), max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(moments, st.integers(0, 60 * 3600), calendars)
def test_adding_working_time_then_measuring_it_gives_it_back(start, seconds, calendar):
    due = add_working_seconds(start, seconds, calendar)
    assert due >= start
    assert working_seconds_between(start, due, calendar) == seconds


@settings(max_examples=200, deadline=None)
@given(moments, moments, st.integers(1, 40), calendars)
def test_a_later_start_is_never_due_earlier(a, b, hours, calendar):
    a, b = min(a, b), max(a, b)
    assert due_at(a, hours, calendar) <= due_at(b, hours, calendar)


@settings(max_examples=200, deadline=None)
@given(whole_seconds, whole_seconds, whole_seconds, calendars)
def test_working_time_adds_up_across_a_midpoint(a, b, c, calendar):
    a, b, c = sorted((a, b, c))
    assert (working_seconds_between(a, b, calendar) + working_seconds_between(b, c, calendar)
            == working_seconds_between(a, c, calendar))


class Row:
    def __init__(self, state, due, approved_at=None, decided_at=None):
        self.state, self.decision_due_at, self.approved_at, self.decided_at = state, due, approved_at, decided_at


@pytest.mark.parametrize("row, late", [
    (Row(State.READY, None), False),                                   # never submitted through the clock
    (Row(State.READY, pkt(2026, 12, 7, 9)), True),                     # waiting, past due
    (Row(State.FLAGGED, pkt(2026, 12, 7, 11)), False),                 # waiting, not yet due
    (Row(State.NEEDS_INFO, pkt(2026, 12, 7, 9)), False),               # paused: the applicant owes an answer
    (Row(State.APPROVED, pkt(2026, 12, 7, 9), approved_at=pkt(2026, 12, 7, 8)), False),
    (Row(State.APPROVED, pkt(2026, 12, 7, 9), approved_at=pkt(2026, 12, 7, 9, 1)), True),  # decided late
    (Row(State.REJECTED, pkt(2026, 12, 7, 9), decided_at=pkt(2026, 12, 8)), True),
    (Row(State.WITHDRAWN, pkt(2026, 12, 7, 9)), False),
])
def test_late(row, late):
    assert is_late(row, pkt(2026, 12, 7, 10)) is late
