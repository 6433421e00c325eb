"""The dashboard's pictures and the numbers behind them; the SVG chart module on its own."""
import re
from collections import Counter

from app.choices import State
from app.models.types import utcnow
from app.web.review.charts import Chart, Series, axis_step, nice_ceiling


def table_rows(figure: str) -> dict[str, list[str]]:
    """{row label: [cell, ...]} of the numbers table inside one chart's <figure>."""
    body = figure.split('<details class="chart-numbers">')[1]
    return {label: re.findall(r"<td[^>]*>([^<]*)</td>", cells)
            for label, cells in re.findall(r'<tr><th scope="row"[^>]*>([^<]+)</th>(.*?)</tr>', body, re.S)}


def figures(html: str) -> dict[str, str]:
    return {key: html.split(f'aria-labelledby="{key}-caption"')[1].split("</figure>")[0]
            for key in ("flow", "ages", "decision-time", "flags", "reviewers")}


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
