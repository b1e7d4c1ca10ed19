"""Reads for the dashboard, chart and search. Patient reads go through privacy gates."""

import dataclasses
import datetime as dt
import re

from django.db.models import Q, QuerySet
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import ROLE_STAGE_COVERAGE
from openrecovery.core.prepared import PreparedQuery
from openrecovery.core.templatetags.links import url_parts
from openrecovery.instruments.selectors import alerts_unacknowledged
from openrecovery.privacy.gates import PatientAccess, patients_visible_to
from openrecovery.records.choices import Stage, TimelineKind
from openrecovery.records.identifiers import birth_date_parse, mrn_format
from openrecovery.records.models import (
    CareTeamMember,
    ClinicalAlert,
    EpisodeOfCare,
    Patient,
    StageTransition,
    TimelineEvent,
)

from .dashboard import Card, card_for, with_card_facts, with_task_badge
from .panels import RenderedPanel, chart_panels, chart_panels_episode_related
from .pathway import RiskLine, TaskRow, chart_tasks, precaution_steps_left, risk_line

DASHBOARD_LIMIT = 200
COVERAGE_LIMIT = 50
TIMELINE_PAGE = 50
SEARCH_LIMIT = 50
ALERT_LIMIT = 50
MRN_PATTERN = re.compile(r"^(?:MRN-?)?(\d{1,10})$", re.IGNORECASE)


@dataclasses.dataclass
class StageGroup:
    """One dashboard column: my patients at a stage, then those my role covers there.

    ``cards`` (chart.dashboard.Card) are what the column shows, mine first; ``count`` is
    how many patients it shows.
    """

    stage: str
    label: str
    episodes: list[EpisodeOfCare]
    covered: list[EpisodeOfCare] = dataclasses.field(default_factory=list)
    cards: list[Card] = dataclasses.field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.cards)


# My patients' open episodes with what their cards show, compiled once per connection
# (core/prepared.py).
_DASHBOARD_MINE = PreparedQuery(
    lambda user_id: with_card_facts(
        EpisodeOfCare.objects.filter(
            ended_at__isnull=True,
            patient__care_team__user_id=user_id,
            patient__care_team__active=True,
        )
    ).order_by("-stage_changed_at")[:DASHBOARD_LIMIT]
)


def dashboard_groups(
    user: User, now: dt.datetime | None = None
) -> tuple[list[StageGroup], list[EpisodeOfCare]]:
    """Return one column a stage (my patients' open episodes, then the ones my role
    covers), and the covered episodes (at most COVERAGE_LIMIT, newest first).

    ``now`` is the page's clock (what is overdue); the current time by default.
    """
    if not user.has_perm("records.view_chart"):
        return [], []
    mine = _DASHBOARD_MINE.fetch(user_id=user.pk)
    coverage = ROLE_STAGE_COVERAGE.get(user.role, frozenset()) - {Stage.CLOSED}
    covered: list[EpisodeOfCare] = []
    if coverage:
        mine_ids = [e.pk for e in mine]
        covered = list(
            with_card_facts(
                EpisodeOfCare.objects.filter(ended_at__isnull=True, stage__in=coverage).exclude(
                    pk__in=mine_ids
                )
            ).order_by("-stage_changed_at")[:COVERAGE_LIMIT]
        )
    now = now or timezone.now()
    today, url = timezone.localdate(now), url_parts("chart:chart")
    groups = []
    for stage in Stage:
        if stage == Stage.CLOSED:
            continue
        group = StageGroup(
            stage.value,
            stage.label,
            [e for e in mine if e.stage == stage],
            [e for e in covered if e.stage == stage],
        )
        group.cards = [card_for(e, today, covered=False, url=url, now=now) for e in group.episodes]
        others = [card_for(e, today, covered=True, url=url, now=now) for e in group.covered]
        if others:
            others[0].first_covered = True
        group.cards += others
        groups.append(group)
    return groups, covered


def dashboard_alerts(user: User) -> list[ClinicalAlert]:
    """Return my unacknowledged alerts about patients I may still see (one query)."""
    if not user.has_perm("records.view_chart"):
        return []
    return alerts_unacknowledged(user, patients_visible_to(user), ALERT_LIMIT)


@dataclasses.dataclass(frozen=True)
class TimelineRow:
    """A timeline event as the chart shows it, formatted once in Python (not per row in
    the template): its time in the current time zone, kind label, summary and actor."""

    pk: int
    patient_id: int
    iso: str  # ISO 8601, for <time datetime>
    when: str  # YYYY-MM-DD HH:MM
    kind: str
    summary: str
    actor: str  # "" when no one is recorded


@dataclasses.dataclass
class Chart:
    patient: Patient
    basis: str | None
    episode: EpisodeOfCare | None
    episodes: list[EpisodeOfCare]
    transitions: list[StageTransition]
    care_team: list[CareTeamMember]
    timeline: list[TimelineRow]
    timeline_more: bool
    panels: list[RenderedPanel] = dataclasses.field(default_factory=list)
    # The suicide-risk pathway: the header's risk level and the banner's open tasks.
    risk: RiskLine | None = None
    tasks: list[TaskRow] = dataclasses.field(default_factory=list)
    # Steps left on an open immediate safety precautions checklist (0: none open).
    precautions_left: int = 0


# What a timeline row shows, read as values: no event or account objects are built.
_TIMELINE_VALUES = (
    "pk",
    "patient_id",
    "kind",
    "occurred_at",
    "summary",
    "actor__first_name",
    "actor__last_name",
    "actor__username",
)


_TIMELINE_FIRST = PreparedQuery(
    lambda patient_id: (
        TimelineEvent.objects.filter(patient_id=patient_id)
        .order_by("-occurred_at", "-id")
        .values_list(*_TIMELINE_VALUES)[: TIMELINE_PAGE + 1]
    )
)


def timeline_page(patient: Patient, before_id: int | None = None) -> tuple[list[TimelineRow], bool]:
    """Return up to TIMELINE_PAGE timeline rows (newest first) and whether more exist."""
    page = None
    if before_id is not None:
        anchor = TimelineEvent.objects.filter(patient=patient, pk=before_id).first()
        if anchor is not None:
            events = TimelineEvent.objects.filter(patient=patient).filter(
                Q(occurred_at__lt=anchor.occurred_at)
                | Q(occurred_at=anchor.occurred_at, pk__lt=anchor.pk)
            )
            page = list(
                events.order_by("-occurred_at", "-id").values_list(*_TIMELINE_VALUES)[
                    : TIMELINE_PAGE + 1
                ]
            )
    if page is None:  # the first page, on every chart view: prepared once
        page = _TIMELINE_FIRST.fetch(patient_id=patient.pk)
    labels = dict(TimelineKind.choices)
    rows = []
    for pk, patient_id, kind, occurred_at, summary, first, last, username in page[:TIMELINE_PAGE]:
        when = timezone.localtime(occurred_at)
        rows.append(
            TimelineRow(
                pk=pk,
                patient_id=patient_id,
                iso=when.isoformat(),
                when=when.strftime("%Y-%m-%d %H:%M"),
                kind=str(labels.get(kind, kind)),
                summary=summary,
                actor=User.display_name_of(first, last, username) if username is not None else "",
            )
        )
    return rows, len(page) > TIMELINE_PAGE


# What the chart shows of a stage transition (its mover is read by name only).
TRANSITION_FIELDS = ("episode_id", "from_stage", "to_stage", "reason", "moved_at")


# The chart's reads, compiled once per connection (core/prepared.py).
_CHART_EPISODES = PreparedQuery(
    lambda patient_id: (
        EpisodeOfCare.objects.filter(patient_id=patient_id)
        .select_related(*chart_panels_episode_related())
        .order_by("-started_at")
    )
)
_CHART_TRANSITIONS = PreparedQuery(
    lambda episode_id: (
        StageTransition.objects.filter(episode_id=episode_id)
        .select_related("moved_by")
        .only(*TRANSITION_FIELDS, *User.name_fields("moved_by"))
        .order_by("-moved_at")
    )
)
_CHART_CARE_TEAM = PreparedQuery(
    lambda patient_id: (
        CareTeamMember.objects.filter(patient_id=patient_id, active=True)
        .select_related("user")
        .only("patient_id", "team_role", "active", *User.name_fields("user"))
        .order_by("team_role")
    )
)


def chart_for(
    access: PatientAccess, user: User | None = None, now: dt.datetime | None = None
) -> Chart:
    """Assemble the chart of a patient whose access gate the caller has passed.

    ``now`` is the page's clock (the risk level's age, overdue tasks).
    """
    patient = access.patient
    now = now or timezone.now()
    episodes = _CHART_EPISODES.fetch(patient_id=patient.pk)
    episode = episodes[0] if episodes else None
    transitions = _CHART_TRANSITIONS.fetch(episode_id=episode.pk) if episode else []
    care_team = _CHART_CARE_TEAM.fetch(patient_id=patient.pk)
    timeline, more = timeline_page(patient)
    stage = episode.stage if episode is not None and episode.is_open else None
    return Chart(
        patient=patient,
        basis=access.basis,
        panels=chart_panels(user, access, episode) if user is not None else [],
        episode=episode,
        episodes=episodes,
        transitions=transitions,
        care_team=care_team,
        timeline=timeline,
        timeline_more=more,
        risk=risk_line(patient.pk, stage, now),
        tasks=chart_tasks(patient.pk, user, now),
        precautions_left=precaution_steps_left(patient.pk),
    )


def patient_search(user: User, query: str) -> QuerySet[Patient]:
    """Find visible patients by MRN, date of birth (see birth_date_parse) or name.

    Eight digits that spell a date (05061967) find that birth date and that MRN number.
    Each patient carries its open tasks' badge value (``row_task``, dashboard.task_badge).
    """
    query = query.strip()
    visible = with_task_badge(patients_visible_to(user))
    if not query:
        return visible.none()
    born = birth_date_parse(query)
    mrn = MRN_PATTERN.match(query)
    if born is not None:
        same = Q(date_of_birth=born)
        if mrn and query.isdigit():
            same |= Q(mrn=mrn_format(int(mrn.group(1))))
        return visible.filter(same).order_by("search_family")[:SEARCH_LIMIT]
    if mrn:
        return visible.filter(mrn=mrn_format(int(mrn.group(1))))[:1]
    condition = Q()
    for word in query.lower().replace(",", " ").split()[:3]:
        condition &= Q(search_family__startswith=word) | Q(search_given__startswith=word)
    return visible.filter(condition).order_by("search_family", "search_given")[:SEARCH_LIMIT]
