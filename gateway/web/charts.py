"""The geometry of the dashboard's charts, drawn as inline SVG by the templates.

Pure Python, no I/O: a chart is a list of years, one or more series of values per year
and a formatter; this module places bars, lines, ticks and labels in a fixed viewBox
that the browser scales to the page's width. The SVG is a picture for sighted readers
(role="img", named by its heading); the table under each chart carries the same figures
for everyone else, so the drawing itself stays simple.
"""
import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 480, 280
LEFT, RIGHT, TOP, BOTTOM = 76, 12, 14, 30   # room for the value axis and the years
LABEL_WIDTH = 40                              # what a year label needs, in viewBox units
MAX_BAR_WIDTH = 56                            # two years' bars stay bars, not walls
PALETTE = 7                                   # colour classes s0..s6 of site.css


@dataclass(frozen=True)
class Series:
    label: str
    values: list  # one number per year


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Mark:
    """A bar (x, y, width, height) or a line's point (x, y), with its tooltip."""
    series: int
    x: float
    y: float
    title: str
    width: float = 0
    height: float = 0


@dataclass
class Chart:
    kind: str                       # "bars" or "lines"
    legend: list                    # (colour class index, label)
    ticks: list = field(default_factory=list)
    years: list = field(default_factory=list)    # (x, label) of the years shown on the axis
    marks: list = field(default_factory=list)
    lines: list = field(default_factory=list)    # (series, "x,y x,y ...")
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def nice_step(top: float, integers: bool) -> float:
    """A round step (1, 2, 2.5, 5 times a power of ten) that cuts 0..top in about four."""
    if top <= 0:
        return 1
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= raw and not (integers and step != int(step)):
            return step
    return 10 * power


def _axis(top_value, integers, fmt):
    step = nice_step(top_value, integers)
    count = max(1, math.ceil(top_value / step)) if top_value > 0 else 1
    top = step * count
    height = HEIGHT - BOTTOM - TOP

    def y_of(value):
        return round(TOP + height * (1 - max(value, 0) / top), 2)

    ticks = [Tick(y_of(step * index), fmt(int(step * index) if integers else step * index))
             for index in range(count + 1)]
    return y_of, ticks


def _bands(years):
    band = (WIDTH - RIGHT - LEFT) / len(years)
    every = max(1, math.ceil(LABEL_WIDTH / band))  # a year label every so many years
    # The last year is always labelled: it is the one readers look for.
    labels = [(round(LEFT + band * (index + 0.5), 2), str(year))
              for index, year in enumerate(years)
              if (len(years) - 1 - index) % every == 0]
    return band, labels


def _legend(series):
    return [(index % PALETTE, one.label) for index, one in enumerate(series)]


def bar_chart(years, series, fmt, axis=None, integers=False):
    """Bars per year, stacked when there are several series; `fmt` writes a value in a
    tooltip, `axis` (default `fmt`) on the value axis. Negative values (none of
    the charted figures should have any) are drawn as zero; the table shows them."""
    if not years:
        return None
    totals = [sum(max(one.values[index] or 0, 0) for one in series)
              for index in range(len(years))]
    y_of, ticks = _axis(max(totals), integers, axis or fmt)
    band, labels = _bands(years)
    chart = Chart("bars", _legend(series), ticks, labels)
    width = round(min(band * 0.7, MAX_BAR_WIDTH), 2)
    for index, year in enumerate(years):
        x, base = round(LEFT + band * (index + 0.5) - width / 2, 2), 0
        for number, one in enumerate(series):
            value = max(one.values[index] or 0, 0)
            if value:
                top, bottom = y_of(base + value), y_of(base)
                chart.marks.append(Mark(number % PALETTE, x, top,
                                        f"{year} — {one.label} : {fmt(value)}", width,
                                        round(bottom - top, 2)))
            base += value
    return chart


def line_chart(years, series, fmt, axis=None, integers=False):
    """One line per series, a point per year."""
    if not years:
        return None
    highest = max((max(value or 0, 0) for one in series for value in one.values), default=0)
    y_of, ticks = _axis(highest, integers, axis or fmt)
    band, labels = _bands(years)
    chart = Chart("lines", _legend(series), ticks, labels)
    for number, one in enumerate(series):
        points = []
        for index, year in enumerate(years):
            x, y = round(LEFT + band * (index + 0.5), 2), y_of(one.values[index] or 0)
            points.append(f"{x},{y}")
            chart.marks.append(Mark(number % PALETTE, x, y,
                                    f"{year} — {one.label} : {fmt(one.values[index] or 0)}"))
        chart.lines.append((number % PALETTE, " ".join(points)))
    return chart
