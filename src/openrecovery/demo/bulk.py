"""Synthetic patients in bulk for benchmarks (``demo_data --patients N``).

The histories have the same shape as the demo stories (``histories.story_plan`` over the
weighted ``BULK_MIX``) and the same care teams (``histories.CARE_TEAM``), but are written
with ``bulk_create`` in batches, the documented fast path: no per-row audit events (one
audit event records the whole load), no instruments, intakes or helpline inquiries, and
only each patient's present care team (open episodes: the seats of the current stage;
closed ones: the seats at closing, inactive), not who came and went before. Synthetic
colleagues spread the caseloads so each demo clinician has a realistic one.
"""

import dataclasses
import datetime as dt
import random
from collections.abc import Callable

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.records.choices import DischargeType, SexAtBirth, Stage, TimelineKind
from openrecovery.records.identifiers import mrn_format, mrn_next
from openrecovery.records.models import (
    CareTeamMember,
    EpisodeOfCare,
    Patient,
    StageTransition,
    TimelineEvent,
)

from .backdating import days_ago
from .histories import (
    BULK_MIX,
    CARE_TEAM,
    ENTRIES_BY,
    ENTRIES_BY_DEFAULT,
    MOVE_BY,
    STAGE_ENTRIES,
    Step,
    StepAction,
    episodes_of,
    story_plan,
)
from .people import DEMO_SEED

BULK_BATCH = 2000
BULK_STAFF_PREFIX = "bulk-"
# Open patients per synthetic staff member of each role on care teams: (share of all
# patients whose open episode has that seat, caseload per person).
BULK_CASELOADS: dict[str, tuple[float, int]] = {
    Role.ADMISSIONS_COORDINATOR: (0.06, 25),
    Role.COUNSELOR: (0.54, 27),
    Role.NURSE: (0.20, 25),
    Role.PHYSICIAN: (0.20, 40),
}


@dataclasses.dataclass
class BulkCounts:
    """Rows written by ``demo_bulk_create``."""

    patients: int = 0
    episodes: int = 0
    transitions: int = 0
    care_team: int = 0
    timeline: int = 0
    staff: int = 0

    def add(self, other: "BulkCounts") -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


def _bulk_staff(staff: dict[str, User], patients: int, fake: Faker) -> tuple[dict, int]:
    """Return user ids per care-team role (the demo staff first) and how many were created.

    Synthetic colleagues cannot sign in (unusable password); they only spread caseloads.
    """
    usernames: dict[str, list[str]] = {}
    for role, (share, caseload) in BULK_CASELOADS.items():
        size = max(1, round(patients * share / caseload))
        usernames[role] = [f"{BULK_STAFF_PREFIX}{role}-{i:05d}" for i in range(1, size)]
    every = [name for names in usernames.values() for name in names]
    have = set(User.objects.filter(username__in=every).values_list("username", flat=True))
    wanted = []
    for role_name, names in usernames.items():
        for username in names:
            if username not in have:
                user = User(
                    username=username,
                    first_name=fake.first_name(),
                    last_name=fake.last_name(),
                    role=role_name,
                )
                user.set_unusable_password()
                wanted.append(user)
    User.objects.bulk_create(wanted, batch_size=BULK_BATCH)
    groups = dict(Group.objects.filter(name__in=BULK_CASELOADS).values_list("name", "pk"))
    memberships = [User.groups.through(user_id=u.pk, group_id=groups[u.role]) for u in wanted]
    User.groups.through.objects.bulk_create(memberships, batch_size=BULK_BATCH)
    ids = dict(User.objects.filter(username__in=every).values_list("username", "pk"))
    pools = {
        role: [u.pk for u in staff.values() if u.role == role] + [ids[n] for n in names]
        for role, names in usernames.items()
    }
    return pools, len(wanted)


class _BulkBuilder:
    """Build one batch of synthetic patients with their episodes, teams and timelines."""

    def __init__(self, staff: dict[str, User], pools: dict[str, list[int]], seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (fictional data, not security)
        fake = Faker("en_US")
        fake.seed_instance(seed)
        # Sorted: a set's order changes from process to process (string hashing is
        # salted), and the seeded draws below must pick the same names every time.
        self.given_f = sorted({fake.first_name_female() for _ in range(400)})
        self.given_m = sorted({fake.first_name_male() for _ in range(400)})
        self.family = sorted({fake.last_name() for _ in range(1500)})
        self.streets = [fake.street_address() for _ in range(500)]
        self.places = [(fake.city(), fake.state_abbr(), fake.zipcode()) for _ in range(300)]
        self.staff = {name: user.pk for name, user in staff.items()}
        self.pools = pools
        self.stories = [story for story, _ in BULK_MIX]
        self.weights = [weight for _, weight in BULK_MIX]
        self.assigned: dict[str, int] = dict.fromkeys(BULK_CASELOADS, 0)

    def patient(self, number: int) -> Patient:
        rng = self.rng
        female = rng.random() < 0.5
        given = rng.choice(self.given_f if female else self.given_m)
        family = rng.choice(self.family)
        city, state, postal = rng.choice(self.places)
        return Patient(
            mrn=mrn_format(number),
            legal_given_name=given,
            legal_family_name=family,
            search_given=given.lower(),
            search_family=family.lower(),
            date_of_birth=dt.date(1952, 1, 1) + dt.timedelta(days=rng.randrange(365 * 52)),
            sex_at_birth=SexAtBirth.FEMALE if female else SexAtBirth.MALE,
            phone_mobile=f"555-01{rng.randrange(100):02d}",
            email=f"{given}.{family}.{number}@example.com".lower().replace(" ", ""),
            address_line1=rng.choice(self.streets),
            city=city,
            state=state,
            postal_code=postal,
        )

    def next_member(self, role: str, open_: bool) -> int:
        """Return who fills a seat: open patients go round the pool, closed ones anywhere."""
        pool = self.pools[role]
        if not open_:
            return self.rng.choice(pool)
        self.assigned[role] += 1
        return pool[self.assigned[role] % len(pool)]

    def build(self, first_number: int, size: int, events: int) -> BulkCounts:
        """Write ``size`` patients numbered from ``first_number``; return the row counts."""
        patients = [self.patient(first_number + i) for i in range(size)]
        Patient.objects.bulk_create(patients)
        plans = [
            story_plan(self.rng.choices(self.stories, self.weights)[0], self.rng) for _ in patients
        ]
        # Episodes: a first episode for everyone, then readmissions pointing back at it.
        rounds: list[list[tuple[EpisodeOfCare, Patient, list[Step]]]] = [[], []]
        for patient, plan in zip(patients, plans, strict=True):
            for number, steps in enumerate(episodes_of(plan)):
                last = steps[-1]
                ended = days_ago(last.days_ago) if last.stage == Stage.CLOSED else None
                episode = EpisodeOfCare(
                    patient=patient,
                    stage=last.stage,
                    started_at=days_ago(steps[0].days_ago),
                    stage_changed_at=days_ago(last.days_ago),
                    ended_at=ended,
                    discharge_type=last.discharge,
                )
                rounds[number].append((episode, patient, steps))
        EpisodeOfCare.objects.bulk_create([e for e, _, _ in rounds[0]])
        previous = {p.pk: e for e, p, _ in rounds[0]}
        for episode, patient, _ in rounds[1]:
            episode.previous_episode = previous[patient.pk]
        EpisodeOfCare.objects.bulk_create([e for e, _, _ in rounds[1]])
        counts = BulkCounts(patients=size, episodes=len(rounds[0]) + len(rounds[1]))
        transitions: list[StageTransition] = []
        timeline: list[TimelineEvent] = []
        for episode, patient, steps in rounds[0] + rounds[1]:
            self._history(episode, patient, steps, transitions, timeline)
        step_episodes: dict[int, list[EpisodeOfCare]] = {}
        latest: dict[int, tuple[EpisodeOfCare, list[Step]]] = {}
        for episode, patient, steps in rounds[0] + rounds[1]:
            step_episodes.setdefault(patient.pk, []).extend([episode] * len(steps))
            latest[patient.pk] = (episode, steps)
        members: list[CareTeamMember] = []
        for patient, plan in zip(patients, plans, strict=True):
            self._team(patient, *latest[patient.pk], members)
            self._entries(patient, step_episodes[patient.pk], plan, events, timeline)
        StageTransition.objects.bulk_create(transitions)
        CareTeamMember.objects.bulk_create(members)
        TimelineEvent.objects.bulk_create(timeline, batch_size=BULK_BATCH)
        counts.transitions, counts.care_team = len(transitions), len(members)
        counts.timeline = len(timeline)
        return counts

    def _history(
        self,
        episode: EpisodeOfCare,
        patient: Patient,
        steps: list[Step],
        transitions: list[StageTransition],
        timeline: list[TimelineEvent],
    ) -> None:
        previous = ""
        for step in steps:
            when = days_ago(step.days_ago)
            if step.action == StepAction.MOVE:
                username, reason = MOVE_BY[step.stage]
                reason = DischargeType(step.discharge).label if step.discharge else reason
                summary = f"{Stage(previous).label} → {Stage(step.stage).label}: {reason}"
                kind = TimelineKind.STAGE_CHANGED
            else:
                username = "admissions"
                first = step.action == StepAction.REGISTER
                reason = "First contact" if first else "Readmission: called again"
                summary = f"Episode opened at {Stage(step.stage).label}: {reason}"
                kind = TimelineKind.EPISODE_OPENED
                if first:
                    timeline.append(
                        TimelineEvent(
                            patient=patient,
                            kind=TimelineKind.REGISTERED,
                            summary="Registered",
                            occurred_at=when,
                            actor_id=self.staff[username],
                        )
                    )
            actor = self.staff[username]
            transitions.append(
                StageTransition(
                    episode=episode,
                    from_stage=previous,
                    to_stage=step.stage,
                    reason=reason,
                    moved_by_id=actor,
                    moved_at=when,
                )
            )
            timeline.append(
                TimelineEvent(
                    patient=patient,
                    episode=episode,
                    kind=kind,
                    summary=summary,
                    occurred_at=when,
                    actor_id=actor,
                )
            )
            previous = step.stage

    def _team(
        self,
        patient: Patient,
        episode: EpisodeOfCare,
        steps: list[Step],
        members: list[CareTeamMember],
    ) -> None:
        """Seat the latest episode's care team: now (open), or as it was at closing."""
        open_ = episode.ended_at is None
        stage = episode.stage if open_ else steps[-2].stage
        for seat in CARE_TEAM[stage]:
            members.append(
                CareTeamMember(
                    patient=patient,
                    user_id=self.next_member(seat.staff_role, open_),
                    team_role=seat.team_role,
                    active=open_,
                )
            )

    def _entries(
        self,
        patient: Patient,
        episodes: list[EpisodeOfCare],
        plan: list[Step],
        events: int,
        timeline: list[TimelineEvent],
    ) -> None:
        times = [days_ago(step.days_ago) for step in plan] + [timezone.now()]
        for _ in range(events):
            index = self.rng.randrange(len(plan))
            stage = plan[index].stage
            kind, summary = self.rng.choice(STAGE_ENTRIES[stage])
            span = (times[index + 1] - times[index]).total_seconds()
            actor = ENTRIES_BY.get(stage, ENTRIES_BY_DEFAULT)
            timeline.append(
                TimelineEvent(
                    patient=patient,
                    episode=episodes[index],
                    kind=kind,
                    summary=summary,
                    occurred_at=times[index] + dt.timedelta(seconds=self.rng.uniform(0, span)),
                    actor_id=self.staff[actor],
                )
            )


def demo_bulk_create(
    *,
    total: int,
    staff: list[User],
    events_per_patient: int = 5,
    progress: Callable[[int], None] | None = None,
    seed: int = DEMO_SEED,
) -> BulkCounts:
    """Top the database up to ``total`` synthetic patients with ``bulk_create``, in batches.

    Per-row audit events are skipped (synthetic data); one audit event records the load.
    """
    missing = total - Patient.objects.count()
    if missing <= 0:
        return BulkCounts()
    first = int(mrn_next()[3:])
    by_name = {u.username: u for u in staff}
    fake = Faker("en_US")
    fake.seed_instance(seed)
    with transaction.atomic():
        pools, created = _bulk_staff(by_name, missing, fake)
    builder = _BulkBuilder(by_name, pools, seed + first)
    counts = BulkCounts(staff=created)
    for offset in range(0, missing, BULK_BATCH):
        size = min(BULK_BATCH, missing - offset)
        with transaction.atomic():
            counts.add(builder.build(first + offset, size, events_per_patient))
        if progress:
            progress(size)
    # Fresh planner statistics: with the empty-table estimates PostgreSQL hash-joins every
    # open episode for a ten-row dashboard (13 ms instead of 0.4 ms at 100,000 patients).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    audit_record(
        action=Action.CREATE,
        object_type="demo_data",
        detail={"mode": "bulk", **dataclasses.asdict(counts)},
        actor_username="demo_data",
    )
    return counts
