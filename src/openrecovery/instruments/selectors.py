"""Reads of administrations and clinical alerts for a patient whose gate the caller passed.

Every function runs a constant number of queries, however many rows exist.
"""

import dataclasses
from typing import Any

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery

from openrecovery.accounts.models import User
from openrecovery.core.prepared import PreparedQuery
from openrecovery.records.choices import AlertSeverity
from openrecovery.records.models import ClinicalAlert, Patient

from .engine import Instrument
from .models import Administration
from .registry import INSTRUMENTS
from .services import short_name
from .trend_chart import TrendChart, trend_chart

TREND_LIMIT = 500  # administrations per instrument on the trends page


@dataclasses.dataclass(frozen=True)
class LatestResult:
    """An instrument and the patient's latest administration of it (or None)."""

    instrument: Instrument
    administration: Administration | None

    @property
    def short_name(self) -> str:
        return short_name(self.instrument)

    @property
    def band_label(self) -> str:
        a = self.administration
        return self.instrument.band_label(a.band) if a else ""

    @property
    def flag_labels(self) -> list[str]:
        return _flag_labels(self.instrument, self.administration)

    @property
    def subscale_values(self) -> list[tuple[str, Any]]:
        a = self.administration
        return self.instrument.subscale_values(a.subscales) if a else []


def _flag_labels(instrument: Instrument, administration: Administration | None) -> list[str]:
    if administration is None:
        return []
    labels = {f.code: f.label for f in instrument.flags}
    return [labels.get(code, code) for code in administration.flags]


# What the chart's results panel shows of an administration (its giver by name only).
LATEST_RESULT_FIELDS = (
    "patient_id", "code", "total", "band", "flags", "subscales", "administered_at",
)  # fmt: skip


def _latest_results_query(patient_id: int) -> QuerySet[Administration]:
    given = (
        Administration.objects.filter(patient_id=patient_id)
        .select_related("administered_by")
        .only(*LATEST_RESULT_FIELDS, *User.name_fields("administered_by"))
    )
    if connection.features.can_distinct_on_fields:  # PostgreSQL: DISTINCT ON
        return given.order_by("code", "-administered_at", "-id").distinct("code")
    newest = (
        Administration.objects.filter(patient_id=patient_id, code=OuterRef("code"))
        .order_by("-administered_at", "-id")
        .values("pk")[:1]
    )
    return given.filter(pk=Subquery(newest))


# Built and compiled once per connection (core/prepared.py): every chart view reads it.
_LATEST_RESULTS = PreparedQuery(_latest_results_query)


def latest_results(patient: Patient) -> list[LatestResult]:
    """Return every registered instrument with the patient's latest result of it (one query)."""
    latest = {a.code: a for a in _LATEST_RESULTS.fetch(patient_id=patient.pk)}
    return [LatestResult(i, latest.get(code)) for code, i in INSTRUMENTS.items()]


@dataclasses.dataclass(frozen=True)
class TrendRow:
    """One administration as a row of the trends table."""

    administration: Administration
    band_label: str
    flag_labels: list[str]
    subscale_values: list[tuple[str, Any]]


@dataclasses.dataclass(frozen=True)
class Trend:
    """One instrument's administrations (oldest first), its chart and table rows."""

    instrument: Instrument
    chart: TrendChart
    rows: list[TrendRow]


def trends(patient: Patient) -> list[Trend]:
    """Return a trend for each registered instrument the patient has been given (one query)."""
    found: dict[str, list[Administration]] = {}
    rows = (
        Administration.objects.filter(patient=patient, code__in=list(INSTRUMENTS))
        .select_related("administered_by")
        .order_by("code", "-administered_at", "-id")
    )
    for a in rows:
        kept = found.setdefault(a.code, [])
        if len(kept) < TREND_LIMIT:
            kept.append(a)
    result = []
    for code, instrument in INSTRUMENTS.items():
        given = list(reversed(found.get(code, [])))
        if not given:
            continue
        table = [
            TrendRow(
                a,
                instrument.band_label(a.band),
                _flag_labels(instrument, a),
                instrument.subscale_values(a.subscales),
            )
            for a in reversed(given)  # newest first in the table
        ]
        result.append(Trend(instrument, trend_chart(instrument, given), table))
    return result


@dataclasses.dataclass(frozen=True)
class AlertGroup:
    """The copies of one raised alert (one per recipient), shown as one banner entry."""

    first: ClinicalAlert
    copies: list[ClinicalAlert]
    viewer_id: int | None = None

    @property
    def mine(self) -> ClinicalAlert | None:
        """Return the viewer's own copy, if they are a recipient."""
        return next((c for c in self.copies if c.recipient_id == self.viewer_id), None)


# What the urgent-alert banner shows of an alert (its recipient by name only).
ALERT_BANNER_FIELDS = (
    "patient_id",
    "kind",
    "severity",
    "message",
    "source_type",
    "source_id",
    "created_at",
    "acknowledged_at",
    "resolved_at",
)


_UNRESOLVED_URGENT = PreparedQuery(
    lambda patient_id: (
        ClinicalAlert.objects.filter(
            patient_id=patient_id, resolved_at__isnull=True, severity=AlertSeverity.URGENT
        )
        .select_related("recipient")
        .only(*ALERT_BANNER_FIELDS, *User.name_fields("recipient"))
        .order_by("-created_at", "pk")
    )
)


def unresolved_alert_groups(patient: Patient, viewer: User) -> list[AlertGroup]:
    """Return the patient's unresolved urgent alerts grouped by what raised them (one query)."""
    alerts = _UNRESOLVED_URGENT.fetch(patient_id=patient.pk)
    groups: dict[tuple[str, str, str], list[ClinicalAlert]] = {}
    for alert in alerts:
        groups.setdefault((alert.kind, alert.source_type, alert.source_id), []).append(alert)
    return [AlertGroup(copies[0], copies, viewer.pk) for copies in groups.values()]


def alerts_unacknowledged(
    user: User, visible: QuerySet[Patient], limit: int
) -> list[ClinicalAlert]:
    """Return ``user``'s unacknowledged alerts about patients in ``visible``, newest first."""
    return list(
        ClinicalAlert.objects.filter(
            recipient=user, acknowledged_at__isnull=True, patient__in=visible
        )
        .select_related("patient")
        .order_by("-created_at", "-id")[:limit]
    )


def alerts_unacknowledged_count(user: User) -> int:
    """Return how many alerts wait for ``user`` to acknowledge them (the navbar badge)."""
    return ClinicalAlert.objects.filter(recipient=user, acknowledged_at__isnull=True).count()
