"""Build groups, rosters, sessions and signed plans for the group tests (fictional data)."""

import datetime as dt

from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.records.choices import Stage
from openrecovery.records.models import EpisodeOfCare, Patient
from openrecovery.treatment.choices import CareSetting, Modality, PlanStatus, SessionKind
from openrecovery.treatment.models import (
    PlanGoal,
    PlanObjective,
    PlanProblem,
    TherapySession,
    TreatmentGroup,
    TreatmentPlan,
)
from openrecovery.treatment.services.group_notes import SharedPart
from openrecovery.treatment.services.groups import group_create, group_member_add
from tests.support.factories import make_patient


def signed_plan(episode: EpisodeOfCare, author: User, objectives: list[str]) -> list[PlanObjective]:
    """Give ``episode`` a signed plan with one problem, one goal and these objectives."""
    now = timezone.now()
    plan = TreatmentPlan.objects.create(
        patient=episode.patient, episode=episode, version=1, status=PlanStatus.SIGNED,
        setting=CareSetting.RESIDENTIAL, created_by=author, created_at=now,
        signed_by=author, signed_at=now,
    )  # fmt: skip
    problem = PlanProblem.objects.create(plan=plan, position=1, statement="Benzodiazepine use")
    goal = PlanGoal.objects.create(problem=problem, position=1, patient_words="Sleep without pills")
    return [
        PlanObjective.objects.create(
            goal=goal,
            position=n,
            thread=f"t{episode.pk}-{n}",
            text=text,
            target_date=timezone.localdate() + dt.timedelta(days=30),
        )  # fmt: skip
        for n, text in enumerate(objectives, start=1)
    ]


def make_group(facilitator: User, **fields) -> TreatmentGroup:
    data = {
        "name": "Relapse prevention", "weekday": 1, "start_time": dt.time(10, 0),
        "minutes": 60, "room": "Room 2",
    }  # fmt: skip
    data.update(fields)
    return group_create(actor=facilitator, facilitator=facilitator, **data)


def members(group: TreatmentGroup, director: User, n: int, *, plans: bool = True) -> list[Patient]:
    """Put ``n`` fictional patients in treatment on the roster (facilitator on the team)."""
    patients = []
    for i in range(n):
        patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[group.facilitator])
        if plans:
            signed_plan(
                patient.episodes.get(), director, [f"Objective A of {i}", f"Objective B of {i}"]
            )
        group_member_add(actor=group.facilitator, group=group, patient=patient)
        patients.append(patient)
    return patients


def group_session(group: TreatmentGroup, *, ago: dt.timedelta = dt.timedelta(hours=2)):
    starts = timezone.now() - ago
    return TherapySession.objects.create(
        kind=SessionKind.GROUP, group=group, clinician=group.facilitator,
        co_facilitator=group.co_facilitator, starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=group.minutes), room=group.room,
    )  # fmt: skip


def shared_part(session: TherapySession, **fields) -> SharedPart:
    data = {
        "topic": "Riding out a craving", "shared_text": "The group practised urge surfing.",
        "started_at": session.starts_at, "ended_at": session.ends_at,
        "modality": Modality.IN_PERSON, "module_code": "cravings",
        "interventions": ["relapse_prevention", "cbt"],
    }  # fmt: skip
    data.update(fields)
    return SharedPart(**data)
