"""Geometry of the server-rendered SVG line chart of one instrument's scores over time.

Instruments with a total plot the total against its possible range, with the
threshold bands shaded. Instruments without a total (the C-SSRS) plot the band as
an ordered level, lowest risk at the bottom. No JavaScript, no charting library.
"""

import dataclasses
import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from .engine import Band, Instrument
from .models import Administration

WIDTH = 640
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 12, 32
# Light fills from "least" to "most" severe; text stays dark on all of them.
BAND_FILLS = ("#e3f2e5", "#f4f6d8", "#fff1cc", "#ffe0c2", "#fbd3d3")


@dataclasses.dataclass(frozen=True)
class ShadedBand:
    label: str
    y: float
    height: float
    label_y: float
    fill: str


@dataclasses.dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str


@dataclasses.dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclasses.dataclass(frozen=True)
class TrendChart:
    """Everything the template needs to draw one chart."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bands: list[ShadedBand]
    points: list[Point]
    ticks: list[Tick]
    x_labels: list[Tick]  # ``y`` holds the x position here
    polyline: str
    y_caption: str

    @property
    def plot_width(self) -> int:
        return self.plot_right - self.plot_left

    @property
    def label_x(self) -> int:
        return self.plot_right + 6


def _ordered_bands(instrument: Instrument) -> list[Band]:
    """Return the bands from least to most severe."""
    if all(b.when is None and b.low is not None for b in instrument.bands):
        return sorted(instrument.bands, key=lambda b: b.low or 0)
    # Rule bands are tried most severe first; the default comes last.
    return list(reversed(instrument.bands))


def _day(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}"


def _fill(index: int, count: int) -> str:
    if count <= 1:
        return BAND_FILLS[0]
    return BAND_FILLS[round(index * (len(BAND_FILLS) - 1) / (count - 1))]


def trend_chart(instrument: Instrument, administrations: Sequence[Administration]) -> TrendChart:
    """Lay out the chart of ``administrations`` (oldest first) of ``instrument``."""
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    plot_w, plot_h = right - LEFT, bottom - TOP
    bands = _ordered_bands(instrument)
    by_total = instrument.has_total
    if by_total:
        low, high = instrument.total_range
        low_edge, high_edge = low - 0.5, high + 0.5
    else:
        low_edge, high_edge = -0.5, len(bands) - 0.5

    def y_of(value: float) -> float:
        return round(TOP + (high_edge - value) / (high_edge - low_edge) * plot_h, 1)

    shaded, ticks = [], []
    for index, band in enumerate(bands):
        if by_total:
            start = band.low if band.low is not None else low
            end = band.high if band.high is not None else high
            ticks.append(Tick(y_of(start), str(start)))
        else:
            start = end = index
            ticks.append(Tick(y_of(index), str(index)))
        top, base = y_of(end + 0.5), y_of(start - 0.5)
        shaded.append(
            ShadedBand(
                band.label, top, round(base - top, 1), (top + base) / 2, _fill(index, len(bands))
            )
        )
    if by_total:
        ticks.append(Tick(y_of(high), str(high)))

    times = [a.administered_at for a in administrations]
    first, last = (min(times), max(times)) if times else (None, None)

    def x_of(moment: dt.datetime) -> float:
        if first is None or last is None or last == first:
            return LEFT + plot_w / 2
        return round(LEFT + (moment - first) / (last - first) * plot_w, 1)

    level = {b.code: i for i, b in enumerate(bands)}
    points = []
    for a in administrations:
        value = a.total if by_total and a.total is not None else level.get(a.band, 0)
        band_label = instrument.band_label(a.band)
        shown = f"{a.total} ({band_label})" if by_total else band_label
        points.append(
            Point(x_of(a.administered_at), y_of(value), f"{_day(a.administered_at)}: {shown}")
        )
    x_labels = []
    if first is not None and last is not None:
        x_labels.append(Tick(x_of(first), _day(first)))
        if last != first:
            x_labels.append(Tick(x_of(last), _day(last)))
    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=right,
        plot_top=TOP,
        plot_bottom=bottom,
        bands=shaded,
        points=points,
        ticks=ticks if by_total else [],
        x_labels=x_labels,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        y_caption=instrument.total_label if by_total else "Risk level",
    )
