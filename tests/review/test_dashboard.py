"""The dashboard's pictures and the numbers behind them; the SVG chart module on its own."""
import re
from collections import Counter
from datetime import date, datetime, timedelta, timezone

from app.choices import State
from app.extensions import db
from app.models import WhitelistVersion
from app.models.types import utcnow
from app.services.review import batches, stats
from app.web.review.charts import Chart, Series, axis_step, nice_ceiling


def table_rows(figure: str) -> dict[str, list[str]]:
    """{row label: [cell, ...]} of the numbers table inside one chart's <figure>."""
    body = figure.split('<details class="chart-numbers">')[1]
    return {label: re.findall(r"<td[^>]*>([^<]*)</td>", cells)
            for label, cells in re.findall(r'<tr><th scope="row"[^>]*>([^<]+)</th>(.*?)</tr>', body, re.S)}


def figures(html: str) -> dict[str, str]:
    return {key: html.split(f'aria-labelledby="{key}-caption"')[1].split("</figure>")[0]
            for key in ("flow", "ages", "decision-time", "publication-time", "flags", "reviewers")}


def test_the_dashboard_draws_each_chart_with_its_numbers(login, reviewer, queued):
    too_broad = (0, "address.too_broad", "error", None)
    made = [queued(), queued(), queued(["39.32.0.0/16"], state=State.FLAGGED, days_old=10, findings=[too_broad])]
    decided = queued(["111.68.96.10"], days_old=2)
    client = login(reviewer)
    client.post(f"/review/applications/{decided.id}/reject", data={"reason": "Not a business purpose."})
    decided_on = utcnow().strftime("%d %b")
    page = client.get("/review/dashboard")
    assert page.status_code == 200
    charts = figures(page.text)
    assert "No approved application was published in the last 90 days." in charts.pop("publication-time")
    for key, figure in charts.items():
        assert f'<svg class="chart-svg"' in figure and 'role="img"' in figure, key
        assert "<table" in figure and "The numbers" in figure, key
    flow = table_rows(charts["flow"])  # [submitted, decided] per day
    for day, count in Counter(a.submitted_at.strftime("%d %b") for a in made + [decided]).items():
        assert flow[day][0] == str(count), day
    assert flow[decided_on][1] == "1" and sum(int(cells[1]) for cells in flow.values()) == 1
    ages = table_rows(charts["ages"])
    assert ages["&lt; 1 d"] == ["2"] and ages["1–2 wk"] == ["1"] and ages["4+ wk"] == ["0"]
    assert table_rows(charts["flags"]) == {"address.too_broad": ["1"]}
    assert table_rows(charts["reviewers"]) == {reviewer.email: ["0", "1", "0"]}  # approved, rejected, needs info
    assert "2 days 0 h" in page.text and "over 1 decision in the last 90 days" in page.text


def test_an_empty_dashboard_says_so_instead_of_drawing_nothing(login, reviewer):
    page = login(reviewer).get("/review/dashboard").text
    assert page.count("Nothing to show yet.") == 6 and "<svg" not in page.split("<main")[1]  # one per chart
    assert page.count("No approved application was published in the last 90 days.") == 1  # the seventh's own words
    assert "over 0 approved applications published in the last 90 days" in page


def approve(maker, checker, applications, submitted: list[datetime], published: datetime):
    """Batch and approve `applications` as the reviewers do, then move the times: each submitted at the given
    moment, the version its approval published at `published` (and the approval itself an hour before it)."""
    batch = batches.approve_batch(batches.create_batch([a.id for a in applications], maker), checker)
    db.session.commit()
    for application, moment in zip(applications, submitted):
        application.submitted_at, application.approved_at = moment, published - timedelta(hours=1)
    batch.approved_at = published - timedelta(hours=1)
    db.session.get(WhitelistVersion, batch.whitelist_serial).published_at = published
    db.session.commit()
    return batch


def test_submission_to_publication_is_measured_to_the_version_the_approval_published(reviewer, checker, queued):
    now = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)  # a Wednesday
    monday = datetime(2026, 11, 16, 10, tzinfo=timezone.utc)
    next_monday = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
    wednesday = monday + timedelta(days=2)
    hours = lambda moment, *waits: [moment - timedelta(hours=h) for h in waits]  # noqa: E731
    made = [queued([f"39.32.{n}.0/24"]) for n in range(1, 8)]
    approve(reviewer, checker, made[0:2], hours(monday, 10, 30), monday)
    approve(reviewer, checker, made[2:3], hours(wednesday, 50), wednesday)
    approve(reviewer, checker, made[3:5], hours(next_monday, 4, 8), next_monday)
    approve(reviewer, checker, made[5:6], hours(now - timedelta(days=100), 2), now - timedelta(days=100))  # before
    batches.create_batch([made[6].id], reviewer)  # batched, not yet approved: nothing published for it
    db.session.commit()
    times = stats.publication_times(90, now=now)
    assert times.published == 5 and times.median_hours == 10  # of 10, 30, 50, 4 and 8 hours
    weekly = dict(zip(times.weeks, times.weekly_median_hours))
    assert weekly[date(2026, 11, 16)] == 30 and weekly[date(2026, 11, 23)] == 6
    assert weekly[date(2026, 11, 9)] is None  # no publication that week: no median, not a median of 0 h
    assert times.weeks == stats.decision_times(90, now=now).weeks  # the two charts share their weeks
    assert stats.publication_times(90, now=now + timedelta(days=200)).median_hours is None


def test_the_dashboard_charts_submission_to_publication_with_its_table(login, reviewer, checker, queued):
    published = utcnow() - timedelta(minutes=5)
    made = [queued([f"39.32.{n}.0/24"]) for n in range(1, 4)]
    approve(reviewer, checker, made, [published - timedelta(hours=h) for h in (2, 4, 12)], published)
    page = login(reviewer).get("/review/dashboard").text
    figure = figures(page)["publication-time"]
    assert "Median hours from submission to publication in the whitelist, by week" in figure
    assert '<svg class="chart-svg"' in figure
    monday = (published - timedelta(days=published.weekday())).strftime("%d %b")
    rows = table_rows(figure)
    assert rows[monday] == ["4.0"] and sum(cells == ["—"] for cells in rows.values()) == len(rows) - 1
    assert "4.0 hours" in page and "over 3 approved applications published in the last 90 days" in page


def test_the_submission_to_publication_figures_read_in_urdu(login, reviewer, checker, queued):
    client = login(reviewer)
    empty = client.get("/review/dashboard?lang=ur").text
    assert 'dir="rtl"' in empty
    assert "جمع کرانے سے وائٹ لسٹ میں شائع ہونے تک درمیانی گھنٹے" in empty
    assert "پچھلے \u206890\u2069 دنوں میں کوئی منظور شدہ درخواست شائع نہیں ہوئی۔" in empty
    published = utcnow() - timedelta(minutes=5)
    made = [queued([f"39.32.{n}.0/24"]) for n in range(1, 3)]
    approve(reviewer, checker, made, [published - timedelta(hours=h) for h in (3, 5)], published)
    page = client.get("/review/dashboard").text  # the language stays chosen
    assert "پچھلے 90 دنوں میں شائع ہونے والی 2 منظور شدہ درخواستوں کی بنیاد پر" in page
    assert "\u20684.0\u2069 گھنٹے" in page and "کوئی منظور شدہ درخواست شائع نہیں ہوئی" not in page


def test_the_axis_rounds_up_to_round_gridlines():
    assert [axis_step(v) for v in (0, 1, 3, 7, 12, 47, 120, 9_999)] == \
        [(1, 1), (1, 1), (1, 3), (2, 4), (5, 3), (10, 5), (50, 3), (2_000, 5)]
    assert nice_ceiling(47) == 50 and nice_ceiling(0.4) == 1


def test_charts_escape_their_labels_and_scale_bars_to_the_axis():
    chart = Chart("c", "Flags <by> code", "hbars", ["<script>", "ok"], [Series("n", [5, 10])])
    svg = str(chart.svg())
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "Flags &lt;by&gt; code" in svg
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[1] == 2 * widths[0]
    line = str(Chart("l", "Per day", "line", ["a", "b", "c"], [Series("x", [0, 5, 10])]).svg())
    assert line.count("<polyline") == 1 and "10" in line
