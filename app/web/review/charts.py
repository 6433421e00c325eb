"""Bar and line charts drawn on the server as inline SVG: no JavaScript, no charting library.

A Chart holds the numbers; `chart.svg()` draws them and templates/review/_chart.html puts the same
numbers in a table beside the picture, so a screen reader (or anyone who wants the figures) reads them.
Coordinates are in a fixed viewBox that the stylesheet scales to the width of the page.
"""
import math
from dataclasses import dataclass, field

from markupsafe import Markup, escape

# The stylesheet's green, info blue, danger red and warning brown: all at least 7:1 on white.
PALETTE = ("#0b6b3a", "#0b4f8a", "#a4161a", "#7a4f00")
WIDTH, HEIGHT = 420, 240  # narrow, so the text stays readable when a phone scales it down
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 44  # room for the axis labels
# Text is laid out without measuring it: a 13 px character is taken as this wide (generous: the portal's
# fonts average 7-8 px), so a label given that much room is never cut by the edge of the picture.
CHAR_WIDTH = 8.5
LINE = 16  # height of one line of a row label in a horizontal bar chart
BAR = 18  # thickness of a horizontal bar
ROW_GAP = 12  # between one bar and the next row's label
VALUE_ROOM = 56  # right of the longest bar, for its total
MAX_X_LABELS = {"bars": 8, "line": 6}  # axis labels that fit side by side
MAX_INTERVALS = 5  # gridlines above zero


@dataclass
class Series:
    name: str
    values: list[float | None]  # None: nothing to measure there (a week without decisions): no bar, "—" in the table
    colour: str = ""  # default: the next colour of PALETTE

    def drawn(self, i: int) -> float:
        return self.values[i] or 0


@dataclass
class Chart:
    """One value per label per series. `kind` is "bars" (stacked columns), "hbars" (stacked rows) or "line"."""

    key: str  # unique on the page: the SVG's title and description ids derive from it
    title: str
    kind: str
    labels: list[str]
    series: list[Series] = field(default_factory=list)
    unit: str = ""
    summary: str = ""  # one sentence saying what the picture shows, read before it
    axis: str = ""  # what the labels are ("Day", "Reviewer"): the heading of the table's first column
    has_data: bool | None = None  # None: the chart has data when any value is non-zero
    empty_text: str = ""  # what to say instead of the picture when it is empty (default: "Nothing to show yet.")

    @property
    def empty(self) -> bool:
        if self.has_data is not None:
            return not self.has_data
        return not any(v for s in self.series for v in s.values)

    def totals(self) -> list[float]:
        return [sum(s.drawn(i) for s in self.series) for i in range(len(self.labels))]

    def svg(self) -> Markup:
        return {"bars": _columns, "hbars": _rows, "line": _lines}[self.kind](self)


def axis_step(value: float) -> tuple[float, int]:
    """(step, intervals): the smallest round step (1, 2 or 5 times a power of ten, at least 1) that reaches
    `value` in at most five intervals, so gridlines read 0, 10, 20… rather than 0, 12.5, 25…"""
    step = 1
    while True:
        for multiple in (1, 2, 5):
            if value <= multiple * step * MAX_INTERVALS:
                return multiple * step, max(1, math.ceil(value / (multiple * step)))
        step *= 10


def nice_ceiling(value: float) -> float:
    """The top of the axis for values up to `value`."""
    step, intervals = axis_step(value)
    return step * intervals


def _colours(chart: Chart):
    return [(series.colour or PALETTE[i % len(PALETTE)], series) for i, series in enumerate(chart.series)]


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _open(chart: Chart, height: int) -> list[str]:
    return [f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" role="img" '
            f'aria-labelledby="{chart.key}-title" focusable="false" xmlns="http://www.w3.org/2000/svg">',
            f'<title id="{chart.key}-title">{escape(chart.title)}</title>']


def _text_width(text: str) -> float:
    return CHAR_WIDTH * len(text)


def _y_axis(value: float, plot_height: float, unit: str) -> tuple[float, float, list[str]]:
    """The axis top for values up to `value`, the left edge of the plot (room for the widest tick label:
    "10,000 h" needs more than "5"), and the gridlines from zero, labelled at the left."""
    step, intervals = axis_step(value)
    ticks = [_number(step * i) + (unit if i == intervals else "") for i in range(intervals + 1)]
    left = max(LEFT, 10 + max(_text_width(tick) for tick in ticks))
    parts = []
    for i, tick in enumerate(ticks):
        y = TOP + plot_height - plot_height * i / intervals
        parts.append(f'<line class="chart-gridline" x1="{left:.1f}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="chart-tick" x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{escape(tick)}</text>')
    return step * intervals, left, parts


def _x_labels(labels: list[str], x_of, kind: str) -> list[str]:
    every = max(1, -(-len(labels) // MAX_X_LABELS[kind]))
    return [_x_label(label, x_of(i)) for i, label in enumerate(labels) if i % every == 0]


def _x_label(label: str, x: float) -> str:
    """A label centred under `x`, or ending at the right edge (starting at the left one) where centring
    would push it out of the picture."""
    half = _text_width(label) / 2
    x, anchor = (WIDTH, "end") if x + half > WIDTH else (0, "start") if x - half < 0 else (x, "middle")
    return (f'<text class="chart-tick" x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="{anchor}">'
            f'{escape(label)}</text>')


def _legend(chart: Chart, y: float, x: float = LEFT) -> list[str]:
    """The series' colours and names in a row from `x` (the plot's left edge)."""
    if len(chart.series) < 2:
        return []
    parts = []
    for colour, series in _colours(chart):
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
                     f'<text class="chart-tick" x="{x + 16}" y="{y}">{escape(series.name)}</text>')
        x += 28 + 8 * len(series.name)
    return parts


def _columns(chart: Chart) -> Markup:
    plot_height = HEIGHT - TOP - BOTTOM
    top, left, axis = _y_axis(max(chart.totals(), default=0), plot_height, chart.unit)
    slot = (WIDTH - left - RIGHT) / max(len(chart.labels), 1)
    parts = _open(chart, HEIGHT) + axis
    for i, label in enumerate(chart.labels):
        base = TOP + plot_height
        for colour, series in _colours(chart):
            height = plot_height * series.drawn(i) / top
            base -= height
            if height:
                parts.append(f'<rect x="{left + i * slot + slot * 0.15:.1f}" y="{base:.1f}" '
                             f'width="{slot * 0.7:.1f}" height="{height:.1f}" fill="{colour}">'
                             f'{_tooltip(label, series, i)}</rect>')
    parts += _x_labels(chart.labels, lambda i: left + (i + 0.5) * slot, chart.kind)
    parts += _legend(chart, HEIGHT - 6)
    return Markup("".join(parts + ["</svg>"]))


def _lines(chart: Chart) -> Markup:
    plot_height = HEIGHT - TOP - BOTTOM
    top, left, axis = _y_axis(max((v or 0 for s in chart.series for v in s.values), default=0), plot_height,
                              chart.unit)
    step = (WIDTH - left - RIGHT) / max(len(chart.labels) - 1, 1)

    def x_of(i):
        return left + i * step

    parts = _open(chart, HEIGHT) + axis
    for colour, series in _colours(chart):
        points = " ".join(f"{x_of(i):.1f},{TOP + plot_height - plot_height * v / top:.1f}"
                          for i, v in enumerate(series.values))
        parts.append(f'<polyline class="chart-line" points="{points}" stroke="{colour}"/>')
    parts += _x_labels(chart.labels, x_of, chart.kind)
    parts += _legend(chart, HEIGHT - 6)
    return Markup("".join(parts + ["</svg>"]))


def _rows(chart: Chart) -> Markup:
    """Horizontal bars, each under its label: a long label (a finding code, a reviewer's email) has the whole
    width, and wraps onto a second line rather than being cut."""
    plot_width = WIDTH - VALUE_ROOM
    top = nice_ceiling(max(chart.totals(), default=0))
    parts, y = [], TOP
    for i, (label, total) in enumerate(zip(chart.labels, chart.totals())):
        lines = _label_lines(label, int(WIDTH / CHAR_WIDTH))
        parts.append(f'<text class="chart-tick" x="0" y="{y + LINE - 4}">'
                     + "".join(f'<tspan x="0" dy="{LINE if n else 0}">{escape(line)}</tspan>'
                               for n, line in enumerate(lines)) + "</text>")
        y += LINE * len(lines) + 2
        x = 0.0
        for colour, series in _colours(chart):
            width = plot_width * series.drawn(i) / top
            if width:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" '
                             f'fill="{colour}">{_tooltip(label, series, i)}</rect>')
            x += width
        parts.append(f'<text class="chart-value" x="{x + 6:.1f}" y="{y + BAR - 4}">{_number(total)}</text>')
        y += BAR + ROW_GAP
    legend = 28 if len(chart.series) > 1 else 0
    height = y + legend
    return Markup("".join(_open(chart, height) + parts + _legend(chart, height - 8, x=0) + ["</svg>"]))


def _label_lines(label: str, limit: int) -> list[str]:
    """`label` in lines of at most `limit` characters, each broken after a dot, @, dash, underscore or
    space where there is one, so an email or a code splits where a reader expects."""
    lines = []
    while len(label) > limit:
        cut = max(label.rfind(mark, 0, limit) for mark in ".@-_ ") + 1 or limit
        lines.append(label[:cut])
        label = label[cut:]
    return lines + [label]


def _tooltip(label: str, series: Series, i: int) -> str:
    """What a pointer over a bar shows."""
    return f"<title>{escape(label)}, {escape(series.name)}: {_number(series.drawn(i))}</title>"

