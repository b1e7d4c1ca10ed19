"""The shape of the demo's patient histories: stories, their steps and the care-team table.

Pure data and one planning function, shared by the story generator (``stories``, through
the services) and the bulk generator (``bulk``, through ``bulk_create``), so both tell
the same histories: the same paths through the stages, the same durations, the same
people joining and leaving the care team.
"""

import dataclasses
import enum
import random

from openrecovery.accounts.roles import Role
from openrecovery.records.choices import CareTeamRole, DischargeType, Stage, TimelineKind

# Days back the helpline's history reaches: first contacts since then came in as inquiries
# (``helpline``); earlier patients were registered before the admissions console existed.
HELPLINE_DAYS = 30

# Entries a stage typically produces: (kind, summary). Descriptions of activity only,
# never clinical findings.
STAGE_ENTRIES: dict[str, tuple[tuple[str, str], ...]] = {
    Stage.INQUIRY: (
        (TimelineKind.CONTACT, "Phone screen completed"),
        (TimelineKind.CONTACT, "Callback from the admissions line"),
        (TimelineKind.NOTE, "Intake packet sent"),
    ),
    Stage.ASSESSMENT: (
        (TimelineKind.ASSESSMENT, "Intake interview completed"),
        (TimelineKind.NOTE, "Consent forms reviewed with patient"),
        (TimelineKind.ASSESSMENT, "Assessment appointment attended"),
    ),
    Stage.WITHDRAWAL_MANAGEMENT: (
        (TimelineKind.OBSERVATION, "CIWA-B recorded by nurse"),
        (TimelineKind.OBSERVATION, "Vital signs recorded"),
        (TimelineKind.MEDICATION, "Taper step reviewed"),
        (TimelineKind.MEDICATION, "Medication reconciliation completed"),
    ),
    Stage.TREATMENT: (
        (TimelineKind.NOTE, "Individual counseling session"),
        (TimelineKind.NOTE, "Group session attended"),
        (TimelineKind.NOTE, "Treatment plan reviewed"),
        (TimelineKind.MEDICATION, "Taper step reviewed"),
    ),
    Stage.AFTERCARE: (
        (TimelineKind.CONTACT, "Aftercare check-in call"),
        (TimelineKind.NOTE, "Peer support meeting attended"),
        (TimelineKind.NOTE, "Recovery plan updated"),
    ),
    Stage.CLOSED: ((TimelineKind.NOTE, "Discharge summary filed"),),
}
# Who records a stage's entries (demo usernames).
ENTRIES_BY: dict[str, str] = {
    Stage.INQUIRY: "admissions",
    Stage.ASSESSMENT: "admissions",
    Stage.WITHDRAWAL_MANAGEMENT: "nurse",
}
ENTRIES_BY_DEFAULT = "counselor"

# Who moves an episode into a stage, and why (demo usernames).
MOVE_BY: dict[str, tuple[str, str]] = {
    Stage.ASSESSMENT: ("admissions", "Phone screen completed; assessment booked"),
    Stage.WITHDRAWAL_MANAGEMENT: ("physician", "Admitted for supervised withdrawal"),
    Stage.TREATMENT: ("physician", "Ready for the treatment program"),
    Stage.AFTERCARE: ("counselor", "Treatment program completed"),
    Stage.CLOSED: ("director", "Episode closed"),
}

# Paths from a new (inquiry) episode to each stage.
PATHS: dict[str, tuple[str, ...]] = {
    Stage.INQUIRY: (),
    Stage.ASSESSMENT: (Stage.ASSESSMENT,),
    Stage.WITHDRAWAL_MANAGEMENT: (Stage.ASSESSMENT, Stage.WITHDRAWAL_MANAGEMENT),
    Stage.TREATMENT: (Stage.ASSESSMENT, Stage.WITHDRAWAL_MANAGEMENT, Stage.TREATMENT),
    Stage.AFTERCARE: (
        Stage.ASSESSMENT,
        Stage.WITHDRAWAL_MANAGEMENT,
        Stage.TREATMENT,
        Stage.AFTERCARE,
    ),
}
# Discharge type -> the stage the episode is in when it closes.
CLOSE_FROM: dict[str, str] = {
    DischargeType.COMPLETED: Stage.AFTERCARE,
    DischargeType.AGAINST_ADVICE: Stage.WITHDRAWAL_MANAGEMENT,
    DischargeType.REFERRED_OUT: Stage.ASSESSMENT,
    DischargeType.LOST_CONTACT: Stage.TREATMENT,
    DischargeType.NOT_ADMITTED: Stage.INQUIRY,
    DischargeType.ADMINISTRATIVE: Stage.INQUIRY,
}
# Days since an episode reached its current stage: plausible ranges per stage.
DAYS_IN_STAGE: dict[str, tuple[int, int]] = {
    Stage.INQUIRY: (0, 4),
    Stage.ASSESSMENT: (1, 10),
    Stage.WITHDRAWAL_MANAGEMENT: (1, 12),
    Stage.TREATMENT: (5, 80),
    Stage.AFTERCARE: (20, 500),
    Stage.CLOSED: (10, 900),
}
# Days spent in a stage the episode has already left.
DAYS_PASSED: dict[str, tuple[int, int]] = {
    Stage.INQUIRY: (1, 5),
    Stage.ASSESSMENT: (2, 10),
    Stage.WITHDRAWAL_MANAGEMENT: (5, 14),
    Stage.TREATMENT: (28, 90),
    Stage.AFTERCARE: (60, 360),
}
# Days between an earlier episode's closing and the readmission.
DAYS_BEFORE_READMISSION = (30, 400)


@dataclasses.dataclass(frozen=True)
class TeamSeat:
    """A place on the care team: the staff role that fills it and the role on the team."""

    staff_role: str
    team_role: str


ADMISSIONS = TeamSeat(Role.ADMISSIONS_COORDINATOR, CareTeamRole.ADMISSIONS)
COUNSELOR = TeamSeat(Role.COUNSELOR, CareTeamRole.PRIMARY_COUNSELOR)
NURSE = TeamSeat(Role.NURSE, CareTeamRole.PRIMARY_NURSE)
PHYSICIAN = TeamSeat(Role.PHYSICIAN, CareTeamRole.ATTENDING_PHYSICIAN)

# Who is on the care team while an episode is at each stage. A seat is filled when the
# episode reaches a stage that has it and emptied when it moves to one that does not;
# the same person keeps a seat from stage to stage. At closing everyone leaves.
CARE_TEAM: dict[str, tuple[TeamSeat, ...]] = {
    Stage.INQUIRY: (),
    Stage.ASSESSMENT: (ADMISSIONS, COUNSELOR),
    Stage.WITHDRAWAL_MANAGEMENT: (COUNSELOR, NURSE, PHYSICIAN),
    Stage.TREATMENT: (COUNSELOR, NURSE, PHYSICIAN),
    Stage.AFTERCARE: (COUNSELOR,),
    Stage.CLOSED: (),
}


def team_changes(before: str, after: str) -> tuple[list[TeamSeat], list[TeamSeat]]:
    """Return the seats filled and emptied when an episode moves from ``before`` to ``after``.

    ``before`` is "" for a new episode.
    """
    old, new = CARE_TEAM.get(before, ()), CARE_TEAM[after]
    return [s for s in new if s not in old], [s for s in old if s not in new]


class StepAction(enum.StrEnum):
    """What a step of a history does to the record."""

    REGISTER = "register"  # first contact: the patient and their first episode
    READMIT = "readmit"  # a new episode for a patient whose earlier one is closed
    CONVERT = "convert"  # a helpline inquiry converted: an episode opened at assessment
    MOVE = "move"  # the episode moves to another stage


@dataclasses.dataclass(frozen=True)
class Step:
    """One step of a history: what happens, to which stage, and how many days ago."""

    action: StepAction
    stage: str
    days_ago: float
    discharge: str = ""  # the discharge type, when the step closes the episode

    @property
    def opens_episode(self) -> bool:
        return self.action != StepAction.MOVE


@dataclasses.dataclass(frozen=True)
class Story:
    """The shape of one demo patient's history."""

    stage: str  # current stage of the latest episode
    discharge: str = ""  # how the latest episode ended, when stage is closed
    readmitted_from: str = ""  # discharge type of an earlier, closed episode


# Fifty histories over every stage, with readmissions and one against-advice discharge.
STORIES: tuple[Story, ...] = (
    *[Story(Stage.INQUIRY)] * 7,
    Story(Stage.INQUIRY, readmitted_from=DischargeType.LOST_CONTACT),
    *[Story(Stage.ASSESSMENT)] * 6,
    Story(Stage.ASSESSMENT, readmitted_from=DischargeType.COMPLETED),
    *[Story(Stage.WITHDRAWAL_MANAGEMENT)] * 7,
    Story(Stage.WITHDRAWAL_MANAGEMENT, readmitted_from=DischargeType.AGAINST_ADVICE),
    *[Story(Stage.TREATMENT)] * 9,
    Story(Stage.TREATMENT, readmitted_from=DischargeType.LOST_CONTACT),
    *[Story(Stage.AFTERCARE)] * 9,
    *[Story(Stage.CLOSED, DischargeType.COMPLETED)] * 3,
    Story(Stage.CLOSED, DischargeType.NOT_ADMITTED),
    Story(Stage.CLOSED, DischargeType.REFERRED_OUT),
    Story(Stage.CLOSED, DischargeType.LOST_CONTACT),
    Story(Stage.CLOSED, DischargeType.ADMINISTRATIVE),
    Story(Stage.CLOSED, DischargeType.COMPLETED, readmitted_from=DischargeType.LOST_CONTACT),
)

# Bulk mix: (story, weight per 100 patients). About 60% open, 10% readmissions.
BULK_MIX: tuple[tuple[Story, int], ...] = (
    (Story(Stage.INQUIRY), 5),
    (Story(Stage.INQUIRY, readmitted_from=DischargeType.LOST_CONTACT), 1),
    (Story(Stage.ASSESSMENT), 5),
    (Story(Stage.ASSESSMENT, readmitted_from=DischargeType.COMPLETED), 1),
    (Story(Stage.WITHDRAWAL_MANAGEMENT), 5),
    (Story(Stage.WITHDRAWAL_MANAGEMENT, readmitted_from=DischargeType.AGAINST_ADVICE), 1),
    (Story(Stage.TREATMENT), 12),
    (Story(Stage.TREATMENT, readmitted_from=DischargeType.LOST_CONTACT), 2),
    (Story(Stage.AFTERCARE), 26),
    (Story(Stage.AFTERCARE, readmitted_from=DischargeType.COMPLETED), 2),
    (Story(Stage.CLOSED, DischargeType.COMPLETED), 18),
    (Story(Stage.CLOSED, DischargeType.NOT_ADMITTED), 7),
    (Story(Stage.CLOSED, DischargeType.REFERRED_OUT), 4),
    (Story(Stage.CLOSED, DischargeType.LOST_CONTACT), 6),
    (Story(Stage.CLOSED, DischargeType.AGAINST_ADVICE), 3),
    (Story(Stage.CLOSED, DischargeType.ADMINISTRATIVE), 1),
    (Story(Stage.CLOSED, DischargeType.COMPLETED, readmitted_from=DischargeType.LOST_CONTACT), 1),
)


def _days(rng: random.Random, table: dict[str, tuple[int, int]], stage: str) -> float:
    low, high = table[stage]
    return rng.uniform(low, high)


def story_plan(story: Story, rng: random.Random, *, helpline_days: float = 0) -> list[Step]:
    """Return every step of ``story``, oldest first, timed back from now.

    Each stage lasts a plausible time (``DAYS_IN_STAGE``, ``DAYS_PASSED``). With
    ``helpline_days``, an episode whose assessment began within that many days started
    as a helpline inquiry: its opening and its move to assessment become one ``CONVERT``
    step at the assessment's time.
    """
    shapes: list[tuple[StepAction, str, str]] = []
    endings = [story.readmitted_from] if story.readmitted_from else []
    endings.append(story.discharge)
    for number, discharge in enumerate(endings):
        shapes.append((StepAction.READMIT if number else StepAction.REGISTER, Stage.INQUIRY, ""))
        last = CLOSE_FROM[discharge] if discharge else story.stage
        shapes += [(StepAction.MOVE, stage, "") for stage in PATHS[last]]
        if discharge:
            shapes.append((StepAction.MOVE, Stage.CLOSED, discharge))
    # Walk back from now so that each stage lasts a plausible time.
    ages = [_days(rng, DAYS_IN_STAGE, shapes[-1][1])]
    for _action, stage, _ in reversed(shapes[:-1]):
        if stage == Stage.CLOSED:
            ages.append(ages[-1] + rng.uniform(*DAYS_BEFORE_READMISSION))
        else:
            ages.append(ages[-1] + _days(rng, DAYS_PASSED, stage))
    ages.reverse()
    steps = [
        Step(action, stage, age, discharge)
        for (action, stage, discharge), age in zip(shapes, ages, strict=True)
    ]
    return _converted(steps, helpline_days) if helpline_days else steps


def _converted(steps: list[Step], helpline_days: float) -> list[Step]:
    """Merge each recent opening and its move to assessment into one ``CONVERT`` step."""
    merged: list[Step] = []
    for step in steps:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.opens_episode
            and step.stage == Stage.ASSESSMENT
            and step.days_ago <= helpline_days
        ):
            merged[-1] = Step(StepAction.CONVERT, Stage.ASSESSMENT, step.days_ago)
        else:
            merged.append(step)
    return merged


def episodes_of(steps: list[Step]) -> list[list[Step]]:
    """Split a plan into its episodes: each starts with a step that opens one."""
    episodes: list[list[Step]] = []
    for step in steps:
        if step.opens_episode:
            episodes.append([])
        episodes[-1].append(step)
    return episodes
