"""Reads of withdrawal management: the unit board, through the privacy gate, in a constant
number of queries however many patients, assessments and vital signs there are."""

import dataclasses
import datetime as dt
from typing import Any

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.privacy.gates import patients_visible_to
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


def withdrawal_patients(user: User, unit: Unit | None = None) -> QuerySet[Patient]:
    """Return the patients in withdrawal management ``user`` may see (the gate's queryset),
    with their unit, suicide-risk level and seizure precautions annotated."""
    in_stage = EpisodeOfCare.objects.filter(
        patient=OuterRef("pk"), ended_at__isnull=True, stage=Stage.WITHDRAWAL_MANAGEMENT
    )
    stay = UnitAssignment.objects.filter(patient=OuterRef("pk"), ended_at__isnull=True)
    risk = RiskAssessment.objects.filter(patient=OuterRef("pk")).order_by("-assessed_at", "-id")
    patients = (
        patients_visible_to(user)
        .filter(Exists(in_stage))
        .annotate(
            board_unit=Subquery(stay.values("unit__name")[:1]),
            board_unit_id=Subquery(stay.values("unit_id")[:1]),
            board_risk=Subquery(risk.values("level")[:1]),
            board_seizure=Exists(
                SeizurePrecautions.objects.filter(patient=OuterRef("pk"), ended_at__isnull=True)
            ),
        )
        .only("mrn", "legal_given_name", "legal_family_name", "preferred_name")
    )
    if unit is not None:
        patients = patients.filter(Exists(stay.filter(unit=unit)))
    return patients.order_by("pk")


def _newest(
    model: type[CiwabJudgement] | type[VitalSigns], ids: list[int], at: str
) -> dict[int, Any]:
    newest = (
        model.objects.filter(patient_id=OuterRef("patient_id"))
        .order_by(f"-{at}", "-id")
        .values("pk")[:1]
    )
    rows = model.objects.filter(patient_id__in=ids).filter(pk=Subquery(newest))
    if model is CiwabJudgement:
        rows = rows.select_related("protocol")
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
    """Return the board's rows, most urgent first (four queries in all).

    The caller audits the read (the list of patient ids shown).
    """
    now = now or timezone.now()
    newest = CiwabJudgement.objects.filter(patient=OuterRef("pk")).order_by(
        "-administered_at", "-id"
    )
    alerting = ClinicalAlert.objects.filter(patient=OuterRef("pk"), resolved_at__isnull=True)
    ordered = (
        withdrawal_patients(user, unit)
        .annotate(
            board_due=Subquery(newest.values("next_due_at")[:1]), board_alerting=Exists(alerting)
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
        .order_by("board_rank", "-board_alerting", F("board_due").asc(nulls_first=True), "mrn")
    )
    patients = list(ordered[:BOARD_LIMIT])
    ids = [p.pk for p in patients]
    if not ids:
        return []
    judgements = _newest(CiwabJudgement, ids, "administered_at")
    vitals = _newest(VitalSigns, ids, "recorded_at")
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
        for t in TaperOrder.objects.filter(patient_id__in=ids, superseded_at__isnull=True)
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
