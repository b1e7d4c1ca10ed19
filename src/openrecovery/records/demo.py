"""Fictional demo data: one staff member per role, and patients with plausible histories.

Two ways to fill a database:

- ``demo_stories_create`` registers about fifty patients through the real services
  (``patient_register``, ``episode_move_stage``, ``episode_readmit``, ``care_team_add``),
  so every stage move, care-team change and registration is audited as usual. The
  histories are then backdated (episode, transition and timeline times only); the audit
  log keeps the true time the demo was loaded.
- ``demo_bulk_create`` writes N synthetic patients with ``bulk_create`` for benchmarks.
  It skips per-row audit events and records one audit event for the whole load.

Every name, phone number and address is invented (Faker, seeded; phones in the
reserved 555-01xx range; e-mail under example.com).
"""

import dataclasses
import datetime as dt
import random
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.accounts.services import staff_create
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record

from .choices import CareTeamRole, DischargeType, SexAtBirth, Stage, TimelineKind
from .identifiers import mrn_format, mrn_next
from .models import CareTeamMember, EpisodeOfCare, Patient, StageTransition, TimelineEvent
from .services import (
    care_team_add,
    episode_move_stage,
    episode_readmit,
    patient_register,
    timeline_add,
)

DEMO_DEVICE_NAME = "demo authenticator"
DEMO_SEED = 20250101
DEMO_STORY_COUNT = 50
BULK_BATCH = 2000
BULK_CASELOAD = 30  # open patients per synthetic counselor
BULK_STAFF_PREFIX = "bulk-"

# (username, role, first name, last name): fictional people.
DEMO_STAFF: tuple[tuple[str, str, str, str], ...] = (
    ("admissions", Role.ADMISSIONS_COORDINATOR, "Avery", "Lindqvist"),
    ("nurse", Role.NURSE, "Noor", "Castellanos"),
    ("physician", Role.PHYSICIAN, "Paul", "Okonkwo-Reyes"),
    ("counselor", Role.COUNSELOR, "Casey", "Marchetti"),
    ("director", Role.CLINICAL_DIRECTOR, "Dana", "Whitcombe"),
    ("editor", Role.CONTENT_EDITOR, "Eli", "Fairbanks"),
    ("reviewer", Role.MEDICAL_REVIEWER, "Robin", "Achterberg"),
    ("admin", Role.ADMINISTRATOR, "Alex", "Brightwater"),
)

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
}
STAGE_ENTRIES[Stage.CLOSED] = ((TimelineKind.NOTE, "Discharge summary filed"),)

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


@dataclasses.dataclass
class StaffResult:
    """What ``demo_staff_ensure`` did: the demo users and the password situation."""

    users: list[User]
    created: list[str]
    password: str | None  # the password that was set (None: existing passwords kept)
    password_reset: bool


def demo_password_generate() -> str:
    """Return a random demo password (24 characters, passes the validators)."""
    return f"demo-{secrets.token_urlsafe(15)}"


@transaction.atomic
def demo_staff_ensure(password: str | None) -> StaffResult:
    """Create the missing demo staff (one per role) with a confirmed TOTP device.

    ``password`` (from OPENRECOVERY_DEMO_PASSWORD) also resets existing demo users'
    passwords; without it, a new password is generated for new users only.
    """
    existing = {u.username: u for u in User.objects.filter(username__in=_demo_usernames())}
    chosen = password or (demo_password_generate() if len(existing) < len(DEMO_STAFF) else None)
    created = []
    for username, role, first, last in DEMO_STAFF:
        user = existing.get(username)
        if user is None:
            user = staff_create(
                actor=None,
                username=username,
                password=chosen or "",
                role=role,
                first_name=first,
                last_name=last,
                email=f"{username}@example.com",
            )
            created.append(username)
        elif password:
            user.set_password(password)
            user.save(update_fields=["password"])
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)
        existing[username] = user
    users = [existing[username] for username, *_ in DEMO_STAFF]
    return StaffResult(users, created, chosen, bool(password) and len(created) < len(users))


def _demo_usernames() -> list[str]:
    return [username for username, *_ in DEMO_STAFF]


def demo_totp_device(user: User) -> TOTPDevice | None:
    """Return the demo TOTP device of ``user`` (None for accounts demo_data did not make)."""
    return TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME, confirmed=True).first()


class _People:
    """Seeded fictional demographics."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (fictional data, not security)
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)

    def phone(self) -> str:
        area = self.rng.choice((212, 312, 415, 503, 617, 702, 808, 919))
        return f"{area}-555-01{self.rng.randrange(100):02d}"

    def birth_date(self) -> dt.date:
        return dt.date(1952, 1, 1) + dt.timedelta(days=self.rng.randrange(365 * 52))

    def patient_fields(self) -> dict[str, Any]:
        sex = self.rng.choices(
            [SexAtBirth.FEMALE, SexAtBirth.MALE, SexAtBirth.INTERSEX, SexAtBirth.DECLINED],
            weights=[48, 48, 1, 3],
        )[0]
        given = (
            self.fake.first_name_female() if sex == SexAtBirth.FEMALE else self.fake.first_name()
        )
        family = self.fake.last_name()
        return {
            "legal_given_name": given,
            "legal_family_name": family,
            "preferred_name": self.fake.first_name() if self.rng.random() < 0.1 else "",
            "date_of_birth": self.birth_date(),
            "sex_at_birth": sex,
            "phone_mobile": self.phone(),
            "email": f"{given}.{family}@example.com".lower().replace(" ", ""),
            "address_line1": self.fake.street_address(),
            "city": self.fake.city(),
            "state": self.fake.state_abbr(),
            "postal_code": self.fake.zipcode(),
            "emergency_contact_name": self.fake.name(),
            "emergency_contact_phone": self.phone(),
            "emergency_contact_relationship": self.rng.choice(
                ("Sibling", "Parent", "Partner", "Friend", "Adult child")
            ),
        }


def _ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


class _Storyteller:
    """Play one story through the services, then backdate what they recorded."""

    def __init__(self, staff: dict[str, User], rng: random.Random) -> None:
        self.staff = staff
        self.rng = rng

    def days(self, table: dict[str, tuple[int, int]], stage: str) -> float:
        low, high = table[stage]
        return self.rng.uniform(low, high)

    def plan(self, story: Story) -> list[tuple[str, str, str, float]]:
        """Return (action, stage, discharge type, days ago) for every step, oldest first.

        Actions: ``register`` (first contact), ``readmit`` (a new episode) and ``move``.
        """
        steps: list[tuple[str, str, str]] = []
        endings = [story.readmitted_from] if story.readmitted_from else []
        endings.append(story.discharge)
        for number, discharge in enumerate(endings):
            steps.append(("readmit" if number else "register", Stage.INQUIRY, ""))
            last = CLOSE_FROM[discharge] if discharge else story.stage
            steps += [("move", stage, "") for stage in PATHS[last]]
            if discharge:
                steps.append(("move", Stage.CLOSED, discharge))
        # Walk back from now so that each stage lasts a plausible time.
        ages = [self.days(DAYS_IN_STAGE, steps[-1][1])]
        for _action, stage, _ in reversed(steps[:-1]):
            gap = self.rng.uniform(30, 400) if stage == Stage.CLOSED else None
            ages.append(ages[-1] + (gap or self.days(DAYS_PASSED, stage)))
        ages.reverse()
        return [(*step, age) for step, age in zip(steps, ages, strict=True)]

    def play(self, story: Story, fields: dict[str, Any]) -> Patient:
        """Register the patient, walk the story's steps, and build the care team."""
        steps = self.plan(story)
        admissions = self.staff["admissions"]
        patient = patient_register(actor=admissions, mrn=mrn_next(), **fields)
        episode = patient.episodes.get()
        for index, (action, stage, discharge, ago) in enumerate(steps):
            when = _ago(ago)
            if action == "register":
                TimelineEvent.objects.filter(patient=patient).update(occurred_at=when)
                self._backdate(episode, when, opened=True)
            elif action == "readmit":
                episode = episode_readmit(
                    actor=admissions, patient=patient, reason="Called the admissions line again"
                )
                self._backdate(episode, when, opened=True)
            else:
                username, reason = MOVE_BY[stage]
                episode = episode_move_stage(
                    actor=self.staff[username],
                    episode=episode,
                    to_stage=stage,
                    reason=DischargeType(discharge).label if discharge else reason,
                    discharge_type=discharge,
                )
                self._backdate(episode, when, opened=False)
            until = _ago(steps[index + 1][3]) if index + 1 < len(steps) else timezone.now()
            self._entries(patient, episode, stage, when, until)
        self._care_team(patient, story, _ago(steps[-1][3]))
        return patient

    def _backdate(self, episode: EpisodeOfCare, when: dt.datetime, opened: bool) -> None:
        changes: dict[str, Any] = {"stage_changed_at": when}
        if opened:
            changes["started_at"] = when
        if episode.ended_at is not None:
            changes["ended_at"] = when
        EpisodeOfCare.objects.filter(pk=episode.pk).update(**changes)
        last = StageTransition.objects.filter(episode=episode).order_by("-pk").first()
        if last is not None:
            StageTransition.objects.filter(pk=last.pk).update(moved_at=when)
        latest = TimelineEvent.objects.filter(episode=episode).order_by("-pk").first()
        if latest is not None:
            TimelineEvent.objects.filter(pk=latest.pk).update(occurred_at=when)
        episode.refresh_from_db()

    def _entries(
        self,
        patient: Patient,
        episode: EpisodeOfCare,
        stage: str,
        start: dt.datetime,
        end: dt.datetime,
    ) -> None:
        entries = STAGE_ENTRIES[stage]
        count = 1 if stage == Stage.CLOSED else self.rng.randint(1, len(entries))
        actor = self.staff["nurse" if stage == Stage.WITHDRAWAL_MANAGEMENT else "counselor"]
        if stage in (Stage.INQUIRY, Stage.ASSESSMENT):
            actor = self.staff["admissions"]
        if stage == Stage.CLOSED:
            end = min(end, start + dt.timedelta(days=2))  # the discharge summary follows soon
        span = max((end - start).total_seconds(), 3600.0)
        for kind, summary in self.rng.sample(entries, count):
            occurred = start + dt.timedelta(seconds=self.rng.uniform(60, span * 0.9))
            occurred = min(occurred, timezone.now())
            timeline_add(
                patient=patient,
                episode=episode,
                kind=kind,
                summary=summary,
                actor=actor,
                occurred_at=occurred,
            )

    def _care_team(self, patient: Patient, story: Story, when: dt.datetime) -> None:
        stage = story.stage
        team: list[tuple[str, str]] = []
        if stage != Stage.INQUIRY:
            team.append(("counselor", CareTeamRole.PRIMARY_COUNSELOR))
        if stage in (Stage.WITHDRAWAL_MANAGEMENT, Stage.TREATMENT, Stage.CLOSED):
            team.append(("physician", CareTeamRole.ATTENDING_PHYSICIAN))
        if stage in (Stage.WITHDRAWAL_MANAGEMENT, Stage.TREATMENT):
            team.append(("nurse", CareTeamRole.PRIMARY_NURSE))
        if stage == Stage.ASSESSMENT:
            team.append(("admissions", CareTeamRole.ADMISSIONS))
        for username, role in team:
            member = care_team_add(
                actor=self.staff["director"],
                patient=patient,
                user=self.staff[username],
                team_role=role,
            )
            latest = (
                TimelineEvent.objects.filter(patient=patient, kind=TimelineKind.CARE_TEAM)
                .order_by("-pk")
                .first()
            )
            if latest is not None:
                TimelineEvent.objects.filter(pk=latest.pk).update(occurred_at=when)
            CareTeamMember.objects.filter(pk=member.pk).update(created_at=when)


def demo_stories_create(
    staff: list[User], progress: Callable[[int], None] | None = None, seed: int = DEMO_SEED
) -> int:
    """Register the demo patients through the services. Return how many were created."""
    people = _People(seed)
    teller = _Storyteller({u.username: u for u in staff}, people.rng)
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


def demo_open_episodes() -> list[EpisodeOfCare]:
    """Return every open episode with its patient, in registration order.

    The instruments and intake demos (in apps that may import records) walk this list
    after the stories, so that their seeded choices repeat on every fresh database.
    """
    return list(
        EpisodeOfCare.objects.filter(ended_at__isnull=True)
        .select_related("patient")
        .order_by("patient_id", "pk")
    )


def demo_stage_windows(episode: EpisodeOfCare) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Return when ``episode`` entered and left each stage it has been at (now: still there)."""
    moves = list(StageTransition.objects.filter(episode=episode).order_by("moved_at", "pk"))
    ends = [m.moved_at for m in moves[1:]] + [timezone.now()]
    return {m.to_stage: (m.moved_at, end) for m, end in zip(moves, ends, strict=True)}


def demo_latest_entry_backdate(patient: Patient, when: dt.datetime) -> None:
    """Move the newest timeline entry of ``patient`` (one a service just added) to ``when``."""
    latest = TimelineEvent.objects.filter(patient=patient).order_by("-pk").first()
    if latest is not None:
        TimelineEvent.objects.filter(pk=latest.pk).update(occurred_at=when)


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
# Open patients per synthetic staff member of each clinical role.
BULK_CASELOADS: dict[str, tuple[float, int]] = {
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


def _bulk_staff(staff: dict[str, User], patients: int, fake: Faker) -> tuple[dict, int]:
    """Return user ids per clinical role (the demo user first) and how many were created.

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
        role: [next(u.pk for u in staff.values() if u.role == role)] + [ids[n] for n in names]
        for role, names in usernames.items()
    }
    return pools, len(wanted)


class _BulkBuilder:
    """Build one batch of synthetic patients with their episodes, teams and timelines."""

    def __init__(self, staff: dict[str, User], pools: dict[str, list[int]], seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (fictional data, not security)
        fake = Faker("en_US")
        fake.seed_instance(seed)
        self.given_f = list({fake.first_name_female() for _ in range(400)})
        self.given_m = list({fake.first_name_male() for _ in range(400)})
        self.family = list({fake.last_name() for _ in range(1500)})
        self.streets = [fake.street_address() for _ in range(500)]
        self.places = [(fake.city(), fake.state_abbr(), fake.zipcode()) for _ in range(300)]
        self.teller = _Storyteller(staff, self.rng)
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
            self.teller.plan(self.rng.choices(self.stories, self.weights)[0]) for _ in patients
        ]
        # Episodes: a first episode for everyone, then readmissions pointing back at it.
        rounds: list[list[tuple[EpisodeOfCare, Patient, list]]] = [[], []]
        for patient, plan in zip(patients, plans, strict=True):
            starts = [i for i, step in enumerate(plan) if step[0] != "move"]
            for number, begin in enumerate(starts):
                end = starts[number + 1] if number + 1 < len(starts) else len(plan)
                steps = plan[begin:end]
                last = steps[-1]
                closed = last[1] == Stage.CLOSED
                episode = EpisodeOfCare(
                    patient=patient,
                    stage=last[1],
                    started_at=_ago(steps[0][3]),
                    stage_changed_at=_ago(last[3]),
                    ended_at=_ago(last[3]) if closed else None,
                    discharge_type=last[2],
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
        for episode, patient, steps in rounds[0] + rounds[1]:
            step_episodes.setdefault(patient.pk, []).extend([episode] * len(steps))
        members: list[CareTeamMember] = []
        for patient, plan in zip(patients, plans, strict=True):
            self._team(patient, step_episodes[patient.pk][-1], members)
            self._entries(patient, step_episodes[patient.pk], plan, events, timeline)
        StageTransition.objects.bulk_create(transitions)
        CareTeamMember.objects.bulk_create(members)
        TimelineEvent.objects.bulk_create(timeline, batch_size=BULK_BATCH)
        counts.transitions, counts.care_team = len(transitions), len(members)
        counts.timeline = len(timeline)
        return counts

    def _history(self, episode, patient, steps, transitions, timeline) -> None:
        previous = ""
        for action, stage, discharge, ago in steps:
            when = _ago(ago)
            if action == "move":
                username, reason = MOVE_BY[stage]
                reason = DischargeType(discharge).label if discharge else reason
                summary = f"{Stage(previous).label} → {Stage(stage).label}: {reason}"
                kind = TimelineKind.STAGE_CHANGED
            else:
                username = "admissions"
                reason = "First contact" if action == "register" else "Readmission: called again"
                summary = f"Episode opened at {Stage(stage).label}: {reason}"
                kind = TimelineKind.EPISODE_OPENED
                if action == "register":
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
                    to_stage=stage,
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
            previous = stage

    def _team(self, patient, episode, members) -> None:
        stage, open_ = episode.stage, episode.ended_at is None
        roles: list[tuple[str, str]] = []
        if stage != Stage.INQUIRY:
            roles.append((Role.COUNSELOR, CareTeamRole.PRIMARY_COUNSELOR))
        if stage in (Stage.WITHDRAWAL_MANAGEMENT, Stage.TREATMENT):
            roles.append((Role.NURSE, CareTeamRole.PRIMARY_NURSE))
            roles.append((Role.PHYSICIAN, CareTeamRole.ATTENDING_PHYSICIAN))
        for role, team_role in roles:
            members.append(
                CareTeamMember(
                    patient=patient,
                    user_id=self.next_member(role, open_),
                    team_role=team_role,
                    active=open_,
                )
            )

    def _entries(self, patient, episodes, plan, events, timeline) -> None:
        times = [_ago(step[3]) for step in plan] + [timezone.now()]
        for _ in range(events):
            index = self.rng.randrange(len(plan))
            stage = plan[index][1]
            kind, summary = self.rng.choice(STAGE_ENTRIES[stage])
            span = (times[index + 1] - times[index]).total_seconds()
            actor = "nurse" if stage == Stage.WITHDRAWAL_MANAGEMENT else "counselor"
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
            done = builder.build(first + offset, size, events_per_patient)
        for field in ("patients", "episodes", "transitions", "care_team", "timeline"):
            setattr(counts, field, getattr(counts, field) + getattr(done, field))
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
