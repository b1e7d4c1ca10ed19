"""Withdrawal management in the demo (``manage.py demo_data``): the default unit and its
on-call physician before the CIWA-B histories are recorded, then their judgements moved
to the histories' times, a set of vital signs for each patient and seizure precautions on
the first.

Written through the services, then moved back in time like the rest of the demo
(``demo.backdating``); the audit log keeps the true time of the load. No random draws.
"""

import dataclasses
import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.records.choices import Stage
from openrecovery.records.models import ClinicalAlert, EpisodeOfCare
from openrecovery.withdrawal.models import CiwabJudgement, Escalation, OnCallShift, Unit
from openrecovery.withdrawal.protocols import next_due
from openrecovery.withdrawal.services import seizure_precautions_set, unit_assign, vitals_record

from .staff import USERNAME_OF_ROLE

DEMO_UNIT = {"code": "detox", "name": "Detox unit"}
SHIFT = dt.timedelta(hours=12)
# Readings within the default protocol's limits; the last patient's pulse is beyond them.
VITALS = {
    "systolic": 128, "diastolic": 82, "heart_rate": 88, "temperature": "36.9",
    "respiratory_rate": 16, "spo2": 97,
}  # fmt: skip
RACING_PULSE = 116
REVIEWED_AFTER = dt.timedelta(minutes=6)
ADDRESSED_AFTER = dt.timedelta(minutes=40)
REVIEW_NOTE = "Physician reviewed at the bedside; taper paused for 24 hours."


@dataclasses.dataclass
class WithdrawalCounts:
    patients: int = 0
    vitals: int = 0


def _wm_episodes(episodes: list[EpisodeOfCare]) -> list[EpisodeOfCare]:
    return [e for e in episodes if e.stage == Stage.WITHDRAWAL_MANAGEMENT and e.ended_at is None]


@transaction.atomic
def demo_unit_create(*, staff: list[User], episodes: list[EpisodeOfCare]) -> Unit:
    """Create the demo's unit, put every withdrawal-management patient on it and the demo
    physician on call from half a shift ago (idempotent for the unit)."""
    by_name = {u.username: u for u in staff}
    director = by_name[USERNAME_OF_ROLE[Role.CLINICAL_DIRECTOR]]
    physician = by_name[USERNAME_OF_ROLE[Role.PHYSICIAN]]
    unit = demo_unit()
    for episode in _wm_episodes(episodes):
        unit_assign(actor=director, patient=episode.patient, unit=unit)
    demo_on_call(unit=unit, director=director, physician=physician, now=timezone.now())
    return unit


def demo_unit() -> Unit:
    """Return the demo's unit, created the first time."""
    unit, _ = Unit.objects.get_or_create(
        code=DEMO_UNIT["code"], defaults={"name": DEMO_UNIT["name"]}
    )
    return unit


def demo_on_call(*, unit: Unit, director: User, physician: User, now: dt.datetime) -> None:
    """Put ``physician`` on call for ``unit`` from half a shift before ``now``, unless
    someone's shift is still running."""
    if not OnCallShift.objects.filter(unit=unit, ends_at__gt=now).exists():
        OnCallShift.objects.create(
            unit=unit,
            physician=physician,
            starts_at=now - SHIFT / 2,
            ends_at=now + SHIFT / 2,
            created_by=director,
        )


@transaction.atomic
def demo_withdrawal_create(*, staff: list[User], episodes: list[EpisodeOfCare]) -> WithdrawalCounts:
    """After the CIWA-B histories: move each judgement to its administration's time (and
    its due time with it), record one set of vital signs per patient (the last one with a
    pulse beyond the limits) and mark seizure precautions on the first."""
    nurse = {u.username: u for u in staff}[USERNAME_OF_ROLE[Role.NURSE]]
    judgements = CiwabJudgement.objects.select_related("protocol").annotate(
        given=F("administration__administered_at")
    )
    for judgement in judgements:
        if judgement.administered_at != judgement.given:
            judgement.administered_at = judgement.given
            judgement.next_due_at = next_due(
                judgement.given, judgement.band, judgement.protocol.intervals
            )
            judgement.save(update_fields=["administered_at", "next_due_at"])
    _history_alerts_settle()
    counts = WithdrawalCounts()
    wm = _wm_episodes(episodes)
    for n, episode in enumerate(wm):
        values = dict(VITALS)
        if n == len(wm) - 1:
            values["heart_rate"] = RACING_PULSE
        vitals_record(actor=nurse, patient=episode.patient, values=values)
        counts.vitals += 1
    if wm:
        seizure_precautions_set(actor=nurse, patient=wm[0].patient, on=True)
    counts.patients = len(wm)
    return counts


def _history_alerts_settle() -> None:
    # A rise in a CIWA-B history called the physician at the time: move the alert there,
    # acknowledged minutes later and addressed (the history is over; only today's alerts
    # stay open on the board).
    for escalation in Escalation.objects.filter(judgement__isnull=False).select_related(
        "judgement"
    ):
        judgement = escalation.judgement
        assert judgement is not None  # noqa: S101 (filtered on above)
        when = judgement.administered_at
        ClinicalAlert.objects.filter(
            source_type="withdrawal_escalation", source_id=str(escalation.pk)
        ).update(
            created_at=when,
            acknowledged_at=when + REVIEWED_AFTER,
            acknowledged_by=F("recipient"),
            resolved_at=when + ADDRESSED_AFTER,
            resolved_by=F("recipient"),
            resolution_note=REVIEW_NOTE,
        )
        escalation.raised_at = when
        escalation.settled_at = when + REVIEWED_AFTER
        escalation.save(update_fields=["raised_at", "settled_at"])
