"""About fifty fictional patients whose histories are played through the real services.

Each story (``histories.STORIES``) is planned into typed steps, then played: a patient is
registered (``patient_register``), or comes in as a helpline inquiry that a coordinator
converts (``helpline.HelplineDesk``, through ``inquiry_convert``), is readmitted
(``episode_readmit``), moves through the stages (``episode_move_stage``), and the care
team changes at each stage as ``histories.CARE_TEAM`` says (``care_team_add``,
``care_team_remove``). Each seat goes to one of the demo staff of its role
(``staff.demo_staff_pick``), so teams differ from patient to patient, and the seat's
holder records that stage's entries. Every write is audited as usual; the times are then
moved back (``backdating``), so the histories reach months into the past.
"""

import dataclasses
import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.records.choices import DischargeType, Stage
from openrecovery.records.identifiers import mrn_next
from openrecovery.records.models import CareTeamMember, EpisodeOfCare, Patient
from openrecovery.records.services import (
    care_team_add,
    care_team_remove,
    episode_move_stage,
    episode_readmit,
    patient_register,
    timeline_add,
)

from .backdating import (
    days_ago,
    episode_backdate,
    member_backdate,
    new_entries_backdate,
    timeline_mark,
)
from .helpline import DESK_SEED_OFFSET, HelplineDesk
from .histories import (
    COUNSELOR,
    ENTRIES_BY,
    ENTRIES_BY_DEFAULT,
    HELPLINE_DAYS,
    MOVE_BY,
    STAGE_ENTRIES,
    STORIES,
    Step,
    StepAction,
    Story,
    TeamSeat,
    story_plan,
    team_changes,
)
from .people import DEMO_SEED, People
from .staff import demo_staff_pick

DEMO_STORY_COUNT = len(STORIES)
TEAM_SEED_OFFSET = 4  # who fills the care-team seats draws from DEMO_SEED + 4
READMIT_REASON = "Called the admissions line again"
TEAM_ACTOR = "director"  # who changes care teams (the role holds manage_care_team)


@dataclasses.dataclass
class _Record:
    """Where a story stands while it is played: the patient, episode and care team."""

    patient: Patient | None = None
    episode: EpisodeOfCare | None = None
    stage: str = ""  # the stage the episode was at before this step ("" before it opens)
    team: dict[TeamSeat, CareTeamMember] = dataclasses.field(default_factory=dict)


class Storyteller:
    """Play one story through the services, then backdate what they recorded."""

    def __init__(
        self, staff: dict[str, User], rng: random.Random, desk: HelplineDesk, picks: random.Random
    ) -> None:
        self.staff = staff
        self.rng = rng
        self.desk = desk
        self.picks = picks  # who fills each seat: apart, so the stories stay as they were

    def play(self, story: Story, fields: dict) -> Patient:
        """Walk the story's steps, with its care team and timeline entries; return the patient."""
        steps = story_plan(story, self.rng, helpline_days=HELPLINE_DAYS)
        record = _Record()
        for index, step in enumerate(steps):
            when = days_ago(step.days_ago)
            mark = timeline_mark()
            if step.action == StepAction.MOVE:
                # Who joins for the new stage is there to make the move (the physician who
                # admits to withdrawal management is the patient's attending).
                self._team(record, step, when)
                self._step(record, step, steps[index:], fields, when)
            else:
                self._step(record, step, steps[index:], fields, when)
                self._team(record, step, when)
            assert record.patient is not None and record.episode is not None  # noqa: S101
            new_entries_backdate(record.patient, mark, when)
            until = days_ago(steps[index + 1].days_ago) if index + 1 < len(steps) else None
            self._entries(record, step.stage, when, until)
            record.stage = step.stage
        assert record.patient is not None  # noqa: S101 (every plan opens an episode)
        return record.patient

    def _step(
        self, record: _Record, step: Step, rest: list[Step], fields: dict, when: dt.datetime
    ) -> None:
        admissions = self.staff["admissions"]
        if step.action == StepAction.REGISTER:
            record.patient = patient_register(actor=admissions, mrn=mrn_next(), **fields)
            record.episode = record.patient.episodes.get()
        elif step.action == StepAction.READMIT:
            assert record.patient is not None  # noqa: S101 (a readmission follows an episode)
            record.episode = episode_readmit(
                actor=admissions, patient=record.patient, reason=READMIT_REASON
            )
        elif step.action == StepAction.CONVERT:
            withdrawal = any(s.stage == Stage.WITHDRAWAL_MANAGEMENT for s in _this_episode(rest))
            clinician = demo_staff_pick(self.staff, Role.COUNSELOR, self.picks)
            record.patient, record.episode = self.desk.conversion(
                fields=fields,
                patient=record.patient,
                when=when,
                withdrawal=withdrawal,
                clinician=clinician,
            )
            # The clinician the coordinator booked (a counselor) joined with the conversion.
            counselor = CareTeamMember.objects.get(
                patient=record.patient, user=clinician, active=True
            )
            member_backdate(counselor, joined=when, changed=when)
            record.team = {COUNSELOR: counselor}
        else:
            assert record.episode is not None  # noqa: S101 (a move follows an opening)
            username, reason = MOVE_BY[step.stage]
            record.episode = episode_move_stage(
                actor=self._holder(record, username),
                episode=record.episode,
                to_stage=step.stage,
                reason=DischargeType(step.discharge).label if step.discharge else reason,
                discharge_type=step.discharge,
            )
        episode_backdate(record.episode, when, opened=step.opens_episode)

    def _team(self, record: _Record, step: Step, when: dt.datetime) -> None:
        """Fill and empty care-team seats as the episode reaches ``step.stage``."""
        assert record.patient is not None  # noqa: S101
        joining, leaving = team_changes("" if step.opens_episode else record.stage, step.stage)
        actor = self.staff[TEAM_ACTOR]
        for seat in leaving:
            member = record.team.pop(seat, None)
            if member is not None:
                care_team_remove(actor=actor, member=member)
                CareTeamMember.objects.filter(pk=member.pk).update(updated_at=when)
        for seat in joining:
            if seat in record.team:
                continue
            member = care_team_add(
                actor=actor,
                patient=record.patient,
                user=demo_staff_pick(self.staff, seat.staff_role, self.picks),
                team_role=seat.team_role,
            )
            member_backdate(member, joined=when, changed=when)
            record.team[seat] = member

    def _holder(self, record: _Record, username: str) -> User:
        """Return who on the team holds the role of demo user ``username``, else that user."""
        role = self.staff[username].role
        held = [m.user for seat, m in record.team.items() if seat.staff_role == role]
        return held[0] if held else self.staff[username]

    def _entries(
        self, record: _Record, stage: str, start: dt.datetime, end: dt.datetime | None
    ) -> None:
        """Add a few of the stage's typical timeline entries between ``start`` and ``end``."""
        patient, episode = record.patient, record.episode
        assert patient is not None and episode is not None  # noqa: S101 (after the opening)
        entries = STAGE_ENTRIES[stage]
        count = 1 if stage == Stage.CLOSED else self.rng.randint(1, len(entries))
        actor = self._holder(record, ENTRIES_BY.get(stage, ENTRIES_BY_DEFAULT))
        end = end or timezone.now()
        if stage == Stage.CLOSED:
            end = min(end, start + dt.timedelta(days=2))  # the discharge summary follows soon
        span = max((end - start).total_seconds(), 3600.0)
        for kind, summary in self.rng.sample(entries, count):
            occurred = start + dt.timedelta(seconds=self.rng.uniform(60, span * 0.9))
            timeline_add(
                patient=patient,
                episode=episode,
                kind=kind,
                summary=summary,
                actor=actor,
                occurred_at=min(occurred, timezone.now()),
            )


def _this_episode(steps: list[Step]) -> list[Step]:
    """Return ``steps`` up to (not including) the next step that opens an episode."""
    following = [i for i, s in enumerate(steps[1:], start=1) if s.opens_episode]
    return steps[: following[0]] if following else steps


def demo_stories_create(
    staff: list[User], progress: Callable[[int], None] | None = None, seed: int = DEMO_SEED
) -> int:
    """Play the demo stories through the services. Return how many patients were created."""
    people = People(seed)
    by_name = {u.username: u for u in staff}
    desk = HelplineDesk(by_name, People(seed + DESK_SEED_OFFSET))
    picks = random.Random(seed + TEAM_SEED_OFFSET)  # noqa: S311 (fictional data, not security)
    teller = Storyteller(by_name, people.rng, desk, picks)
    stories = list(STORIES)
    people.rng.shuffle(stories)
    with transaction.atomic():
        for story in stories:
            teller.play(story, people.patient_fields())
            if progress:
                progress(1)
        audit_record(
            action=Action.CREATE,
            object_type="demo_data",
            detail={"mode": "stories", "patients": len(stories)},
            actor_username="demo_data",
        )
    return len(stories)
