"""Reads of helpline inquiries: the live queue, one inquiry, history and figures.

``queue_open``, ``inquiries_recent`` and ``conversion_figures`` are plain reads for
callers that already passed ``inquiry_access``; ``inquiry_for`` loads one inquiry
for a user, checking access and auditing the read.
"""

import dataclasses
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DurationField, ExpressionWrapper, F, Prefetch, Q
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.services import audit_record
from openrecovery.core.prepared import PreparedQuery
from openrecovery.instruments.registry import self_check_get

from .choices import DispositionKind
from .merging import mark_possible_duplicates
from .models import OPEN, CallAttempt, Disposition, Inquiry, PreScreen
from .references import reference_normalize
from .rules import danger_rules, self_check_rules

VIEW_PERMISSION = "helpline.view_inquiries"
QUEUE_LIMIT = 200
# What a queue row shows: the rest of an inquiry (messages, self-check) stays unread.
QUEUE_COLUMNS = (
    "reference",
    "source",
    "status",
    "urgency",
    "received_at",
    "first_contact_at",
    "claimed_at",
    "name",
    "for_whom",
    "phone_digits",
    "claimed_by__username",
    "claimed_by__first_name",
    "claimed_by__last_name",
)
HISTORY_LIMIT = 100
FIGURES_MAX_DAYS = 366


@dataclasses.dataclass(frozen=True)
class QueueEntry:
    """An open inquiry in the queue, with how long the person has waited."""

    inquiry: Inquiry
    minutes_waiting: int
    due_at: dt.datetime
    overdue: bool


@dataclasses.dataclass(frozen=True)
class ConversionFigures:
    """Helpline figures over the last ``days`` days (by when inquiries arrived)."""

    days: int
    per_day: list[tuple[dt.date, int]]
    total: int
    converted: int
    median_minutes_to_first_contact: float | None

    @property
    def share_converted(self) -> float | None:
        return self.converted / self.total if self.total else None


def response_minutes() -> int:
    """Return the response-time target in minutes (``HELPLINE_RESPONSE_MINUTES``)."""
    return int(settings.HELPLINE_RESPONSE_MINUTES)


def inquiry_access(user: User, *, write: bool = False) -> None:
    """Raise PermissionDenied unless ``user`` may read (or, with ``write``, work) inquiries."""
    permission = "helpline.work_inquiries" if write else VIEW_PERMISSION
    if not user.is_authenticated or not user.has_perm(permission):
        raise PermissionDenied


_QUEUE_QUERIES: dict[int, PreparedQuery] = {}


def _queue_query(limit: int) -> PreparedQuery:
    # The queue is read on every console view and poll: compiled once per limit and
    # connection (core/prepared.py); at most QUEUE_LIMIT + 1 limits exist.
    prepared = _QUEUE_QUERIES.get(limit)
    if prepared is None:
        prepared = _QUEUE_QUERIES[limit] = PreparedQuery(
            lambda: (
                Inquiry.objects.filter(OPEN)
                .select_related("claimed_by")
                .only(*QUEUE_COLUMNS)
                .order_by("urgency", "received_at")[:limit]
            )
        )
    return prepared


def queue_open(limit: int = QUEUE_LIMIT, *, now: dt.datetime | None = None) -> list[QueueEntry]:
    """Return up to ``limit`` open inquiries, most urgent first, then longest waiting.

    One query, read along the partial index ``inquiry_open_queue``; each inquiry carries
    ``possible_duplicate_of`` (``merging.mark_possible_duplicates``).
    """
    now = now or timezone.now()
    target = dt.timedelta(minutes=response_minutes())
    rows = _queue_query(max(0, min(limit, QUEUE_LIMIT))).fetch()
    mark_possible_duplicates(rows)
    entries = []
    for inquiry in rows:
        due = inquiry.received_at + target
        waited = max(0, int((now - inquiry.received_at).total_seconds() // 60))
        overdue = inquiry.first_contact_at is None and now > due
        entries.append(QueueEntry(inquiry, waited, due, overdue))
    return entries


def queue_open_count(cap: int | None = None) -> int:
    """Return how many inquiries are open; with ``cap``, at most ``cap`` + 1.

    A capped count stops reading after ``cap`` + 1 rows, so the console's every-few-
    seconds poll costs the same with 100 or 100,000 people waiting.
    """
    rows = Inquiry.objects.filter(OPEN)
    return rows[: cap + 1].count() if cap is not None else rows.count()


def inquiries_recent(
    limit: int = HISTORY_LIMIT, *, before: dt.datetime | None = None
) -> list[Inquiry]:
    """Return the latest inquiries (open or closed), newest first, a page at a time."""
    rows = Inquiry.objects.select_related("claimed_by").order_by("-received_at", "-id")
    if before is not None:
        rows = rows.filter(received_at__lt=before)
    return list(rows[: max(0, min(limit, HISTORY_LIMIT))])


def inquiry_for(
    user: User,
    reference: str,
    *,
    request: HttpRequest | None = None,
    write: bool = False,
    action: str = Action.VIEW,
) -> Inquiry:
    """Load the inquiry with ``reference`` for ``user``, auditing the read.

    Raise PermissionDenied (audited) when the user's role may not read inquiries,
    Http404 for an unknown or malformed reference.
    """
    try:
        inquiry_access(user, write=write)
    except PermissionDenied:
        audit_record(
            action=Action.ACCESS_DENIED,
            actor=user,
            request=request,
            object_type="inquiry",
            outcome=Outcome.DENIED,
        )
        raise
    normalized = reference_normalize(reference)
    inquiry = (
        Inquiry.objects.select_related("claimed_by", "logged_by", "patient")
        .filter(reference=normalized)
        .first()
        if normalized
        else None
    )
    if inquiry is None:
        raise Http404("No such inquiry.")
    if action:
        audit_record(
            action=action,
            actor=user,
            request=request,
            patient_id=inquiry.patient_id,
            object_type="inquiry",
            object_id=inquiry.pk,
        )
    return inquiry


def inquiry_detail(inquiry: Inquiry) -> dict[str, Any]:
    """Return an inquiry's call attempts, pre-screen, danger rules and disposition.

    ``danger_rules`` are the pre-screen's; ``self_check_rules`` those of a self-check the
    person sent that the pre-screen did not already raise, and ``self_check_labels`` its
    band and flags in words (the stored codes stay as they are).
    """
    prescreen = PreScreen.objects.filter(inquiry=inquiry).first()
    disposition = Disposition.objects.filter(inquiry=inquiry).select_related("clinician").first()
    rules = danger_rules(prescreen) if prescreen is not None else []
    return {
        "call_attempts": list(inquiry.call_attempts.select_related("attempted_by")),
        "prescreen": prescreen,
        "danger_rules": rules,
        "self_check_rules": self_check_rules(inquiry.self_check, already=rules),
        "self_check_labels": self_check_labels(inquiry.self_check),
        "disposition": disposition,
    }


@dataclasses.dataclass(frozen=True)
class SelfCheckLabels:
    """A stored self-check result in words: its instrument, band and flags."""

    name: str
    band: str
    flags: list[str]


def self_check_labels(self_check: dict[str, Any] | None) -> SelfCheckLabels | None:
    """Return the words for a stored self-check's band and flags (codes for unknown ones)."""
    if not self_check:
        return None
    instrument = self_check_get(str(self_check.get("code", "")))
    bands = {b.code: b.label for b in instrument.bands} if instrument else {}
    flags = {f.code: f.label for f in instrument.flags} if instrument else {}
    band = str(self_check.get("band", ""))
    return SelfCheckLabels(
        name=instrument.name if instrument else str(self_check.get("code", "")),
        band=bands.get(band, band),
        flags=[flags.get(code, code) for code in self_check.get("flags", ())],
    )


def inquiry_with_detail(inquiry: Inquiry) -> Inquiry:
    """Reload ``inquiry`` with who holds it, its calls, pre-screen and disposition.

    Two queries: the inquiry with its one-to-one rows joined, and its call attempts.
    """
    return (
        Inquiry.objects.select_related(
            "claimed_by", "patient", "prescreen", "disposition__clinician"
        )
        .prefetch_related(
            Prefetch("call_attempts", CallAttempt.objects.select_related("attempted_by"))
        )
        .get(pk=inquiry.pk)
    )


def conversion_figures(days: int = 30, *, now: dt.datetime | None = None) -> ConversionFigures:
    """Return inquiries per day, share converted and median time to first contact.

    Reads only the window (an index range on ``received_at``): two queries whatever
    the table's size (the per-day counts, which also count the contacted, and the median).
    """
    days = max(1, min(days, FIGURES_MAX_DAYS))
    now = now or timezone.now()
    # A merged duplicate is the same person asking again: counted once, as the one kept.
    window = Inquiry.objects.filter(received_at__gte=now - dt.timedelta(days=days)).exclude(
        disposition_kind=DispositionKind.MERGED
    )
    by_day = list(
        window.annotate(day=TruncDate("received_at"))
        .values("day")
        .annotate(
            n=Count("id"),
            converted=Count("id", filter=Q(disposition_kind=DispositionKind.SCHEDULE_ASSESSMENT)),
            contacted=Count("id", filter=Q(first_contact_at__isnull=False)),
        )
        .order_by("day")
    )
    per_day = [(row["day"], row["n"]) for row in by_day]
    converted = sum(row["converted"] for row in by_day)
    contacted = window.filter(first_contact_at__isnull=False)
    n = sum(row["contacted"] for row in by_day)
    median = None
    if n:
        delay = ExpressionWrapper(
            F("first_contact_at") - F("received_at"), output_field=DurationField()
        )
        middle = list(
            contacted.annotate(delay=delay)
            .order_by("delay")
            .values_list("delay", flat=True)[(n - 1) // 2 : n // 2 + 1]
        )
        median = sum(d.total_seconds() for d in middle) / len(middle) / 60
    return ConversionFigures(days, per_day, sum(c for _d, c in per_day), converted, median)
