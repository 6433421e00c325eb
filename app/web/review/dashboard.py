"""The reviewers' dashboard: how the queue is moving, as pictures with their numbers beside them."""
from flask import render_template

from app.services.review import stats
from app.system.plurals import counted
from app.web.review import bp, staff_only
from app.web.review.charts import PALETTE, Chart, Series

DAYS = 90
# Each decision in the colour its state badge has: approved green, rejected red, needs info brown.
DECISIONS = {"application.approved": ("Approved", PALETTE[0]), "application.rejected": ("Rejected", PALETTE[2]),
             "application.needs_info": ("Needs info", PALETTE[3])}


def _flow_chart() -> Chart:
    flow = stats.daily_flow(DAYS)
    return Chart("flow", f"Applications submitted and decided per day, last {DAYS} days", "line",
                 [day.strftime("%d %b") for day in flow.days],
                 [Series("Submitted", flow.submitted), Series("Decided", flow.decided)],
                 summary=(f"{sum(flow.submitted):,} submitted and {counted(sum(flow.decided), 'decision')} "
                          f"in {DAYS} days."),
                 axis="Day")


def _age_chart() -> Chart:
    ages = stats.queue_ages()
    waiting, batched = sum(count for _, count in ages), stats.batched_count()
    in_batches = (f" {batched:,} more {'is in a batch' if batched == 1 else 'are in batches'} awaiting a second "
                  "reviewer's approval." if batched else "")
    return Chart("ages", "How long ready and flagged applications not yet batched have waited", "bars",
                 [label for label, _ in ages], [Series("Applications", [count for _, count in ages])],
                 summary=f"{counted(waiting, 'application')} {'awaits' if waiting == 1 else 'await'} a reviewer."
                         f"{in_batches}", axis="Waited")


def _decision_time_chart() -> tuple[Chart, stats.DecisionTimes]:
    times = stats.decision_times(DAYS)
    return Chart("decision-time", "Median hours from submission to decision, by week (Monday shown)", "bars",
                 [week.strftime("%d %b") for week in times.weeks],
                 [Series("Median hours", times.weekly_median_hours)], unit=" h", axis="Week of",
                 has_data=times.decided > 0), times


def _flags_chart() -> Chart:
    flags = stats.flags_by_code()
    return Chart("flags", "Flagged applications by error code", "hbars", [code for code, _ in flags],
                 [Series("Applications", [count for _, count in flags])], axis="Error code")


def _reviewer_chart() -> Chart:
    table = stats.decisions_by_reviewer(DAYS)
    return Chart("reviewers", f"Decisions per reviewer, last {DAYS} days", "hbars", list(table),
                 [Series(name, [counts[action] for counts in table.values()], colour)
                  for action, (name, colour) in DECISIONS.items()], axis="Reviewer")


@bp.get("/dashboard")
@staff_only
def dashboard():
    decision_chart, times = _decision_time_chart()
    return render_template("review/dashboard.html", times=times, charts=[
        _flow_chart(), _age_chart(), decision_chart, _flags_chart(), _reviewer_chart()])
