"""Fictional instrument administrations for the demo patients (``manage.py demo_data``).

Every administration goes through ``administration_record``: the engine scores it, it is
audited, it adds a timeline entry and its flags raise their alerts. Only then are its
``administered_at`` and that timeline entry moved back in time, so that the trends page
shows months of history; the audit log keeps the true time of the load.

- Treatment and aftercare patients: a PHQ-9 and a GAD-7 at intake, then every 2-4 weeks
  from the start of treatment (every 4-8 weeks in aftercare), most of them improving.
  PHQ-9 item 9 is 0 for everyone but one treatment patient of the demo counselor, whose
  latest PHQ-9 answers it "several days" and whose C-SSRS screener that follows is high
  risk: the one urgent alert of the demo, unacknowledged, for that patient's care team.
- Withdrawal-management patients: a CIWA-B every 4-8 hours since admission, falling from
  moderate to mild.
- About half the patients past inquiry: a DAST-10 and a TAPS-1 during their assessment.

Answers are drawn (seeded) to match a severity the story wants; totals, bands and flags
always come from the engine. The patient's own nurse gives the CIWA-B, their counselor
the rest (the demo nurse or counselor when the team has none).
"""

import dataclasses
import datetime as dt
import random
from collections.abc import Callable, Sequence

from django.db import transaction
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.instruments.models import Administration
from openrecovery.instruments.services import OBJECT_TYPE, administration_record
from openrecovery.records.choices import Stage
from openrecovery.records.models import ClinicalAlert, EpisodeOfCare

from .backdating import (
    demo_stage_windows,
    follow_up_backdate,
    new_entries_backdate,
    timeline_mark,
)
from .people import DEMO_SEED
from .staff import USERNAME_OF_ROLE, demo_care_team

DEMO_INSTRUMENTS_SEED = DEMO_SEED + 1
SERIES_MAX = 16  # PHQ-9/GAD-7 administrations per patient
TREATMENT_GAP_DAYS = (14, 28)
AFTERCARE_GAP_DAYS = (28, 56)
CIWAB_GAP_HOURS = (4, 8)
SCREEN_SHARE = 0.5  # patients past inquiry who had a DAST-10 and TAPS-1 at assessment
# C-SSRS screener: wished dead, thoughts, method, intent (high risk); no behaviour.
CSSRS_HIGH = [1, 1, 1, 1, 0, 0, None]


@dataclasses.dataclass
class AdministrationCounts:
    """Administrations ``demo_administrations_create`` recorded, by instrument code."""

    by_code: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_code.values())


def answers_near(rng: random.Random, target: int, items: int, top: int) -> list[int]:
    """Return ``items`` answers of 0..``top`` whose points add up to ``target`` (clamped).

    Points are spread at random, so two administrations with one severity differ.
    """
    answers = [0] * items
    for _ in range(max(0, min(target, items * top))):
        open_ = [i for i, a in enumerate(answers) if a < top]
        answers[rng.choice(open_)] += 1
    return answers


def course(
    rng: random.Random, count: int, start: float, end: float, noise: float, top: int
) -> list[int]:
    """Return ``count`` targets easing from ``start`` to ``end`` with seeded noise."""
    if count == 1:
        return [round(start)]
    values = []
    for step in range(count):
        eased = 1 - (1 - step / (count - 1)) ** 2  # most change early, then a plateau
        value = start + (end - start) * eased + rng.uniform(-noise, noise)
        values.append(max(0, min(top, round(value))))
    return values


class _Clinic:
    """Record administrations through the service, then backdate them."""

    def __init__(self, staff: dict[str, User], seed: int) -> None:
        self.staff = staff
        self.rng = random.Random(seed)  # noqa: S311 (fictional data, not security)
        self.counts = AdministrationCounts()
        self.team: dict[str, User] = {}  # the care team of the episode being recorded

    def give(
        self, episode: EpisodeOfCare, code: str, answers: Sequence[int | None], when: dt.datetime
    ) -> Administration:
        patient = episode.patient
        role = Role.NURSE if code == "ciwab" else Role.COUNSELOR
        actor = self.team.get(role) or self.staff[USERNAME_OF_ROLE[role]]
        mark = timeline_mark()
        administration = administration_record(
            actor=actor, patient=patient, code=code, answers=answers
        )
        Administration.objects.filter(pk=administration.pk).update(administered_at=when)
        new_entries_backdate(patient, mark, when)
        follow_up_backdate(administration, when)
        self.counts.by_code[code] = self.counts.by_code.get(code, 0) + 1
        return administration

    def screens(self, episode: EpisodeOfCare, windows: dict) -> None:
        """Give a DAST-10 and a TAPS-1 during the assessment stage."""
        entered, left = windows[Stage.ASSESSMENT]
        span = left - entered
        when = entered + span * self.rng.uniform(0.2, 0.5)
        rng = self.rng
        # Mostly prescription sedatives: items 1, 5 and 9 yes, item 3 (able to stop) no.
        dast = [1, int(rng.random() < 0.4), 0, int(rng.random() < 0.2), 1]
        dast += [int(rng.random() < 0.6), int(rng.random() < 0.3), int(rng.random() < 0.15)]
        dast += [1, int(rng.random() < 0.25)]
        self.give(episode, "dast10", dast, when)
        taps = [rng.choice((0, 0, 3, 4)), rng.choice((0, 0, 1, 2)), rng.choice((0, 0, 0, 1))]
        taps.append(rng.choice((3, 4)))
        self.give(episode, "taps1", taps, when + dt.timedelta(minutes=rng.randint(5, 20)))

    def withdrawal(self, episode: EpisodeOfCare, windows: dict) -> None:
        """Give a CIWA-B every 4-8 hours since admission, moderate falling to mild."""
        entered, _ = windows[Stage.WITHDRAWAL_MANAGEMENT]
        times = []
        when = entered + dt.timedelta(hours=self.rng.uniform(0.5, 2))
        while when < timezone.now():
            times.append(when)
            when += dt.timedelta(hours=self.rng.uniform(*CIWAB_GAP_HOURS))
        start, end = self.rng.uniform(24, 34), self.rng.uniform(4, 12)
        for when, target in zip(
            times, course(self.rng, len(times), start, end, 3, 40), strict=True
        ):
            observer = answers_near(self.rng, round(target * 0.15), 3, 4)
            asked = answers_near(self.rng, max(1, target - sum(observer)), 17, 4)
            self.give(episode, "ciwab", asked + observer, when)

    def measurement(self, episode: EpisodeOfCare, windows: dict, at_risk: bool) -> None:
        """Give a PHQ-9 and a GAD-7 at intake and every few weeks since treatment began."""
        treatment_start, _ = windows[Stage.TREATMENT]
        aftercare_start = windows.get(Stage.AFTERCARE, (timezone.now(),))[0]
        latest = timezone.now() - dt.timedelta(days=1)
        times = []
        if Stage.ASSESSMENT in windows:  # the baseline, at intake
            entered, left = windows[Stage.ASSESSMENT]
            times.append(entered + (left - entered) * self.rng.uniform(0.3, 0.7))
        when = treatment_start + dt.timedelta(days=self.rng.uniform(1, 3))
        while when < latest and len(times) < SERIES_MAX:
            times.append(when)
            gap = AFTERCARE_GAP_DAYS if when >= aftercare_start else TREATMENT_GAP_DAYS
            when += dt.timedelta(days=self.rng.uniform(*gap))
        if times:
            self.series(episode, times, improving=not at_risk and self.rng.random() < 0.8)
        if at_risk:
            self.urgent(episode)

    def series(self, episode: EpisodeOfCare, times: list[dt.datetime], improving: bool) -> None:
        """Give the PHQ-9 and GAD-7 at ``times``: improving, or flat."""
        for code, items, (low, high) in (("phq9", 9, (12, 20)), ("gad7", 7, (10, 17))):
            start = self.rng.uniform(low, high)
            end = start * (self.rng.uniform(0.2, 0.45) if improving else self.rng.uniform(0.8, 1))
            targets = course(self.rng, len(times), start, end, 1.5, 3 * items)
            for when, target in zip(times, targets, strict=True):
                offset = dt.timedelta(minutes=10 if code == "gad7" else 0)
                self.give(episode, code, self._answers(code, target, items), when + offset)

    def _answers(self, code: str, target: int, items: int) -> list[int]:
        if code == "gad7":
            return answers_near(self.rng, target, items, 3)
        # PHQ-9: item 9 (thoughts of self-harm) stays 0; item 10 (difficulty) is unscored.
        answers = answers_near(self.rng, target, 8, 3) + [0]
        return answers + [min(3, target // 6)]

    def urgent(self, episode: EpisodeOfCare) -> None:
        """Give a worse PHQ-9 with item 9 positive, then the C-SSRS it prompts: high risk."""
        when = timezone.now() - dt.timedelta(hours=self.rng.uniform(2, 6))
        phq9 = answers_near(self.rng, 15, 8, 3) + [1, 2]
        self.give(episode, "phq9", phq9, when)
        asked = when + dt.timedelta(minutes=12)
        screener = self.give(episode, "cssrs", CSSRS_HIGH, asked)
        ClinicalAlert.objects.filter(source_type=OBJECT_TYPE, source_id=str(screener.pk)).update(
            created_at=asked
        )


def demo_administrations_create(
    *,
    staff: list[User],
    episodes: list[EpisodeOfCare],
    progress: Callable[[int], None] | None = None,
    seed: int = DEMO_INSTRUMENTS_SEED,
) -> AdministrationCounts:
    """Record the demo patients' instrument history on their open ``episodes``.

    Call once, after ``demo_stories_create``; ``progress`` is called once per episode.
    """
    clinic = _Clinic({u.username: u for u in staff}, seed)
    counselor = clinic.staff[USERNAME_OF_ROLE[Role.COUNSELOR]]
    at_risk_chosen = False
    with transaction.atomic():
        for episode in episodes:
            clinic.team = demo_care_team(episode.patient)
            windows = demo_stage_windows(episode)
            if Stage.ASSESSMENT in windows and clinic.rng.random() < SCREEN_SHARE:
                clinic.screens(episode, windows)
            if episode.stage == Stage.WITHDRAWAL_MANAGEMENT:
                clinic.withdrawal(episode, windows)
            measured = (Stage.TREATMENT, Stage.AFTERCARE)
            if episode.stage in measured:
                # The one at risk is the demo counselor's, who signs in to find the alert.
                theirs = clinic.team.get(Role.COUNSELOR) == counselor
                at_risk = episode.stage == Stage.TREATMENT and theirs and not at_risk_chosen
                at_risk_chosen = at_risk_chosen or at_risk
                clinic.measurement(episode, windows, at_risk)
            if progress:
                progress(1)
    return clinic.counts
