"""Reads the console needs beyond the helpline selectors: the figures panel, recent closures.

Callers have passed ``helpline.selectors.inquiry_access``. Each read is bounded, so the
console's query count does not grow with the number of inquiries.
"""

import dataclasses
import datetime as dt

from django.urls import reverse
from django.utils import timezone

from openrecovery.core.prepared import PreparedQuery

from ..choices import ForWhom, InquirySource, Urgency
from ..models import Inquiry
from ..selectors import ConversionFigures, conversion_figures, queue_open

CLOSED_LIMIT = 15
QUEUE_ROWS = 50
OPEN_COUNT_CAP = 1000  # past this the console says "1,000+ open"
_REFERENCE_SLOT = "REFERENCE"
URGENCY_BADGES: dict[int, str] = {Urgency.URGENT: "text-bg-danger", Urgency.HIGH: "text-bg-warning"}


def urgency_badge(urgency: int) -> str:
    """Return the badge class for an urgency: red, amber, or grey for normal."""
    return URGENCY_BADGES.get(urgency, "text-bg-secondary")


@dataclasses.dataclass(frozen=True)
class QueueRow:
    """One queue row, ready to show: the page polls it every few seconds, for every
    coordinator, so the work is done once here instead of in template lookups."""

    inquiry_id: int
    reference: str
    url: str
    urgency_label: str
    urgency_badge: str
    source_label: str
    name: str
    for_label: str
    minutes_waiting: int
    overdue: bool
    contacted: bool
    claimed_by: str
    claimed_at: dt.datetime | None
    possible_duplicate_of: str | None = None
    duplicate_url: str = ""


def queue_rows(limit: int = QUEUE_ROWS, *, now: dt.datetime | None = None) -> list[QueueRow]:
    """Return the first ``limit`` rows of the live queue (one query)."""
    # One reverse() for the page, not one a row: references are URL-safe codes.
    url = reverse("helpline:console:inquiry", args=[_REFERENCE_SLOT])
    rows = []
    for entry in queue_open(limit, now=now):
        inquiry = entry.inquiry
        claimer = inquiry.claimed_by
        other = getattr(inquiry, "possible_duplicate_of", None)
        rows.append(
            QueueRow(
                inquiry_id=inquiry.pk,
                reference=inquiry.reference,
                url=url.replace(_REFERENCE_SLOT, inquiry.reference),
                urgency_label=Urgency(inquiry.urgency).label,
                urgency_badge=urgency_badge(inquiry.urgency),
                source_label=InquirySource(inquiry.source).label,
                name=inquiry.name,
                for_label=ForWhom(inquiry.for_whom).label,
                minutes_waiting=entry.minutes_waiting,
                overdue=entry.overdue,
                contacted=inquiry.first_contact_at is not None,
                claimed_by=str(claimer) if claimer is not None else "",
                claimed_at=inquiry.claimed_at,
                possible_duplicate_of=other,
                duplicate_url=url.replace(_REFERENCE_SLOT, other) if other else "",
            )
        )
    return rows


FIGURE_WINDOWS = (7, 30)


@dataclasses.dataclass(frozen=True)
class WindowFigures:
    """One window's figures, ready to show."""

    days: int
    total: int
    converted: int
    per_day_average: float
    median_minutes: float | None
    share_percent: float | None

    @classmethod
    def of(cls, figures: ConversionFigures) -> "WindowFigures":
        share = figures.share_converted
        return cls(
            figures.days,
            figures.total,
            figures.converted,
            figures.total / figures.days,
            figures.median_minutes_to_first_contact,
            None if share is None else share * 100,
        )


@dataclasses.dataclass(frozen=True)
class FiguresPanel:
    """Figures over the short and long windows, and the last week's inquiries per day."""

    windows: list[WindowFigures]
    last_days: list[tuple[dt.date, int]]
    busiest: int


def figures_panel(*, now: dt.datetime | None = None) -> FiguresPanel:
    """Return conversion figures over 7 and 30 days, and per-day counts for the last 7 days."""
    now = now or timezone.now()
    figures = [conversion_figures(days, now=now) for days in FIGURE_WINDOWS]
    counts = dict(figures[0].per_day)
    today = timezone.localdate(now)
    last_days = [
        (day, counts.get(day, 0))
        for day in (today - dt.timedelta(days=n) for n in range(6, -1, -1))
    ]
    windows = [WindowFigures.of(f) for f in figures]
    return FiguresPanel(windows, last_days, max((n for _d, n in last_days), default=0))


@dataclasses.dataclass(frozen=True)
class ClosedRow:
    """One recently closed inquiry, ready to show (formatted here, not per row in the
    template): its link, received and closed times, outcome and who worked it."""

    reference: str
    url: str
    received: str
    closed: str
    outcome: str
    worked_by: str  # "—" when nobody claimed it


def _local_minute(when: dt.datetime | None) -> str:
    # As the template's date:"Y-m-d H:i" writes it: in the current time zone, "" for None.
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when is not None else ""


# Read on every console view: compiled once per connection (core/prepared.py).
_CLOSED_RECENT = PreparedQuery(
    lambda: (
        Inquiry.objects.filter(closed_at__isnull=False)
        .select_related("claimed_by")
        .order_by("-closed_at", "-id")[:CLOSED_LIMIT]
    )
)


def inquiries_closed_recent(limit: int = CLOSED_LIMIT) -> list[ClosedRow]:
    """Return the most recently closed inquiries (one query, read along ``inquiry_closed``)."""
    inquiries = _CLOSED_RECENT.fetch()
    url = reverse("helpline:console:inquiry", args=[_REFERENCE_SLOT])
    return [
        ClosedRow(
            reference=inquiry.reference,
            url=url.replace(_REFERENCE_SLOT, inquiry.reference),
            received=_local_minute(inquiry.received_at),
            closed=_local_minute(inquiry.closed_at),
            outcome=inquiry.get_disposition_kind_display(),
            worked_by=str(inquiry.claimed_by) if inquiry.claimed_by is not None else "—",
        )
        for inquiry in inquiries[: max(0, limit)]
    ]
