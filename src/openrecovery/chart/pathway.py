"""The suicide-risk pathway as the chart and the dashboards show it.

The chart header shows the patient's current risk level with its age, who assessed it
and whether it is due again; the chart's banner and the care team's dashboards list the
open tasks (a C-SSRS owed, a consult, a safety plan owed, a caring contact) with their due
times. A task past its due time is overdue: it shows red and says so in words. Every
read here runs a fixed number of queries, whatever the number of patients or tasks, and
the chart's are prepared queries (core/prepared.py). Times are formatted once in
Python against one clock a page (``now``), which tests pass in.
"""

import dataclasses
import datetime as dt

from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.core.prepared import PreparedQuery
from openrecovery.core.templatetags.links import url_for_id, url_parts
from openrecovery.records.choices import TaskKind, TaskStatus
from openrecovery.records.models import ClinicalTask
from openrecovery.safety.choices import RiskLevel
from openrecovery.safety.models import PrecautionStep, RiskAssessment
from openrecovery.safety.services import CSSRS
from openrecovery.safety.triage import rescreen_due, rescreen_interval

# Closing pathway work (a C-SSRS that cannot be done, a consult, a caring contact) is a
# clinician's act: the roles that write safety plans with patients.
CLOSE_TASK_PERMISSION = "safety.edit_safety_plan"
ADMINISTER_PERMISSION = "instruments.administer_instrument"
NOT_ASSESSED = "Not assessed"
OVERDUE = "Overdue"
RESCREEN_DUE = "Re-screen due"
DASHBOARD_TASK_LIMIT = 50
TASK_LABELS = {str(code): str(label) for code, label in TaskKind.choices}
RISK_LABELS = {str(code): str(label) for code, label in RiskLevel.choices}
# Bootstrap's contextual colour of each level (the level is always written out too).
RISK_BADGES = {
    RiskLevel.NONE: "text-bg-success",
    RiskLevel.LOW: "text-bg-info",
    RiskLevel.MODERATE: "text-bg-warning",
    RiskLevel.HIGH: "text-bg-danger",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- time in words ------------------------------------------------------------------------


def _span(delta: dt.timedelta) -> str:
    seconds = abs(delta.total_seconds())
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'' if n == 1 else 's'}"
    return ""


def age_label(moment: dt.datetime, now: dt.datetime) -> str:
    """Return how long ago ``moment`` was: "just now", "5 minutes ago", "3 days ago"."""
    span = _span(now - moment) if moment <= now else ""
    return f"{span} ago" if span else "just now"


def relative_label(moment: dt.datetime, now: dt.datetime) -> str:
    """Return "in 45 minutes" for a moment to come, "2 hours ago" for one past."""
    if moment > now:
        span = _span(moment - now)
        return f"in {span}" if span else "now"
    return age_label(moment, now)


def exact_label(moment: dt.datetime) -> str:
    """Return the local date and time, "2026-12-02 14:05" (for titles)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def when_label(moment: dt.datetime, now: dt.datetime) -> str:
    """Return "today 15:30", "tomorrow 09:00", "yesterday 18:00", "Dec 9, 09:00" or,
    in another year, "Jan 11, 2027 09:00"."""
    local, today = timezone.localtime(moment), timezone.localtime(now).date()
    clock = local.strftime("%H:%M")
    days = (local.date() - today).days
    named = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(days)
    if named:
        return f"{named} {clock}"
    day = f"{MONTHS[local.month - 1]} {local.day}"
    if local.year != today.year:
        return f"{day}, {local.year} {clock}"
    return f"{day}, {clock}"


def is_overdue(due_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Return whether a task due at ``due_at`` is overdue at ``now`` (never without a due)."""
    return due_at is not None and due_at < now


# --- the chart header: the current risk level ----------------------------------------------


@dataclasses.dataclass(frozen=True)
class RiskLine:
    """The chart header's risk level: level, age, assessor and whether it is due again."""

    level: str  # a RiskLevel code, or "" when never assessed
    label: str
    badge: str  # the badge's colour class
    iso: str = ""
    exact: str = ""
    age: str = ""
    assessor: str = ""
    due: bool = False
    interval_days: int = 0


_CHART_RISK = PreparedQuery(
    lambda patient_id: (
        RiskAssessment.objects.filter(patient_id=patient_id)
        .select_related("assessed_by")
        .only("patient_id", "level", "assessed_at", *User.name_fields("assessed_by"))
        .order_by("-assessed_at", "-id")[:1]
    )
)


def risk_line(patient_id: int, stage: str | None, now: dt.datetime) -> RiskLine:
    """Return the current risk level of a patient whose gate the caller passed (one query).

    ``stage`` is the stage of the open episode (None without one): whether an old level
    is due again depends on it (``safety.triage.rescreen_due``).
    """
    found = _CHART_RISK.fetch(patient_id=patient_id)
    if not found:
        return RiskLine("", NOT_ASSESSED, "text-bg-secondary")
    risk = found[0]
    return RiskLine(
        level=risk.level,
        label=RISK_LABELS.get(risk.level, risk.level),
        badge=RISK_BADGES.get(risk.level, "text-bg-secondary"),
        iso=timezone.localtime(risk.assessed_at).isoformat(),
        exact=exact_label(risk.assessed_at),
        age=age_label(risk.assessed_at, now),
        assessor=str(risk.assessed_by),
        due=rescreen_due(assessed_at=risk.assessed_at, stage=stage, now=now),
        interval_days=rescreen_interval().days,
    )


# --- immediate safety precautions --------------------------------------------------------

_PRECAUTION_STEPS_LEFT = PreparedQuery(
    lambda patient_id: PrecautionStep.objects.filter(
        checklist__patient_id=patient_id,
        checklist__completed_at__isnull=True,
        completed_at__isnull=True,
    ).values_list("pk")
)


def precaution_steps_left(patient_id: int) -> int:
    """Return the steps not yet done on the patient's open precautions checklist (one query).

    Zero when no checklist is open: a checklist completes with its last step.
    """
    return len(_PRECAUTION_STEPS_LEFT.fetch(patient_id=patient_id))


# --- open tasks ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TaskLink:
    """A link that does or closes a task: its text and URL."""

    text: str
    url: str


@dataclasses.dataclass(frozen=True)
class TaskRow:
    """An open task as a list shows it, formatted once: kind, due time, overdue, links."""

    pk: int
    patient_id: int
    kind: str
    label: str
    due_iso: str
    due_exact: str
    due_text: str  # "due today 15:30 (in 45 minutes)", "" without a due time
    overdue: bool
    assignee: str = ""
    patient_name: str = ""
    chart_url: str = ""
    do: TaskLink | None = None  # what closes it as done (the C-SSRS, the safety plan)
    close: TaskLink | None = None  # the close page: could not be done, or the call's outcome


def due_text(due_at: dt.datetime | None, now: dt.datetime) -> str:
    """Return "due today 15:30 (in 45 minutes)", or "was due ... (2 hours ago)" past it."""
    if due_at is None:
        return ""
    verb = "was due" if is_overdue(due_at, now) else "due"
    return f"{verb} {when_label(due_at, now)} ({relative_label(due_at, now)})"


def _links(
    task: ClinicalTask, user: User | None, task_close_url: str
) -> tuple[TaskLink | None, TaskLink | None]:
    """Return the task's "do" link and its close link, for what ``user`` may do."""
    do = None
    if (
        task.kind == TaskKind.CSSRS_OWED
        and user is not None
        and user.has_perm(ADMINISTER_PERMISSION)
    ):
        do = TaskLink(
            "Record the C-SSRS", reverse("instruments:administer", args=[task.patient_id, CSSRS])
        )
    elif task.kind == TaskKind.SAFETY_PLAN_OWED:
        do = TaskLink("Write the safety plan", url_for_id("safety:plan", task.patient_id))
    elif task.kind == TaskKind.PLAN_REVIEW:
        do = TaskLink("Review the plan", url_for_id("treatment:plan", task.patient_id) + "#review")
    close = None
    if user is not None and user.has_perm(CLOSE_TASK_PERMISSION):
        text = {
            TaskKind.CARING_CONTACT: "Record the call",
            TaskKind.BH_CONSULT: "Record the consult",
        }.get(TaskKind(task.kind), "Close as not done")
        close = TaskLink(text, task_close_url)
    return do, close


_CHART_TASKS = PreparedQuery(
    lambda patient_id: (
        ClinicalTask.objects.filter(patient_id=patient_id, status=TaskStatus.OPEN)
        .select_related("assigned_to")
        .only("patient_id", "kind", "due_at", "opened_at", *User.name_fields("assigned_to"))
        .order_by("due_at", "opened_at", "id")
    )
)


def chart_tasks(patient_id: int, user: User | None, now: dt.datetime) -> list[TaskRow]:
    """Return the open tasks of a patient whose gate the caller passed (one query)."""
    rows = []
    for task in _CHART_TASKS.fetch(patient_id=patient_id):
        close_url = reverse("chart:task_close", args=[patient_id, task.pk])
        do, close = _links(task, user, close_url)
        rows.append(
            TaskRow(
                pk=task.pk,
                patient_id=patient_id,
                kind=task.kind,
                label=TASK_LABELS.get(task.kind, task.kind),
                due_iso=timezone.localtime(task.due_at).isoformat() if task.due_at else "",
                due_exact=exact_label(task.due_at) if task.due_at else "",
                due_text=due_text(task.due_at, now),
                overdue=is_overdue(task.due_at, now),
                assignee=str(task.assigned_to) if task.assigned_to_id else "",
                do=do,
                close=close,
            )
        )
    rows.sort(key=lambda r: (not r.overdue, r.due_iso == "", r.due_iso))
    return rows


# My patients' open tasks, for the dashboard (compiled once per connection).
_MY_TASKS = PreparedQuery(
    lambda user_id: (
        ClinicalTask.objects.filter(
            status=TaskStatus.OPEN,
            patient__care_team__user_id=user_id,
            patient__care_team__active=True,
        )
        .select_related("patient")
        .only(
            "patient_id",
            "kind",
            "due_at",
            "opened_at",
            "patient__legal_given_name",
            "patient__legal_family_name",
            "patient__preferred_name",
            "patient__mrn",
        )
        .order_by("due_at", "opened_at", "id")[:DASHBOARD_TASK_LIMIT]
    )
)


def dashboard_tasks(user: User, now: dt.datetime) -> list[TaskRow]:
    """Return the open tasks of the patients on whose care team ``user`` is (one query).

    Care-team members always pass the patients' access gate, so the list needs no other.
    At most DASHBOARD_TASK_LIMIT, soonest due first; overdue ones first of all.
    """
    if not user.has_perm("records.view_chart"):
        return []
    head, tail = url_parts("chart:chart")
    rows = []
    for task in _MY_TASKS.fetch(user_id=user.pk):
        rows.append(
            TaskRow(
                pk=task.pk,
                patient_id=task.patient_id,
                kind=task.kind,
                label=TASK_LABELS.get(task.kind, task.kind),
                due_iso=timezone.localtime(task.due_at).isoformat() if task.due_at else "",
                due_exact=exact_label(task.due_at) if task.due_at else "",
                due_text=due_text(task.due_at, now),
                overdue=is_overdue(task.due_at, now),
                patient_name=task.patient.display_name,
                chart_url=f"{head}{task.patient_id}{tail}",
            )
        )
    rows.sort(key=lambda r: not r.overdue)  # stable: soonest due within each group
    return rows
