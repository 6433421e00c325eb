"""The reviewers' dashboard: how the queue is moving, as pictures with their numbers beside them."""
from babel.dates import format_date
from flask import render_template
from flask_babel import get_locale

from app.i18n import _, _l, ngettext
from app.services.review import stats
from app.web.review import bp, staff_only
from app.web.review.charts import PALETTE, Chart, Series

DAYS = 90
# Each decision in the colour its state badge has: approved green, rejected red, needs info brown.
DECISIONS = {"application.approved": (_l("Approved"), PALETTE[0]),
             "application.rejected": (_l("Rejected"), PALETTE[2]),
             "application.needs_info": (_l("Needs info"), PALETTE[3])}


def _day(day) -> str:
    """"05 Mar", its month in the page's language."""
    return format_date(day, "dd MMM", locale=get_locale() or "en")


def _flow_chart() -> Chart:
    flow = stats.daily_flow(DAYS)
    return Chart("flow", _("Applications submitted and decided per day, last %(days)s days", days=DAYS), "line",
                 [_day(day) for day in flow.days],
                 [Series(_("Submitted"), flow.submitted), Series(_("Decided"), flow.decided)],
                 summary=ngettext("%(submitted)s submitted and %(num)s decision in %(days)s days.",
                                  "%(submitted)s submitted and %(num)s decisions in %(days)s days.",
                                  sum(flow.decided), submitted=f"{sum(flow.submitted):,}", days=DAYS),
                 axis=_("Day"))


def _age_chart() -> Chart:
    ages = stats.queue_ages()
    waiting, batched = sum(count for _label, count in ages), stats.batched_count()
    summary = ngettext("%(num)s application awaits a reviewer.", "%(num)s applications await a reviewer.", waiting)
    if batched:
        summary += " " + ngettext("%(num)s more is in a batch awaiting a second reviewer's approval.",
                                  "%(num)s more are in batches awaiting a second reviewer's approval.", batched)
    return Chart("ages", _("How long ready and flagged applications not yet batched have waited"), "bars",
                 [label for label, _count in ages], [Series(_("Applications"), [count for _label, count in ages])],
                 summary=summary, axis=_("Waited"))


def _decision_time_chart() -> tuple[Chart, stats.DecisionTimes]:
    times = stats.decision_times(DAYS)
    return Chart("decision-time", _("Median hours from submission to decision, by week (Monday shown)"), "bars",
                 [_day(week) for week in times.weeks],
                 [Series(_("Median hours"), times.weekly_median_hours)], unit=_(" h"), axis=_("Week of"),
                 has_data=times.decided > 0), times


def _publication_time_chart() -> tuple[Chart, stats.PublicationTimes]:
    times = stats.publication_times(DAYS)
    return Chart("publication-time", _("Median hours from submission to publication in the whitelist, by week "
                                       "(Monday shown)"), "bars",
                 [_day(week) for week in times.weeks],
                 [Series(_("Median hours"), times.weekly_median_hours)], unit=_(" h"), axis=_("Week of"),
                 has_data=times.published > 0,
                 empty_text=_("No approved application was published in the last %(days)s days.", days=DAYS)), times


def _on_time_chart(times: stats.DecisionTimes) -> Chart:
    summary = (_("%(percent)s%% of the decisions in the last %(days)s days were made by their due time.",
                 percent=times.on_time_percent, days=DAYS) if times.on_time_percent is not None else "")
    return Chart("on-time", _("Share of decisions made by their due time, by week (Monday shown)"), "bars",
                 [_day(week) for week in times.weeks],
                 [Series(_("Decided on time"), times.weekly_on_time_percent)], unit="%", axis=_("Week of"),
                 summary=summary, has_data=times.on_time_percent is not None)


def _flags_chart() -> Chart:
    flags = stats.flags_by_code()
    return Chart("flags", _("Flagged applications by error code"), "hbars", [code for code, _count in flags],
                 [Series(_("Applications"), [count for _code, count in flags])], axis=_("Error code"))


def _reviewer_chart() -> Chart:
    table = stats.decisions_by_reviewer(DAYS)
    return Chart("reviewers", _("Decisions per reviewer, last %(days)s days", days=DAYS), "hbars", list(table),
                 [Series(str(name), [counts[action] for counts in table.values()], colour)
                  for action, (name, colour) in DECISIONS.items()], axis=_("Reviewer"))


@bp.get("/dashboard")
@staff_only
def dashboard():
    decision_chart, times = _decision_time_chart()
    publication_chart, published = _publication_time_chart()
    return render_template("review/dashboard.html", times=times, published=published, charts=[
        _flow_chart(), _age_chart(), decision_chart, publication_chart, _on_time_chart(times), _flags_chart(),
        _reviewer_chart()])
