"""What each suicide-risk level calls for, as data with its source.

The default is the Columbia Lighthouse Project's triage guidance for the C-SSRS
screener; a program may replace it with its own written procedure through the
``SAFETY_TRIAGE`` setting (a mapping of level code to ``LevelAction``), and the chart
shows whichever source is in force. The software opens tasks and alerts; clinicians
decide what is done.
"""

import dataclasses
import datetime as dt

from django.conf import settings

from openrecovery.records.choices import Stage, TaskKind

from .choices import RiskLevel

COLUMBIA_TRIAGE = (
    "Columbia Lighthouse Project, C-SSRS screener with triage points: yes to Q1 or Q2 "
    "only: low (resources; referral at the clinician's discretion); yes to Q3, or "
    "suicidal behavior more than 3 months ago: moderate (behavioral-health consult; "
    "consider patient safety precautions); yes to Q4 or Q5, or suicidal behavior in the "
    "past 3 months: high (immediate notification of a physician or behavioral-health "
    "professional; patient safety precautions)."
)
SCREENING_SOURCE = (
    "The Joint Commission, National Patient Safety Goal 15.01.01: screen with a "
    "validated tool, assess those who screen positive, document the risk level and the "
    "plan to reduce it."
)

# A positive screen owes a C-SSRS within this time; after it the task shows as overdue.
CSSRS_OWED_WITHIN = dt.timedelta(hours=1)
# A risk level older than this shows as due for re-screening (withdrawal management
# and residential treatment; SAFETY_RESCREEN_DAYS changes it).
RESCREEN_DAYS_DEFAULT = 7
# The stages whose risk levels go stale after the interval: the program's withdrawal
# management and its (residential) treatment stage, the stages the move check guards too.
# Elsewhere nothing falls due by age: assessment screens as part of the intake, and
# aftercare re-screens at its contacts (a low level: "re-screen at the next contact").
RESCREEN_STAGES = frozenset({Stage.WITHDRAWAL_MANAGEMENT, Stage.TREATMENT})


@dataclasses.dataclass(frozen=True)
class TaskRule:
    """A task a level opens: its kind, how soon it is due and who it goes to."""

    kind: TaskKind
    due_within: dt.timedelta
    # "team" (anyone on the care team) or "clinician" (a counselor, physician or
    # director on the team, when there is one).
    assign: str = "team"


@dataclasses.dataclass(frozen=True)
class LevelAction:
    """What a risk level calls for: in words, the tasks it opens, precautions, source."""

    level: RiskLevel
    summary: str
    tasks: tuple[TaskRule, ...] = ()
    precautions: bool = False
    resources: bool = False
    source: str = COLUMBIA_TRIAGE


DEFAULT_TRIAGE: dict[str, LevelAction] = {
    RiskLevel.NONE: LevelAction(
        RiskLevel.NONE, "No suicide risk identified by the screener; screen again as routine."
    ),
    RiskLevel.LOW: LevelAction(
        RiskLevel.LOW,
        "Offer resources (988 Suicide & Crisis Lifeline) and re-screen at the next contact.",
        resources=True,
    ),
    RiskLevel.MODERATE: LevelAction(
        RiskLevel.MODERATE,
        "Behavioral-health consult by a clinician on the care team, a safety plan with the "
        "patient, and consider safety precautions.",
        tasks=(
            TaskRule(TaskKind.BH_CONSULT, dt.timedelta(hours=24), assign="clinician"),
            TaskRule(TaskKind.SAFETY_PLAN_OWED, dt.timedelta(hours=24)),
        ),
        resources=True,
    ),
    RiskLevel.HIGH: LevelAction(
        RiskLevel.HIGH,
        "Immediate review by a physician or behavioral-health professional, immediate "
        "safety precautions, and a safety plan with the patient.",
        tasks=(TaskRule(TaskKind.SAFETY_PLAN_OWED, dt.timedelta(hours=4)),),
        precautions=True,
        resources=True,
    ),
}


PRECAUTIONS_SOURCE = (
    "Columbia Lighthouse Project triage for a high C-SSRS screener result: immediate "
    "notification of a physician or behavioral-health professional and patient safety "
    "precautions; The Joint Commission, NPSG 15.01.01: follow written procedures for "
    "monitoring patients at high risk. The three steps are this program's default "
    "written procedure (SAFETY_PRECAUTIONS replaces it), not a published checklist."
)


@dataclasses.dataclass(frozen=True)
class PrecautionRule:
    """A step of the immediate safety precautions: a stable code and what to do."""

    code: str
    label: str


DEFAULT_PRECAUTIONS: tuple[PrecautionRule, ...] = (
    PrecautionRule("observation", "One-to-one observation ordered"),
    PrecautionRule("environment", "Environment checked (means of self-harm removed from the room)"),
    PrecautionRule("physician", "Physician notified"),
)


def precaution_steps() -> tuple[tuple[PrecautionRule, ...], str]:
    """Return the precaution steps in force and their source (the program's, or ours).

    ``SAFETY_PRECAUTIONS`` is a sequence of ``PrecautionRule``; ``SAFETY_PRECAUTIONS_SOURCE``
    names the written procedure it comes from.
    """
    custom = getattr(settings, "SAFETY_PRECAUTIONS", None)
    if custom:
        return tuple(custom), getattr(settings, "SAFETY_PRECAUTIONS_SOURCE", "")
    return DEFAULT_PRECAUTIONS, PRECAUTIONS_SOURCE


def triage() -> dict[str, LevelAction]:
    """Return the level actions in force: the program's own, or the Columbia default."""
    return getattr(settings, "SAFETY_TRIAGE", None) or DEFAULT_TRIAGE


def rescreen_interval() -> dt.timedelta:
    """Return how old a risk level may be before it is due again."""
    return dt.timedelta(days=getattr(settings, "SAFETY_RESCREEN_DAYS", RESCREEN_DAYS_DEFAULT))


def rescreen_due(*, assessed_at: dt.datetime, stage: str | None, now: dt.datetime) -> bool:
    """Return whether a level assessed at ``assessed_at`` is due again at ``stage``.

    Only in RESCREEN_STAGES (an open episode there), once older than the interval.
    """
    return stage in RESCREEN_STAGES and now - assessed_at > rescreen_interval()
