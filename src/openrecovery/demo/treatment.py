"""Treatment in the demo (``manage.py demo_data``): for each patient in treatment a
signed plan written with them, signed session notes addressing its objectives, plan
reviews owed where a measure is not on track; and each counselor's relapse-prevention
group with its roster, a signed session last week and the coming weeks on the calendar.

Written through the services, then moved back in time like the rest of the demo
(``demo.backdating``); the audit log keeps the true time of the load. No random draws.
Idempotent: an episode that has a plan, a counselor who runs a group, are left alone.
"""

import dataclasses
import datetime as dt

from django.db import transaction
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.records.choices import Stage, TaskKind, TaskStatus, TimelineKind
from openrecovery.records.models import ClinicalTask, EpisodeOfCare, TimelineEvent
from openrecovery.records.tasks import task_open
from openrecovery.treatment.measurement import REVIEW_STATUSES
from openrecovery.treatment.measurement_selectors import episode_courses
from openrecovery.treatment.models import (
    GroupNote,
    PlanObjective,
    ProgressNote,
    TherapySession,
    TreatmentGroup,
    TreatmentPlan,
)
from openrecovery.treatment.services import group_notes, groups, notes, plans
from openrecovery.treatment.services.measurement import primary_counselor

from .backdating import new_entries_backdate, timeline_mark

# (problem, goal in the patient's words, objectives, intervention kind and frequency)
PLAN = (
    (
        "Sedative, hypnotic, or anxiolytic use disorder, in early remission",
        "I want to stay off the pills and not be scared of the nights",
        (
            "Names three personal triggers and a plan for each, in session",
            "Uses a coping skill for cravings, logged 5 days of 7",
        ),
        ("relapse_prevention", "Group twice weekly; individual weekly"),
    ),
    (
        "Anxiety and poor sleep after the taper",
        "Sleep through the night most nights",
        ("Keeps the wind-down routine 5 nights a week, by sleep diary",),
        ("cbt", "Weekly"),
    ),
)
NOTE_DAYS_AGO = (9, 2)
DAP = {
    "data": "Reviewed the past week: two strong cravings in the evening, both ridden out.",
    "assessment": "Engaged; uses urge surfing with growing confidence. Sleep improving.",
    "plan": "Practise refusal lines before the family visit; keep the sleep diary.",
}
GROUP_NAME = "Relapse prevention skills"
GROUP_WEEKDAY = 1  # Tuesday
GROUP_START = dt.time(10, 0)
GROUP_ROOM = "Group room B"
SHARED = (
    "Taught the craving curve and urge surfing; each member practised a five-minute "
    "urge-surfing exercise and planned one evening high-risk moment for the week."
)
MEMBER_WORDS = (
    "Said evenings after work are the hardest; chose a walk and a call to her sister.",
    "Quiet at first; then described a craving at the pharmacy and how he left.",
    "Shared a lapse dream and the fear it left; group normalised it. Plans to tell his sponsor.",
    "Asked how long cravings last after a taper; practised the exercise twice.",
)


@dataclasses.dataclass
class TreatmentCounts:
    plans: int = 0
    notes: int = 0
    groups: int = 0
    members: int = 0
    reviews_owed: int = 0


def _plan_for(episode: EpisodeOfCare, counselor: User, signed_at: dt.datetime) -> TreatmentPlan:
    plan = plans.plan_create(actor=counselor, episode=episode, setting="residential")
    target = timezone.localdate() + dt.timedelta(days=21)
    for statement, words, objectives, (kind, frequency) in PLAN:
        problem = plans.plan_problem_add(
            actor=counselor, plan=plan, statement=statement, source="problem_list"
        )
        goal = plans.plan_goal_add(actor=counselor, problem=problem, patient_words=words)
        for text in objectives:
            plans.plan_objective_add(actor=counselor, goal=goal, text=text, target_date=target)
        plans.plan_intervention_add(
            actor=counselor,
            problem=problem,
            provider_role="Primary counselor",
            kind=kind,
            frequency=frequency,
        )
    plan = plans.plan_sign(actor=counselor, plan=plan, patient_agreement="agreed")
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        created_at=signed_at,
        signed_at=signed_at,
        patient_signed_at=signed_at,
        review_due_on=timezone.localdate(signed_at) + plans.review_interval("residential"),
    )
    return plan


def _notes_for(episode: EpisodeOfCare, counselor: User, plan: TreatmentPlan) -> int:
    objectives = list(PlanObjective.objects.filter(goal__problem__plan=plan).order_by("pk"))
    written = 0
    for days in NOTE_DAYS_AGO:
        ended = (timezone.now() - dt.timedelta(days=days)).replace(minute=50, second=0)
        if ended - dt.timedelta(minutes=50) < episode.stage_changed_at:
            continue
        mark = timeline_mark()
        note = notes.note_save(
            actor=counselor,
            patient=episode.patient,
            started_at=ended - dt.timedelta(minutes=50),
            ended_at=ended,
            modality="in_person",
            sections=DAP,
            objective_ids=[o.pk for o in objectives],
            interventions=["relapse_prevention", "mi"],
            module_code="cravings",
            next_session_plan="Refusal skills; review the sleep diary.",
        )
        notes.note_sign(actor=counselor, note=note, now=ended + dt.timedelta(hours=2))
        ProgressNote.objects.filter(pk=note.pk).update(created_at=ended)
        new_entries_backdate(episode.patient, mark, ended + dt.timedelta(hours=2))
        written += 1
    return written


def _reviews_owed(episode: EpisodeOfCare, counselor: User) -> int:
    owed = 0
    for course in episode_courses(episode, timezone.now()):
        if course.status in REVIEW_STATUSES and course.code in ("phq9", "gad7"):
            opened = task_open(
                patient=episode.patient,
                kind=TaskKind.PLAN_REVIEW,
                source_type="demo",
                source_id=episode.pk,
                assigned_to=counselor,
                episode=episode,
                due_at=timezone.now() + dt.timedelta(days=3),
            )
            owed += int(opened.created)
    return owed


def _group_for(counselor: User, members: list[EpisodeOfCare], counts: TreatmentCounts) -> None:
    if TreatmentGroup.objects.filter(facilitator=counselor).exists() or not members:
        return
    group = groups.group_create(
        actor=counselor,
        name=f"{GROUP_NAME} ({counselor.get_full_name() or counselor.username})",
        facilitator=counselor,
        weekday=GROUP_WEEKDAY,
        start_time=GROUP_START,
        minutes=60,
        room=GROUP_ROOM,
    )
    for episode in members:
        groups.group_member_add(actor=counselor, group=group, patient=episode.patient)
    counts.groups += 1
    counts.members += len(members)
    # Last week's meeting, held and signed; then the coming four weeks on the calendar.
    past = groups.group_sessions_schedule(
        actor=counselor, group=group, weeks=1, now=timezone.now() - dt.timedelta(days=7)
    )
    groups.group_sessions_schedule(actor=counselor, group=group, weeks=4)
    if not past or past[0].starts_at > timezone.now():
        return
    session = TherapySession.objects.get(group=group, starts_at=past[0].starts_at)
    absent = {members[-1].patient_id: "Medical appointment"} if len(members) > 2 else {}
    shared = group_notes.SharedPart(
        topic="Coping with cravings",
        shared_text=SHARED,
        started_at=session.starts_at,
        ended_at=session.ends_at,
        modality="in_person",
        module_code="cravings",
        interventions=("relapse_prevention", "psychoeducation"),
    )
    group_note = group_notes.group_note_start(
        actor=counselor, session=session, shared=shared, absent=absent
    )
    member_notes = ProgressNote.objects.filter(group_note=group_note).order_by("patient_id")
    for n, note in enumerate(member_notes):
        objectives = list(
            PlanObjective.objects.filter(
                goal__problem__plan__episode=note.episode, goal__problem__plan__status="signed"
            ).order_by("pk")[:1]
        )
        group_notes.member_note_individualize(
            actor=counselor,
            note=note,
            individual_text=MEMBER_WORDS[n % len(MEMBER_WORDS)] if n < 3 else "",
            objective_ids=[o.pk for o in objectives],
        )
    signed = session.ends_at + dt.timedelta(hours=1)
    group_notes.group_note_sign(actor=counselor, group_note=group_note, now=signed)
    GroupNote.objects.filter(pk=group_note.pk).update(created_at=signed)
    ProgressNote.objects.filter(group_note=group_note).update(created_at=signed)


def _review_tasks_replay(episode: EpisodeOfCare, counselor: User) -> int:
    """Open the plan reviews the course calls for at its true dates, in place of those
    the history's loading opened; return how many are owed.

    The demo records each administration now and moves it back afterwards, so the
    reaction judged a course with its newest administration at today's date (a second
    PHQ-9 looked six weeks after its baseline when it was eleven days): those tasks, and
    their timeline entries, are removed first.
    """
    artefacts = ClinicalTask.objects.filter(
        episode=episode, kind=TaskKind.PLAN_REVIEW, status=TaskStatus.OPEN
    )
    opened = list(artefacts.values_list("opened_at", flat=True))
    artefacts.delete()
    TimelineEvent.objects.filter(
        patient_id=episode.patient_id,
        kind=TimelineKind.TASK,
        occurred_at__in=opened,
        summary=f"Task opened: {TaskKind.PLAN_REVIEW.label}",
    ).delete()
    return _reviews_owed(episode, counselor)


@transaction.atomic
def demo_treatment_create(*, episodes: list[EpisodeOfCare]) -> TreatmentCounts:
    """Give the demo's patients in treatment their plans, notes and groups."""
    counts = TreatmentCounts()
    treating = [e for e in episodes if e.stage == Stage.TREATMENT and e.ended_at is None]
    by_counselor: dict[int, tuple[User, list[EpisodeOfCare]]] = {}
    for episode in treating:
        counselor = primary_counselor(episode.patient_id)
        if counselor is None:
            continue
        by_counselor.setdefault(counselor.pk, (counselor, []))[1].append(episode)
        if TreatmentPlan.objects.filter(episode=episode).exists():
            continue
        signed_at = episode.stage_changed_at + dt.timedelta(days=2)
        mark = timeline_mark()
        plan = _plan_for(episode, counselor, min(signed_at, timezone.now()))
        new_entries_backdate(episode.patient, mark, min(signed_at, timezone.now()))
        counts.plans += 1
        counts.notes += _notes_for(episode, counselor, plan)
        counts.reviews_owed += _review_tasks_replay(episode, counselor)
    for counselor, members in by_counselor.values():
        _group_for(counselor, members, counts)
    return counts
