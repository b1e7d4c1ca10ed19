"""Fictional intake assessments and problem-list entries for the demo patients.

- The patient's own counselor writes the intake (and a physician or counselor of their
  team signs it), or the demo counselor when the team has none.
- Patients at Assessment get a draft intake through ``assessment_start`` and the autosave
  service, with a few sections filled. The first reports withdrawal seizures, so its
  intake page shows a placement prompt.
- Patients whose open episode went past Assessment get a complete intake, signed with
  ``assessment_sign``: a level of care that matches their path (a withdrawal-management
  level when they went through withdrawal management, else 2.1 or 1). The record stories
  already moved these episodes on, and ``assessment_sign`` leaves an episode that is no
  longer at Assessment where it is, so signing moves no stage. Only *starting* such an
  intake needs a demo-only helper, ``_intake_backfill_start``, because
  ``assessment_start`` refuses past Assessment; it does what that service does (rating
  rows, audit event, timeline entry).
- A few signed patients get a DSM-5-TR sedative checklist problem (F13.10 or F13.20),
  scored by the instrument engine and recorded by the counselor; the physician confirms
  about half of them.

Afterwards the times are moved back into each episode's Assessment stage; the audit log
keeps the true time of the load. Closed episodes get no intake (signing refuses them).
"""

import dataclasses
import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.assessment.choices import AsamDimension, LevelOfCare
from openrecovery.assessment.models import AsamDimensionRating, IntakeAssessment, Problem
from openrecovery.assessment.services import (
    DSM5_SEDATIVE,
    assessment_save_draft,
    assessment_sign,
    assessment_start,
    problem_confirm,
    problem_record_from_dsm,
    substance_use_add,
)
from openrecovery.assessment.services.intake import audit_patient_write
from openrecovery.audit.choices import Action
from openrecovery.instruments.engine import score
from openrecovery.instruments.registry import instrument_get
from openrecovery.records.choices import Stage, TimelineKind
from openrecovery.records.models import EpisodeOfCare
from openrecovery.records.services import timeline_add

from .backdating import demo_latest_entry_backdate, demo_stage_windows
from .people import DEMO_SEED
from .staff import USERNAME_OF_ROLE, demo_care_team

DEMO_INTAKE_SEED = DEMO_SEED + 2
ERROR_STAGE_MOVED = "Signing the demo intake moved episode %s; the stories already did."
PROBLEM_EVERY = 5  # every fifth signed intake adds a checklist problem
SUBSTANCES = (
    {"substance": "clonazepam", "route": "oral", "amount": "2 mg", "frequency": "daily"},
    {"substance": "alprazolam", "route": "oral", "amount": "1 mg", "frequency": "several_daily"},
    {"substance": "lorazepam", "route": "oral", "amount": "2.5 mg", "frequency": "daily"},
    {"substance": "diazepam", "route": "oral", "amount": "20 mg", "frequency": "most_days"},
)
ALCOHOL = {"substance": "alcohol", "route": "oral", "amount": "3 drinks", "frequency": "weekly"}
PRIOR_TREATMENT = (
    "None before",
    "Outpatient counseling two years ago; completed",
    "Residential program in 2019; left early",
    "Taper with primary care physician; stopped after a month",
)
MEDICAL = (
    ("None known", "Clonazepam 2 mg daily (prescribed)"),
    ("Hypertension, controlled", "Lisinopril 10 mg daily; benzodiazepine as reported"),
    ("Asthma", "Salbutamol inhaler as needed; benzodiazepine as reported"),
)
FAMILY = ("Sister", "Partner and two children", "Mother", "Lives alone; brother nearby")
PSYCHIATRIC = ("Panic disorder", "Generalized anxiety disorder", "Insomnia", "None reported")
STRENGTHS = (
    ("Motivated; steady job", "Evening groups"),
    ("Supportive family; humour", "Morning appointments"),
    ("Finished a program before; knows what helps", "Individual sessions first"),
)
RATIONALE = {
    True: "Daily benzodiazepine use with expected moderate withdrawal; needs monitored taper.",
    False: "Stable withdrawal risk; needs structured counseling several times a week.",
}
# DSM-5-TR checklist answers (11 criteria, 1 met): mild (F13.10) and moderate (F13.20).
CHECKLISTS = (
    [1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0],
    [1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
    [1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0],
)


@dataclasses.dataclass
class IntakeCounts:
    """What ``demo_intakes_create`` recorded."""

    drafts: int = 0
    signed: int = 0
    problems: int = 0
    confirmed: int = 0


@transaction.atomic
def _intake_backfill_start(*, actor: Any, episode: EpisodeOfCare) -> IntakeAssessment:
    """Start a draft intake for an episode already past Assessment (demo data only).

    ``assessment_start`` refuses such an episode, because in the app the intake comes
    first; the demo's record stories moved the stages before the intakes exist. This
    writes exactly what that service writes: the draft, its six rating rows, an audit
    event and the timeline entry.
    """
    assessment = IntakeAssessment.objects.create(episode=episode, author=actor)
    AsamDimensionRating.objects.bulk_create(
        AsamDimensionRating(assessment=assessment, dimension=d) for d in AsamDimension
    )
    audit_patient_write(
        Action.CREATE, actor, None, episode.patient_id, "intake_assessment", assessment.pk,
        demo_backfill=True,
    )  # fmt: skip
    timeline_add(
        patient=episode.patient,
        episode=episode,
        kind=TimelineKind.ASSESSMENT,
        summary="Intake assessment started",
        actor=actor,
    )
    return assessment


class _Intakes:
    """Fill intakes through the services, then backdate them into the Assessment stage."""

    def __init__(self, staff: dict[str, User], seed: int) -> None:
        self.staff = staff
        self.rng = random.Random(seed)  # noqa: S311 (fictional data, not security)
        self.counts = IntakeCounts()
        self.seizure_shown = False
        self.team: dict[str, User] = {}  # the care team of the episode being recorded

    def member(self, role: str) -> User:
        """Return the team's member of ``role``, else the demo user of that role."""
        return self.team.get(role) or self.staff[USERNAME_OF_ROLE[role]]

    def save(self, assessment: IntakeAssessment, section: str, answers: dict[str, Any]) -> None:
        assessment_save_draft(
            actor=self.member(Role.COUNSELOR),
            assessment=assessment,
            section=section,
            answers=answers,
        )

    def sections(self, wm: bool) -> dict[str, dict[str, Any]]:
        """Return complete section answers for one fictional person."""
        rng = self.rng
        conditions, medications = rng.choice(MEDICAL)
        strengths, preferences = rng.choice(STRENGTHS)
        return {
            "withdrawal_history": {
                "prior_treatment": rng.choice(PRIOR_TREATMENT),
                "withdrawal_seizures": "no",
                "withdrawal_delirium": "no",
                "current_withdrawal": "moderate" if wm else rng.choice(("none", "mild")),
            },
            "medical": {"conditions": conditions, "medications": medications},
            "psychiatric": {
                "history": rng.choice(PSYCHIATRIC),
                "suicidal_thoughts": "no",
                "overdose_past_year": "no",
                "falls_recent": rng.choice(("no", "no", "yes")),
            },
            "social": {
                "housing": rng.choice(("stable", "stable", "unstable", "supported")),
                "employment": rng.choice(
                    ("full_time", "part_time", "unemployed", "retired_disabled")
                ),
            },
            "supports": {"family": rng.choice(FAMILY), "supports": rng.choice(FAMILY)},
            "strengths": {"strengths": strengths, "preferences": preferences},
        }

    def substances(self, assessment: IntakeAssessment) -> None:
        writer = self.member(Role.COUNSELOR)
        substance_use_add(actor=writer, assessment=assessment, fields=self.rng.choice(SUBSTANCES))
        if self.rng.random() < 0.3:
            substance_use_add(actor=writer, assessment=assessment, fields=ALCOHOL)

    def draft(self, episode: EpisodeOfCare, windows: dict) -> None:
        """Start an intake at Assessment and fill its first sections (one shows seizures)."""
        entered, left = windows[Stage.ASSESSMENT]
        assessment = assessment_start(actor=self.member(Role.COUNSELOR), patient=episode.patient)
        started = entered + (left - entered) * self.rng.uniform(0.3, 0.6)
        demo_latest_entry_backdate(episode.patient, started)
        self.substances(assessment)
        sections = self.sections(wm=True)
        history = sections["withdrawal_history"]
        if not self.seizure_shown:
            history |= {"withdrawal_seizures": "yes", "withdrawal_notes": "Seizure in 2022 "
                        "after stopping alprazolam abruptly."}  # fmt: skip
            self.seizure_shown = True
        self.save(assessment, "withdrawal_history", history)
        if self.rng.random() < 0.6:
            self.save(assessment, "medical", sections["medical"])
        self._stamp(assessment, started, started + dt.timedelta(minutes=40))
        self.counts.drafts += 1

    def signed(self, episode: EpisodeOfCare, windows: dict) -> None:
        """Complete and sign the intake of an episode past Assessment, leaving its stage."""
        wm = Stage.WITHDRAWAL_MANAGEMENT in windows
        entered, left = windows[Stage.ASSESSMENT]
        started = entered + (left - entered) * self.rng.uniform(0.1, 0.4)
        signed = entered + (left - entered) * self.rng.uniform(0.6, 0.9)
        signer = self.member(self.rng.choice((Role.PHYSICIAN, Role.COUNSELOR)))
        assessment = _intake_backfill_start(actor=self.member(Role.COUNSELOR), episode=episode)
        demo_latest_entry_backdate(episode.patient, started)
        self.substances(assessment)
        for key, answers in self.sections(wm).items():
            self.save(assessment, key, answers)
        ratings: dict[str, Any] = {
            f"rating_{d.value}": self.rng.randint(1, 3) for d in AsamDimension
        }
        ratings |= {f"notes_{d.value}": "" for d in AsamDimension}
        if wm:
            ratings[f"rating_{AsamDimension.ACUTE.value}"] = 3
        self.save(assessment, "dimensions", ratings)
        if wm:
            level = self.rng.choice((LevelOfCare.L3_7_WM, LevelOfCare.L3_7_WM, LevelOfCare.L3_2_WM))
        else:
            level = self.rng.choice((LevelOfCare.L2_1, LevelOfCare.L1))
        self.save(assessment, "level", {"level_of_care": level, "level_rationale": RATIONALE[wm]})
        assessment = assessment_sign(actor=signer, assessment=assessment)
        if EpisodeOfCare.objects.get(pk=episode.pk).stage != episode.stage:
            raise RuntimeError(ERROR_STAGE_MOVED % episode.pk)
        demo_latest_entry_backdate(episode.patient, signed)
        self._stamp(assessment, started, signed, signed_at=signed)
        self.counts.signed += 1
        if self.counts.signed % PROBLEM_EVERY == 1:
            self.problem(episode, signed + dt.timedelta(minutes=30))

    def problem(self, episode: EpisodeOfCare, when: dt.datetime) -> None:
        """Record a checklist problem; the physician confirms every other one the next day."""
        instrument = instrument_get(DSM5_SEDATIVE)
        assert instrument is not None  # noqa: S101 (registered in the instruments app)
        context = {"medically_supervised": False}
        result = score(instrument, self.rng.choice(CHECKLISTS), context)
        problem = problem_record_from_dsm(
            actor=self.member(Role.COUNSELOR),
            patient=episode.patient,
            score=result,
            context=context,
        )
        demo_latest_entry_backdate(episode.patient, when)
        Problem.objects.filter(pk=problem.pk).update(recorded_at=when)
        self.counts.problems += 1
        if self.counts.problems % 2 == 1:
            problem_confirm(actor=self.member(Role.PHYSICIAN), problem=problem)
            confirmed = when + dt.timedelta(hours=self.rng.uniform(16, 30))
            demo_latest_entry_backdate(episode.patient, confirmed)
            Problem.objects.filter(pk=problem.pk).update(confirmed_at=confirmed)
            self.counts.confirmed += 1

    def _stamp(
        self, assessment: IntakeAssessment, created: dt.datetime, updated: dt.datetime, **more: Any
    ) -> None:
        IntakeAssessment.objects.filter(pk=assessment.pk).update(
            created_at=created, updated_at=updated, **more
        )


def demo_intakes_create(
    *,
    staff: list[User],
    episodes: list[EpisodeOfCare],
    progress: Callable[[int], None] | None = None,
    seed: int = DEMO_INTAKE_SEED,
) -> IntakeCounts:
    """Record intakes (drafts at Assessment, signed past it) on the open ``episodes``.

    Call once, after ``demo_stories_create``; no episode changes stage. ``progress`` is
    called once per episode.
    """
    intakes = _Intakes({u.username: u for u in staff}, seed)
    with transaction.atomic():
        for episode in episodes:
            intakes.team = demo_care_team(episode.patient)
            windows = demo_stage_windows(episode)
            if episode.stage == Stage.ASSESSMENT:
                intakes.draft(episode, windows)
            elif Stage.ASSESSMENT in windows:
                intakes.signed(episode, windows)
            if progress:
                progress(1)
    return intakes.counts
