"""Reads of withdrawal management: the unit board, through the privacy gate, in a constant
number of queries however many patients, assessments and vital signs there are."""

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.prepared import PreparedQuery
from openrecovery.privacy.gates import patients_visible, sees_everyone, visibility_of
from openrecovery.records.choices import Stage
from openrecovery.records.models import ClinicalAlert, EpisodeOfCare, Patient
from openrecovery.safety.models import RiskAssessment

from .models import CiwabJudgement, SeizurePrecautions, Unit, UnitAssignment, VitalSigns
from .protocols import BAND_LABELS, is_overdue

BOARD_OBJECT_TYPE = "withdrawal_board"
# Beds on one board. The database orders by urgency before the limit, so a program
# larger than this (it should filter by unit) loses its least urgent rows, never an
# overdue or alerting patient ahead of a calm one.
BOARD_LIMIT = 500


@dataclasses.dataclass(frozen=True)
class OpenAlert:
    """One raised alert (its copies to several recipients count once)."""

    id: int
    kind: str
    label: str
    severity: str
    raised_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class BoardRow:
    """One patient on the board: what the nurses' station needs at a glance."""

    patient: Patient
    unit_name: str
    ciwab: CiwabJudgement | None
    vitals: VitalSigns | None
    next_due_at: dt.datetime | None
    overdue: bool
    open_alerts: list[OpenAlert]
    seizure_precautions: bool
    suicide_risk_level: str | None

    @property
    def urgent(self) -> bool:
        return self.overdue or bool(self.open_alerts)

    @property
    def band_label(self) -> str:
        return BAND_LABELS[self.ciwab.band] if self.ciwab else ""

    def sort_key(self) -> tuple[int, int, dt.datetime, str]:
        # Overdue or alerting first; then alerting, then the soonest due; never assessed is
        # due now (the earliest possible time); the MRN keeps equal rows in a fixed order.
        due = self.next_due_at or dt.datetime.min.replace(tzinfo=dt.UTC)
        return (0 if self.urgent else 1, 0 if self.open_alerts else 1, due, self.patient.mrn)


def _board_patients(
    user_id: int, coverage: frozenset[str], unit_id: int | None, now: dt.datetime
) -> QuerySet[Patient]:
    """The patients in withdrawal management the user may see (the gate's queryset, on
    ``unit_id``'s unit when given), most urgent first, each with their unit, suicide-risk
    level, seizure precautions and their newest CIWA-B and vital signs (ids), found by one
    index probe per patient. Reads only its parameters (a prepared query's builder)."""
    in_stage = EpisodeOfCare.objects.filter(
        patient=OuterRef("pk"), ended_at__isnull=True, stage=Stage.WITHDRAWAL_MANAGEMENT
    )
    stay = UnitAssignment.objects.filter(patient=OuterRef("pk"), ended_at__isnull=True)
    risk = RiskAssessment.objects.filter(patient=OuterRef("pk")).order_by("-assessed_at", "-id")
    newest = CiwabJudgement.objects.filter(patient=OuterRef("pk")).order_by(
        "-administered_at", "-id"
    )
    newest_vitals = VitalSigns.objects.filter(patient=OuterRef("pk")).order_by(
        "-recorded_at", "-id"
    )
    alerting = ClinicalAlert.objects.filter(patient=OuterRef("pk"), resolved_at__isnull=True)
    patients = patients_visible(user_id, coverage, now).filter(Exists(in_stage))
    if unit_id is not None:
        patients = patients.filter(Exists(stay.filter(unit_id=unit_id)))
    return (
        patients.annotate(
            board_unit=Subquery(stay.values("unit__name")[:1]),
            board_risk=Subquery(risk.values("level")[:1]),
            board_seizure=Exists(
                SeizurePrecautions.objects.filter(patient=OuterRef("pk"), ended_at__isnull=True)
            ),
            board_due=Subquery(newest.values("next_due_at")[:1]),
            board_ciwab=Subquery(newest.values("pk")[:1]),
            board_vitals=Subquery(newest_vitals.values("pk")[:1]),
            board_alerting=Exists(alerting),
        )
        .annotate(
            board_rank=Case(
                When(
                    Q(board_alerting=True) | Q(board_due__isnull=True) | Q(board_due__lte=now),
                    then=Value(0),
                ),
                default=Value(1),
            )
        )
        .only("mrn", "legal_given_name", "legal_family_name", "preferred_name")
        .order_by("board_rank", "-board_alerting", F("board_due").asc(nulls_first=True), "mrn")
    )[:BOARD_LIMIT]


# The board's patients query, built once per connection for each shape: the role's
# coverage (a role seeing everyone has no user condition) and one unit or all. Building
# and compiling it took longer than running it (about 7 ms of a 45 ms page).
_BOARD_QUERIES: dict[tuple[frozenset[str], bool], PreparedQuery] = {}


def _board_query(coverage: frozenset[str], one_unit: bool) -> PreparedQuery:
    key = (coverage, one_unit)
    found = _BOARD_QUERIES.get(key)
    if found is not None:
        return found
    build: Callable[..., QuerySet[Patient]]
    if sees_everyone(coverage):  # no user_id in the SQL
        if one_unit:
            build = lambda unit_id, now: _board_patients(0, coverage, unit_id, now)  # noqa: E731
        else:
            build = lambda now: _board_patients(0, coverage, None, now)  # noqa: E731
    elif one_unit:
        build = lambda user_id, unit_id, now: _board_patients(  # noqa: E731
            user_id, coverage, unit_id, now
        )
    else:
        build = lambda user_id, now: _board_patients(user_id, coverage, None, now)  # noqa: E731
    found = _BOARD_QUERIES[key] = PreparedQuery(build, now=dt.datetime)
    return found


def board_patients(user: User, unit: Unit | None, now: dt.datetime) -> list[Patient]:
    """Return the board's patients for ``user`` (``_board_patients``), most urgent first."""
    coverage = visibility_of(user)
    if coverage is None:
        return []
    values: dict[str, Any] = {"now": now}
    if not sees_everyone(coverage):
        values["user_id"] = user.pk
    if unit is not None:
        values["unit_id"] = unit.pk
    return _board_query(coverage, unit is not None).fetch(**values)


def _newest_of(
    model: type[CiwabJudgement] | type[VitalSigns], ids: list[int | None]
) -> dict[int, Any]:
    # Rows by primary key: the patients' query found each one's newest with one probe of
    # the (patient, newest first) index per patient. Filtering the rows of all their
    # history by a correlated "is the newest" subquery instead ran it once per row:
    # 40 beds with a month of observations took over 100 ms.
    # No protocol joined: the board shows none of it, and decoding its JSON for every
    # row cost more than the rows themselves.
    rows = model.objects.filter(pk__in=[pk for pk in ids if pk is not None]).order_by()
    return {row.patient_id: row for row in rows}


def _open_alerts(ids: list[int]) -> dict[int, list[OpenAlert]]:
    labels = dict(ClinicalAlert._meta.get_field("kind").choices or [])
    found: dict[int, dict[tuple[str, str, str], OpenAlert]] = {}
    rows = ClinicalAlert.objects.filter(patient_id__in=ids, resolved_at__isnull=True).only(
        "patient_id", "kind", "severity", "source_type", "source_id", "created_at"
    )
    for a in rows.order_by("created_at", "id"):
        key = (a.kind, a.source_type, a.source_id)
        found.setdefault(a.patient_id, {}).setdefault(
            key, OpenAlert(a.pk, a.kind, str(labels.get(a.kind, a.kind)), a.severity, a.created_at)
        )
    return {pk: list(alerts.values()) for pk, alerts in found.items()}


def unit_board(
    user: User, *, unit: Unit | None = None, now: dt.datetime | None = None
) -> list[BoardRow]:
    """Return the board's rows, most urgent first (four queries in all; the first one
    prepared).

    The caller audits the read (the list of patient ids shown).
    """
    now = now or timezone.now()
    patients = board_patients(user, unit, now)
    ids = [p.pk for p in patients]
    if not ids:
        return []
    judgements = _newest_of(CiwabJudgement, [p.board_ciwab for p in patients])  # type: ignore[attr-defined]
    vitals = _newest_of(VitalSigns, [p.board_vitals for p in patients])  # type: ignore[attr-defined]
    alerts = _open_alerts(ids)
    rows = []
    for p in patients:
        judgement = judgements.get(p.pk)
        due = judgement.next_due_at if judgement else None
        rows.append(
            BoardRow(
                patient=p,
                unit_name=getattr(p, "board_unit", None) or "",
                ciwab=judgement,
                vitals=vitals.get(p.pk),
                next_due_at=due,
                overdue=is_overdue(due, now),
                open_alerts=alerts.get(p.pk, []),
                seizure_precautions=bool(getattr(p, "board_seizure", False)),
                suicide_risk_level=getattr(p, "board_risk", None),
            )
        )
    return sorted(rows, key=BoardRow.sort_key)


def board_audit(request: HttpRequest, rows: list[BoardRow], *, via: str) -> None:
    """Audit a read of the board: which patients it listed (ids only), so "who saw this
    patient listed" can be answered. An empty board reads no patient data."""
    if not rows:
        return
    audit_record(
        action=Action.LIST,
        request=request,
        object_type=BOARD_OBJECT_TYPE,
        detail={"count": len(rows), "patients": sorted(r.patient.pk for r in rows), "via": via},
    )


@dataclasses.dataclass(frozen=True)
class BoardMar:
    """A patient's medication record on the board: the taper step in force, its review
    date, today's scheduled doses (given of due) and as-needed effect checks not done."""

    taper_step: int | None
    taper_steps: int
    taper_doses: str
    review_by: dt.date | None
    review_overdue: bool
    doses_given: int
    doses_due: int
    doses_late: int
    effect_checks: list[dt.datetime]


def board_mar(rows: list[BoardRow], now: dt.datetime) -> dict[int, BoardMar]:
    """Return each board patient's medication record of today (three queries in all)."""
    from .mar import LATE_AFTER, day_bounds, order_doses_on, taper_doses_on
    from .models import DoseRecord, MedicationOrder, TaperOrder
    from .services.doses import effective_records
    from .tapering import step_on

    ids = [r.patient.pk for r in rows]
    if not ids:
        return {}
    today = timezone.localdate(now)
    start, end = day_bounds(today)
    tapers = {
        t.patient_id: t
        # Only what the schedule needs: decoding every JSON field of 40 orders (their
        # adjustments, warnings and overrides besides the plan) cost more than the query.
        for t in TaperOrder.objects.filter(patient_id__in=ids, superseded_at__isnull=True).only(
            "patient_id", "series", "inputs", "steps", "start_date", "times", "review_by"
        )
    }
    orders: dict[int, list[MedicationOrder]] = {}
    for o in MedicationOrder.objects.filter(
        patient_id__in=ids, ended_at__isnull=True, as_needed=False
    ):
        orders.setdefault(o.patient_id, []).append(o)
    records: dict[int, list[DoseRecord]] = {}
    for rec in DoseRecord.objects.filter(
        patient_id__in=ids, occurred_at__gte=start - dt.timedelta(days=1), occurred_at__lt=end
    ).annotate(series=F("taper_order__series")).only(
        "patient_id", "taper_order_id", "medication_order_id", "medication", "scheduled_for",
        "status", "occurred_at", "recorded_at", "effect_check_due_at", "corrects_id",
    ):  # fmt: skip
        records.setdefault(rec.patient_id, []).append(rec)
    ciwab_at = {r.patient.pk: r.ciwab.administered_at for r in rows if r.ciwab}
    found = {}
    for pk in ids:
        taper = tapers.get(pk)
        scheduled = taper_doses_on(taper, today) if taper else []
        for o in orders.get(pk, []):
            scheduled += order_doses_on(o, today)
        effective = effective_records(records.get(pk, []))
        done = {
            (
                "taper" if r.taper_order_id else "order",
                r.series if r.taper_order_id else r.medication_order_id,  # type: ignore[attr-defined]
                r.medication,
                r.scheduled_for,
            ): r
            for r in effective
            if r.scheduled_for is not None
        }
        given = late = 0
        for d in scheduled:
            slot = taper.series if d.source == "taper" and taper else d.order_id
            record = done.get((d.source, slot, d.medication, d.scheduled_for))
            if record is not None and record.status == "given":
                given += 1
            elif record is None and now - d.scheduled_for > LATE_AFTER:
                late += 1
        checks = sorted(
            r.effect_check_due_at
            for r in effective
            if r.effect_check_due_at is not None
            and r.status == "given"
            and not (pk in ciwab_at and ciwab_at[pk] > r.occurred_at)
        )
        index = step_on(taper.steps, taper.start_date, today) if taper else None
        found[pk] = BoardMar(
            taper_step=None if index is None else index + 1,
            taper_steps=len(taper.steps) if taper else 0,
            taper_doses=" + ".join(
                f"{d['daily_mg']} mg {d['medication']}/day" for d in taper.steps[index]["doses"]
            )
            if taper and index is not None
            else "",
            review_by=taper.review_by if taper else None,
            review_overdue=bool(taper and taper.review_by < today),
            doses_given=given,
            doses_due=len(scheduled),
            doses_late=late,
            effect_checks=checks,
        )
    return found
