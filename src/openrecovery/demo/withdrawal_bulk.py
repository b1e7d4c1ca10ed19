"""A full withdrawal unit for benchmarks (``demo_data --patients N``): 40 beds, each with
30 days of CIWA-B and vital signs every 4 hours, and the demo nurse on every bed's care
team, so the unit board is measured as a night nurse sees it.

The beds are the first open withdrawal-management episodes of the bulk patients. The
history is written with ``bulk_create`` (the documented fast path of ``demo.bulk``: one
audit event records the load, not one per row); its scores still come from the
instruments engine, and its judgements from the protocol in force. The latest round
goes through the services like a nurse's: it is audited, judged, and a severe score
alerts the physician on call. Every fifth bed was last assessed nine hours ago, so the
board has overdue rows; two beds score severe now, so it has alerting ones. Every bed has
a signed clonazepam taper (twice a day, started up to a month ago) and yesterday's and
today's doses given on time, so the board's medication column is as full as a real one.
Idempotent: a unit that already holds its beds is left as it is.
"""

import dataclasses
import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.instruments.engine import score
from openrecovery.instruments.models import Administration
from openrecovery.instruments.registry import instrument_get
from openrecovery.instruments.services import administration_of, administration_record
from openrecovery.records.choices import CareTeamRole, Stage
from openrecovery.records.models import CareTeamMember, EpisodeOfCare
from openrecovery.withdrawal.choices import DoseStatus
from openrecovery.withdrawal.mar import taper_doses_on
from openrecovery.withdrawal.models import (
    CiwabJudgement,
    DoseRecord,
    UnitAssignment,
    VitalSigns,
)
from openrecovery.withdrawal.services import (
    protocol_current,
    seizure_precautions_set,
    unit_assign,
)
from openrecovery.withdrawal.services.assessments import judgement_of
from openrecovery.withdrawal.services.orders import taper_order_sign

from .people import DEMO_SEED
from .staff import USERNAME_OF_ROLE
from .withdrawal import VITALS, demo_on_call, demo_unit

BULK_BEDS = 40
BULK_DAYS = 30
ROUND = dt.timedelta(hours=4)
OVERDUE_EVERY = 5  # every fifth bed's last CIWA-B is this long ago (due after 4 h)
OVERDUE_SINCE = dt.timedelta(hours=9)
RECENT = dt.timedelta(hours=1)  # the other beds' last round: the next is not yet due
SEVERE_BEDS = (1, 2)  # beds scoring severe in the latest round: two open alerts
SEVERE_TOTAL = 44
TAPER_TIMES = ["08:00", "20:00"]
TAPER_REVIEW = dt.timedelta(days=60)
BATCH = 2000
OBJECT_TYPE = "demo_withdrawal_bulk"


@dataclasses.dataclass
class UnitCounts:
    """Rows ``demo_withdrawal_unit_fill`` wrote."""

    beds: int = 0
    ciwab: int = 0
    vitals: int = 0
    doses: int = 0


def _answers(total: int, rng: random.Random) -> list[int]:
    """Return 20 CIWA-B answers (each 0-4) summing to ``total`` (0-80)."""
    answers = [0] * 20
    for _ in range(total):
        item = rng.choice([i for i, a in enumerate(answers) if a < 4])
        answers[item] += 1
    return answers


def _total(day: float, bed: int) -> int:
    # Moderate on admission, falling to mild over the month, a little different per bed.
    return max(2, round(30 - day * (0.7 + (bed % 4) * 0.05)))


def _beds(beds: int) -> list[EpisodeOfCare]:
    return list(
        EpisodeOfCare.objects.filter(stage=Stage.WITHDRAWAL_MANAGEMENT, ended_at__isnull=True)
        .select_related("patient")
        .order_by("patient_id")[:beds]
    )


@transaction.atomic
def demo_withdrawal_unit_fill(
    *, staff: list[User], beds: int = BULK_BEDS, now: dt.datetime | None = None
) -> UnitCounts:
    """Fill the demo unit to ``beds`` beds with a month of observations each."""
    now = now or timezone.now()
    by_name = {u.username: u for u in staff}
    director = by_name[USERNAME_OF_ROLE[Role.CLINICAL_DIRECTOR]]
    nurse = by_name[USERNAME_OF_ROLE[Role.NURSE]]
    physician = by_name[USERNAME_OF_ROLE[Role.PHYSICIAN]]
    unit = demo_unit()
    counts = UnitCounts()
    if UnitAssignment.objects.filter(unit=unit, ended_at__isnull=True).count() >= beds:
        return counts
    demo_on_call(unit=unit, director=director, physician=physician, now=now)
    episodes = _beds(beds)
    # The demo nurse becomes each bed's primary nurse (the team keeps its shape).
    ids = [e.patient_id for e in episodes]
    nursed = CareTeamMember.objects.filter(
        patient_id__in=ids, active=True, team_role=CareTeamRole.PRIMARY_NURSE
    )
    nursed.exclude(user=nurse).update(user=nurse, updated_at=now)
    has_nurse = set(nursed.values_list("patient_id", flat=True))
    CareTeamMember.objects.bulk_create(
        CareTeamMember(patient_id=pk, user=nurse, team_role=CareTeamRole.PRIMARY_NURSE)
        for pk in ids
        if pk not in has_nurse
    )
    instrument = instrument_get("ciwab")
    assert instrument is not None  # noqa: S101 (a shipped instrument)
    protocol = protocol_current()
    rng = random.Random(DEMO_SEED + 40)  # noqa: S311 (fictional data, not security)
    rounds = int(dt.timedelta(days=BULK_DAYS) / ROUND)
    for bed, episode in enumerate(episodes):
        unit_assign(actor=director, patient=episode.patient, unit=unit)
        last = now - (OVERDUE_SINCE if bed % OVERDUE_EVERY == 0 else RECENT)
        given = [last - ROUND * (rounds - 1 - n) for n in range(rounds)]
        results = [
            score(instrument, _answers(_total(n * ROUND / dt.timedelta(days=1), bed), rng), {})
            for n in range(rounds)
        ]
        administrations = Administration.objects.bulk_create(
            [
                administration_of(
                    instrument, r, patient=episode.patient, episode=episode, actor=nurse, at=at
                )
                for r, at in zip(results, given, strict=True)
            ],
            batch_size=BATCH,
        )
        previous: int | None = None
        judgements = []
        for a in administrations:
            judgements.append(judgement_of(a, protocol=protocol, actor=nurse, previous=previous))
            previous = a.total
        CiwabJudgement.objects.bulk_create(judgements, batch_size=BATCH)
        VitalSigns.objects.bulk_create(
            [
                VitalSigns(
                    patient=episode.patient,
                    episode=episode,
                    protocol=protocol,
                    **(VITALS | {"heart_rate": 76 + (n + bed) % 17}),
                    beyond_limits=[],
                    recorded_at=at,
                    recorded_by=nurse,
                )
                for n, at in enumerate(given)
            ],
            batch_size=BATCH,
        )
        counts.ciwab += len(administrations)
        counts.vitals += len(given)
        if bed in SEVERE_BEDS:  # now, through the services: judged, audited, alerting
            administration_record(
                actor=nurse,
                patient=episode.patient,
                code=instrument.code,
                answers=_answers(SEVERE_TOTAL, rng),
            )
            counts.ciwab += 1
        if bed % 3 == 0:
            seizure_precautions_set(actor=nurse, patient=episode.patient, on=True)
        counts.doses += _taper_given(episode, bed, physician, nurse, now)
        counts.beds += 1
    audit_record(
        action=Action.CREATE,
        actor=director,
        object_type=OBJECT_TYPE,
        detail={
            "beds": counts.beds,
            "ciwab": counts.ciwab,
            "vitals": counts.vitals,
            "doses": counts.doses,
        },  # fmt: skip
    )
    return counts


def _taper_given(
    episode: EpisodeOfCare, bed: int, physician: User, nurse: User, now: dt.datetime
) -> int:
    """Sign the bed's taper (through the service), move its start back by up to a month,
    and record yesterday's and today's doses due by now as given on time; return how many."""
    today = timezone.localdate(now)
    inputs = {
        "medication": "clonazepam",
        "daily_dose_mg": str(1 + bed % 4),
        "equivalence_table": "va_dod_2021",
        "reduction_percent": "10",
        "interval_days": 14,
        "target_dose_mg": "0",
    }
    order = taper_order_sign(
        actor=physician,
        patient=episode.patient,
        inputs=inputs,
        start_date=today,
        times=TAPER_TIMES,
        review_by=today + TAPER_REVIEW,
    )
    order.start_date = today - dt.timedelta(days=bed % BULK_DAYS)
    order.save(update_fields=["start_date"])
    doses = [
        d
        for day in (today - dt.timedelta(days=1), today)
        for d in taper_doses_on(order, day)
        if d.scheduled_for <= now
    ]
    DoseRecord.objects.bulk_create(
        DoseRecord(
            patient=episode.patient,
            taper_order=order,
            medication=d.medication,
            dose_mg=d.dose_mg,
            scheduled_for=d.scheduled_for,
            status=DoseStatus.GIVEN,
            occurred_at=d.scheduled_for,
            recorded_by=nurse,
            recorded_at=d.scheduled_for,
            witness=physician,
        )
        for d in doses
    )
    return len(doses)
