"""The decision clock's settings refused naming the value; holidays added, listed and removed through the CLI and
the admin page, with every refusal naming the input, and each change audited."""
from datetime import date, time

import pytest
from sqlalchemy import select

from app.config import ConfigError, working_days, working_hours
from app.models import AuditEvent, Holiday
from tests.conftest import flask_cli


@pytest.mark.parametrize("value, days", [
    (None, (0, 1, 2, 3, 4)), ("mon-fri", (0, 1, 2, 3, 4)), ("mon,tue,wed,thu,fri", (0, 1, 2, 3, 4)),
    ("Mon-Thu, Sat", (0, 1, 2, 3, 5)), ("sun", (6,)),
])
def test_working_days(monkeypatch, value, days):
    if value is None:
        monkeypatch.delenv("WORKING_DAYS", raising=False)
    else:
        monkeypatch.setenv("WORKING_DAYS", value)
    assert working_days() == days


@pytest.mark.parametrize("value, named", [
    ("monday-friday", "'monday-friday'"), ("fri-mon", "'fri-mon'"), ("mon,,fri", "''"), ("1-5", "'1-5'"),
])
def test_nonsense_working_days_are_refused_naming_them(monkeypatch, value, named):
    monkeypatch.setenv("WORKING_DAYS", value)
    with pytest.raises(ConfigError, match=rf"^WORKING_DAYS={value!r} is not a list of days: {named}"):
        working_days()


def test_working_hours(monkeypatch):
    monkeypatch.delenv("WORKING_HOURS", raising=False)
    assert working_hours() == (time(9), time(17))
    monkeypatch.setenv("WORKING_HOURS", "8:30-16:00")
    assert working_hours() == (time(8, 30), time(16))


@pytest.mark.parametrize("value, says", [
    ("17:00-09:00", "ends before it starts"), ("09:00-09:00", "ends before it starts"),
    ("9-17", "is not a span of hours"), ("09:00-25:00", "is not a span of hours"), ("09:60-17:00", "is not a span"),
    ("nine to five", "is not a span of hours"),
])
def test_nonsense_working_hours_are_refused_naming_them(monkeypatch, value, says):
    monkeypatch.setenv("WORKING_HOURS", value)
    with pytest.raises(ConfigError, match=rf"^WORKING_HOURS={value!r} {says}"):
        working_hours()


def test_a_bad_setting_stops_the_cli_with_one_line(worker_env):
    result = flask_cli({**worker_env, "DECISION_HOURS": "eight"}, "holidays", "list")
    assert result.returncode != 0 and "DECISION_HOURS='eight' is not a number of working hours" in result.stderr
    assert "Traceback" not in result.stderr
    result = flask_cli({**worker_env, "WORKING_HOURS": "17:00-09:00"}, "holidays", "list")
    assert result.returncode != 0 and "WORKING_HOURS='17:00-09:00' ends before it starts" in result.stderr


def test_holidays_cli_adds_lists_removes_and_refuses_naming_the_input(worker_env, db):
    added = flask_cli(worker_env, "holidays", "add", "2027-03-23", "Pakistan", "Day")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Added 2027-03-23 Pakistan Day."
    assert flask_cli(worker_env, "holidays", "add", "2027-02-05", "Kashmir Day").returncode == 0
    listed = flask_cli(worker_env, "holidays", "list")
    assert listed.stdout.splitlines() == ["2027-02-05 Kashmir Day", "2027-03-23 Pakistan Day"]

    for args, says in ((("2027-02-30", "Oops"), "'2027-02-30' is not a date; write it as year-month-day"),
                       (("23/03/2027", "Pakistan Day"), "'23/03/2027' is not a date"),
                       (("2027-03-23", "Again"), "2027-03-23 is already a holiday (Pakistan Day)"),
                       (("2027-08-14", "  "), "Give the holiday a name"),
                       (("2027-08-14", "x" * 101), "is too long; keep it under 100 characters")):
        refused = flask_cli(worker_env, "holidays", "add", *args)
        assert refused.returncode != 0 and says in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
    absent = flask_cli(worker_env, "holidays", "remove", "2027-08-14")
    assert absent.returncode != 0 and "2027-08-14 is not on the holiday list" in absent.stderr

    removed = flask_cli(worker_env, "holidays", "remove", "2027-02-05")
    assert removed.returncode == 0 and removed.stdout.strip() == "Removed 2027-02-05 Kashmir Day."
    assert [h.day for h in db.session.scalars(select(Holiday))] == [date(2027, 3, 23)]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("holiday.%"))
                                .order_by(AuditEvent.seq)).all()
    assert [(e.action, e.data["day"], e.actor_name) for e in events] == [
        ("holiday.added", "2027-03-23", "system"), ("holiday.added", "2027-02-05", "system"),
        ("holiday.removed", "2027-02-05", "system")]


def test_admin_page_adds_and_removes_holidays_naming_refusals(client, login, make_user, db):
    admin = make_user(role="admin")
    login(admin)
    page = client.get("/admin/holidays")
    assert page.status_code == 200 and "No holidays listed" in page.text
    added = client.post("/admin/holidays", data={"day": "2027-03-23", "name": "Pakistan Day"})
    assert added.status_code == 302
    page = client.get("/admin/holidays").text
    assert "2027-03-23 (Pakistan Day) added" in page and "<td data-label=\"Name\">Pakistan Day</td>" in page
    for data, says in (({"day": "2027-13-01", "name": "X"}, "&#39;2027-13-01&#39; is not a date"),
                       ({"day": "2027-03-23", "name": "Again"}, "2027-03-23 is already a holiday (Pakistan Day)"),
                       ({"day": "2027-08-14", "name": ""}, "Give the holiday a name")):
        refused = client.post("/admin/holidays", data=data)
        assert refused.status_code == 422 and says in refused.text, refused.text
    assert client.post("/admin/holidays/2027-03-23/remove").status_code == 302
    assert "2027-03-23 (Pakistan Day) removed" in client.get("/admin/holidays").text
    assert db.session.scalars(select(Holiday)).all() == []
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("holiday.%"))).all()
    assert [(e.action, e.actor_id) for e in events] == [("holiday.added", admin.id), ("holiday.removed", admin.id)]


@pytest.mark.parametrize("role", ["applicant", "reviewer", "isp"])
def test_only_admins_edit_holidays(client, login, make_user, role):
    login(make_user(role=role))
    assert client.get("/admin/holidays").status_code in (403, 404)
    assert client.post("/admin/holidays", data={"day": "2027-03-23", "name": "X"}).status_code in (403, 404)
