"""The suicide-risk pathway at work in the demo (``manage.py demo_data``).

Written through the services, then moved back in time like the rest of the demo
(``demo.backdating``); the audit log keeps the true time of the load.

- The high-risk treatment patient of ``demo.instruments`` (urgent alert, nobody has
  acknowledged it) has the immediate safety precautions checklist that level opened,
  partly done: their nurse ordered one-to-one observation six minutes after the screen;
  the room check and the physician call are still open.
- Two withdrawal-management patients of the demo nurse (the riskiest moment): the first
  answered PHQ-9 item 9 "several days" yesterday, the C-SSRS that followed was moderate
  and a safety plan was signed with them the same afternoon (the behavioral-health
  consult is still open); the second answered item 9 three hours ago and nobody has
  asked the C-SSRS yet: the "C-SSRS owed" task is two hours overdue.

No random draws: the rest of the demo's seeded choices stay as they were.
"""

import dataclasses
import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.instruments.models import Administration
from openrecovery.instruments.services import administration_record
from openrecovery.records.choices import Stage
from openrecovery.records.models import ClinicalTask, EpisodeOfCare
from openrecovery.safety.models import PrecautionChecklist, PrecautionStep, SafetyPlan
from openrecovery.safety.services import (
    alerts_escalate,
    precaution_step_complete,
    safety_plan_draft,
    safety_plan_save,
    safety_plan_sign,
)

from .backdating import (
    demo_stage_windows,
    follow_up_backdate,
    new_entries_backdate,
    timeline_mark,
)
from .staff import USERNAME_OF_ROLE, demo_care_team

# PHQ-9 with item 9 "several days" (total 13, moderate) and item 10 "somewhat difficult".
PHQ9_ITEM9 = [2, 2, 1, 2, 1, 2, 1, 1, 1, 1]
# C-SSRS screener: wished dead, thoughts, a method; no intent, plan or behaviour.
CSSRS_MODERATE = [1, 1, 1, 0, 0, 0, None]
OBSERVATION_AFTER = dt.timedelta(minutes=6)
PLAN_TEXT = {
    "warning_signs": "Lying awake past 3 a.m.; skipping meals; not answering my brother.",
    "coping_strategies": "Cold water on my face; the breathing exercise from group; a walk "
    "around the courtyard.",
    "distractions": "The day room at lunch; calling my neighbour about her garden.",
    "means_medications": "My remaining tablets stay with the nursing station; at discharge my "
    "brother holds them and gives me each day's dose.",
    "means_firearms": "No firearms at home (asked and confirmed).",
    "reasons_for_living": "My daughter's graduation in June.",
    "help_contacts": [{"name": "My brother (fictional)", "phone": "555-0137"}],
}


@dataclasses.dataclass
class PathwayCounts:
    """What ``demo_pathway_create`` set up."""

    precautions_done: int = 0
    plans_signed: int = 0
    owed: int = 0
    realerted: int = 0


def _give(
    actor: User, episode: EpisodeOfCare, code: str, answers: Sequence[int | None], when: dt.datetime
) -> Administration:
    mark = timeline_mark()
    administration = administration_record(
        actor=actor, patient=episode.patient, code=code, answers=answers
    )
    Administration.objects.filter(pk=administration.pk).update(administered_at=when)
    new_entries_backdate(episode.patient, mark, when)
    follow_up_backdate(administration, when)
    return administration


def _precautions_partly_done(staff: dict[str, User]) -> int:
    checklist = (
        PrecautionChecklist.objects.filter(completed_at__isnull=True).select_related("patient")
    ).first()
    if checklist is None:
        return 0
    nurse = demo_care_team(checklist.patient).get(Role.NURSE) or staff[USERNAME_OF_ROLE[Role.NURSE]]
    mark = timeline_mark()
    step = precaution_step_complete(
        actor=nurse,
        checklist=checklist,
        code="observation",
        note="Sitter at the bedside, checks every 15 minutes logged on paper.",
    )
    when = checklist.opened_at + OBSERVATION_AFTER
    PrecautionStep.objects.filter(pk=step.pk).update(completed_at=when)
    new_entries_backdate(checklist.patient, mark, when)
    return 1


def _moderate_with_plan(staff: dict[str, User], episode: EpisodeOfCare) -> None:
    team = demo_care_team(episode.patient)
    nurse = team.get(Role.NURSE) or staff[USERNAME_OF_ROLE[Role.NURSE]]
    counselor = team.get(Role.COUNSELOR) or staff[USERNAME_OF_ROLE[Role.COUNSELOR]]
    now = timezone.now()
    admitted, _ = demo_stage_windows(episode)[Stage.WITHDRAWAL_MANAGEMENT]
    # About a day ago, and never before the admission to withdrawal management.
    screened = max(now - dt.timedelta(hours=26), admitted + dt.timedelta(hours=1))
    _give(nurse, episode, "phq9", PHQ9_ITEM9, screened)
    _give(counselor, episode, "cssrs", CSSRS_MODERATE, screened + dt.timedelta(minutes=20))
    mark = timeline_mark()
    plan = safety_plan_draft(actor=counselor, patient=episode.patient)
    safety_plan_save(actor=counselor, plan=plan, data=PLAN_TEXT)
    safety_plan_sign(
        actor=counselor,
        plan=plan,
        patient_signed_name=episode.patient.display_name,
    )
    signed = min(screened + dt.timedelta(hours=5), now - dt.timedelta(minutes=10))
    SafetyPlan.objects.filter(pk=plan.pk).update(
        created_at=signed - dt.timedelta(minutes=45), updated_at=signed, signed_at=signed
    )
    new_entries_backdate(episode.patient, mark, signed)
    # The "safety plan owed" task the signature closed, closed at the signature's time.
    ClinicalTask.objects.filter(
        closed_source_type="safety_plan", closed_source_id=str(plan.pk)
    ).update(closed_at=signed)


def _cssrs_owed(staff: dict[str, User], episode: EpisodeOfCare) -> None:
    nurse = demo_care_team(episode.patient).get(Role.NURSE) or staff[USERNAME_OF_ROLE[Role.NURSE]]
    _give(nurse, episode, "phq9", PHQ9_ITEM9, timezone.now() - dt.timedelta(hours=3))


def demo_pathway_create(*, staff: list[User], episodes: list[EpisodeOfCare]) -> PathwayCounts:
    """Show the pathway at work; call after ``demo_administrations_create``."""
    by_name = {u.username: u for u in staff}
    nurse = by_name[USERNAME_OF_ROLE[Role.NURSE]]
    counts = PathwayCounts()
    with transaction.atomic():
        counts.precautions_done = _precautions_partly_done(by_name)
        withdrawal = [
            e
            for e in episodes
            if e.stage == Stage.WITHDRAWAL_MANAGEMENT
            and demo_care_team(e.patient).get(Role.NURSE) == nurse
        ]
        if len(withdrawal) >= 2:
            _moderate_with_plan(by_name, withdrawal[0])
            _cssrs_owed(by_name, withdrawal[1])
            counts.plans_signed, counts.owed = 1, 1
    # The demo has no cron: run the every-minute check once, as it would have run by now,
    # so the clinical director sees the high-risk alert nobody acknowledged for hours.
    counts.realerted = len(alerts_escalate())
    return counts
