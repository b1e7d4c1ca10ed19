"""What each dashboard card says: level of care, the score its stage watches, alert, task.

The facts travel with the episodes' own query (a join for the intake, one correlated
subquery each for the newest score, the most urgent open alert and the most urgent open
pathway task), so the dashboard's query count does not grow with its cards; ``card_for``
then formats each card once in Python. Search results carry the same task badge.
"""

import dataclasses
import datetime as dt
import functools

from django.db import connection
from django.db.models import F, Field, Model, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from openrecovery.assessment.choices import AssessmentStatus, LevelOfCare
from openrecovery.core.templatetags.links import url_parts
from openrecovery.instruments.models import Administration
from openrecovery.instruments.registry import instrument_get
from openrecovery.instruments.services import short_name
from openrecovery.records.choices import AlertKind, AlertSeverity, Stage, TaskStatus
from openrecovery.records.models import ClinicalAlert, ClinicalTask, EpisodeOfCare, Patient

from .pathway import TASK_LABELS, is_overdue

# The instruments whose newest result matters at each stage (none yet at inquiry).
STAGE_SCORE_CODES: dict[str, tuple[str, ...]] = {
    Stage.ASSESSMENT: ("dsm5-sedative", "cssrs", "phq9", "gad7", "dast10", "taps1", "taps2"),
    Stage.WITHDRAWAL_MANAGEMENT: ("ciwab",),
    Stage.TREATMENT: ("phq9", "gad7", "bam"),
    Stage.AFTERCARE: ("bam", "phq9", "gad7"),
}
TASK_INTAKE_TO_START = "Intake assessment to start"
TASK_INTAKE_TO_SIGN = "Intake assessment to sign"
ALERT_LABELS = dict(AlertKind.choices)
LEVEL_LABELS = {str(code): str(label) for code, label in LevelOfCare.choices}
# What a card reads of the episode and the patient (nothing else is loaded).
CARD_FIELDS = (
    "stage",
    "stage_changed_at",
    "patient__mrn",
    "patient__legal_given_name",
    "patient__legal_family_name",
    "patient__preferred_name",
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _column(model: type[Model], name: str, table: str | None = None) -> str:
    quote = connection.ops.quote_name
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column  # noqa: S101 (a concrete column)
    return f"{quote(table or model._meta.db_table)}.{quote(field.column)}"


@functools.cache
def _facts_sql() -> tuple[str, list[str], str]:
    """Return the correlated subqueries for a card's score and alert, and the score's params.

    Written once as SQL: the ORM spent longer building these two subqueries on every
    dashboard request than the rest of the page's SQL together (bench/cost.py). Each
    returns one text value ("code|total|band|administered_at", "kind|severity"), which
    works alike on SQLite and PostgreSQL.
    """
    stage, patient = _column(EpisodeOfCare, "stage"), _column(EpisodeOfCare, "patient")
    a = {f: _column(Administration, f) for f in ("id", "patient", "code", "total", "band")}
    a["at"] = _column(Administration, "administered_at")
    conditions, params = [], []
    for stage_value, codes in STAGE_SCORE_CODES.items():
        conditions.append(f"({stage} = %s AND {a['code']} IN ({', '.join(['%s'] * len(codes))}))")
        params += [str(stage_value), *codes]
    # Only quoted table and column names go into the text; values are parameters.
    score = (
        f"SELECT {a['code']} || '|' || COALESCE(CAST({a['total']} AS TEXT), '') || '|' || "  # noqa: S608
        f"{a['band']} || '|' || CAST({a['at']} AS TEXT) "
        f"FROM {connection.ops.quote_name(Administration._meta.db_table)} "
        f"WHERE {a['patient']} = {patient} AND ({' OR '.join(conditions)}) "
        f"ORDER BY {a['at']} DESC, {a['id']} DESC LIMIT 1"
    )
    al = {f: _column(ClinicalAlert, f) for f in ("patient", "kind", "severity", "created_at")}
    alert = (
        f"SELECT {al['kind']} || '|' || {al['severity']} "  # noqa: S608
        f"FROM {connection.ops.quote_name(ClinicalAlert._meta.db_table)} "
        f"WHERE {al['patient']} = {patient} AND {_column(ClinicalAlert, 'resolved_at')} IS NULL "
        f"ORDER BY CASE WHEN {al['severity']} = %s THEN 0 ELSE 1 END, "
        f"{al['created_at']} DESC LIMIT 1"
    )
    return score, params, alert


ALERT_PARAMS = (str(AlertSeverity.URGENT.value),)


@functools.cache
def task_badge_sql(model: type[Model], patient_field: str) -> str:
    """Return a correlated subquery for a row's most urgent open task and the open count.

    One text value, "kind|due_at|count" (due_at empty without one), or NULL when the
    patient has no open task: it travels in the row's own query (``model``'s, whose
    ``patient_field`` holds the patient id), so a list's query count stays fixed.
    """
    outer = _column(model, patient_field)
    table = connection.ops.quote_name(ClinicalTask._meta.db_table)
    t = {f: _column(ClinicalTask, f) for f in ("id", "patient", "kind", "due_at", "status")}
    # The count reads the same table under another name, inside the same value.
    alias = "task_count"
    counted = {f: _column(ClinicalTask, f, alias) for f in ("patient", "status")}
    count = (
        f"SELECT COUNT(*) FROM {table} {connection.ops.quote_name(alias)} "  # noqa: S608
        f"WHERE {counted['patient']} = {outer} AND {counted['status']} = %s"
    )
    # Only quoted table and column names go into the text; values are parameters.
    return (
        f"SELECT {t['kind']} || '|' || COALESCE(CAST({t['due_at']} AS TEXT), '') || '|' || "  # noqa: S608
        f"CAST(({count}) AS TEXT) FROM {table} "
        f"WHERE {t['patient']} = {outer} AND {t['status']} = %s "
        f"ORDER BY CASE WHEN {t['due_at']} IS NULL THEN 1 ELSE 0 END, {t['due_at']}, {t['id']} "
        "LIMIT 1"
    )


TASK_PARAMS = (str(TaskStatus.OPEN.value), str(TaskStatus.OPEN.value))


def _task_annotation(model: type[Model], patient_field: str) -> RawSQL:
    return RawSQL(task_badge_sql(model, patient_field), TASK_PARAMS, output_field=TextField())  # noqa: S611


def with_task_badge(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Add each patient's most urgent open task (``row_task``, see ``task_badge``)."""
    return patients.annotate(row_task=_task_annotation(Patient, "id"))


def task_badge(raw: str | None, now: dt.datetime) -> SafeString:
    """Return the badge of a row's open tasks from ``task_badge_sql``'s value, or "".

    "C-SSRS owed" on amber, or "C-SSRS owed: overdue" on red past its due time (in
    words, not by colour alone), and "+2 more" when others are open.
    """
    if not raw:
        return mark_safe("")  # noqa: S308 (empty)
    kind, due, count = raw.split("|", 2)
    label = TASK_LABELS.get(kind, kind)
    more = int(count) - 1 if count.isdigit() else 0
    extra = format_html(' <span class="small">+{} more</span>', more) if more > 0 else ""
    if due and is_overdue(_moment(due), now):
        badge, label = "text-bg-danger", f"{label}: overdue"
    else:
        badge = "text-bg-warning"
    return format_html(
        '<span class="badge {} task-badge" data-kind="{}">{}</span>{}', badge, kind, label, extra
    )


def with_card_facts(episodes: QuerySet[EpisodeOfCare]) -> QuerySet[EpisodeOfCare]:
    """Add what the cards show to ``episodes``, inside the same query."""
    score, params, alert = _facts_sql()
    return (
        episodes.select_related("patient")
        .only(*CARD_FIELDS)
        .annotate(
            # Two columns of the intake through a join: no intake objects are built.
            card_intake_status=F("intake_assessment__status"),
            card_level=F("intake_assessment__level_of_care"),
            card_score=RawSQL(score, params, output_field=TextField()),  # noqa: S611
            card_alert=RawSQL(alert, ALERT_PARAMS, output_field=TextField()),  # noqa: S611
            card_task=_task_annotation(EpisodeOfCare, "patient"),
        )
    )


@dataclasses.dataclass(slots=True)  # not frozen: a frozen init costs twice as much per card
class Card:
    """One patient on the dashboard, formatted once in Python: what the template prints.

    ``facts`` is the card's clinical lines as escaped HTML (alert, level of care, score,
    task), so a card costs the template a handful of lookups (bench/cost.py).
    """

    patient_id: int
    url: str
    name: str
    mrn: str
    since: str  # "Dec 28", or "Dec 28, 2025" outside the current year
    since_iso: str
    level: str  # "Level 3.7-WM", or "" before one is chosen
    score: str  # "CIWA-B 18 (Moderate), Dec 1", or ""
    alert: str  # the most urgent open alert's kind, or ""
    task: str  # what is owed on the card's stage, or ""
    pathway: SafeString  # the badge of the patient's open pathway tasks, or ""
    covered: bool  # shown because the viewer's role covers the stage, not the care team
    facts: SafeString
    first_covered: bool = False  # the first covered card of its column (gets a heading)


def day_label(moment: dt.datetime, today: dt.date | None = None) -> str:
    """Return "Dec 28" for a day in the current year, "Dec 28, 2025" otherwise."""
    return _day(timezone.localtime(moment), today or timezone.localdate())


def _day(local: dt.datetime, today: dt.date) -> str:
    day = f"{MONTHS[local.month - 1]} {local.day}"
    return day if local.year == today.year else f"{day}, {local.year}"


def _moment(raw: str) -> dt.datetime:
    # SQLite's text is naive UTC; PostgreSQL's (a UTC session) ends in "+00".
    text = raw.replace(" ", "T")
    if text.endswith("+00"):
        text += ":00"
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _score(raw: str | None, today: dt.date) -> str:
    if not raw:
        return ""
    code, total, band, at = raw.split("|", 3)
    instrument = instrument_get(code)
    if instrument is None:
        return ""
    shown = f"{total} " if total else ""
    label = instrument.band_label(band)
    return f"{short_name(instrument)} {shown}({label}), {day_label(_moment(at), today)}"


def _alert(raw: str | None) -> tuple[str, bool]:
    if not raw:
        return "", False
    kind, severity = raw.split("|", 1)
    return str(ALERT_LABELS.get(kind, kind)), severity == AlertSeverity.URGENT


def _level(episode: EpisodeOfCare) -> tuple[str, str, str]:
    """Return the level of care (short, full) and the intake task the episode owes."""
    status = getattr(episode, "card_intake_status", None)  # None: no intake yet
    chosen = getattr(episode, "card_level", None)
    task = ""
    if episode.stage == Stage.ASSESSMENT:
        if status is None:
            task = TASK_INTAKE_TO_START
        elif status != AssessmentStatus.SIGNED:
            task = TASK_INTAKE_TO_SIGN
    if not chosen:
        return "", "", task
    full = LEVEL_LABELS.get(chosen, chosen)
    short = full.split(" — ")[0]
    if status != AssessmentStatus.SIGNED:
        short += " (draft)"
    return short, full, task


def _facts(
    alert: str,
    urgent: bool,
    level: str,
    level_title: str,
    score: str,
    task: str,
    pathway: SafeString,
) -> SafeString:
    lines = []
    if pathway:
        lines.append(format_html('<div class="small">{}</div>', pathway))
    if alert:
        badge = "text-bg-danger" if urgent else "text-bg-warning"
        lines.append(
            format_html(
                '<div class="small"><span class="badge {}">Open alert</span> {}</div>', badge, alert
            )
        )
    if level:
        lines.append(format_html('<div class="small" title="{}">{}</div>', level_title, level))
    if score:
        lines.append(format_html('<div class="small">{}</div>', score))
    if task:
        lines.append(
            format_html(
                '<div class="small"><span class="badge text-bg-info">To do</span> {}</div>', task
            )
        )
    return mark_safe("".join(lines))  # noqa: S308 (each line escaped by format_html)


def card_for(
    episode: EpisodeOfCare,
    today: dt.date,
    *,
    covered: bool,
    url: tuple[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Card:
    """Format the card of an episode read through ``with_card_facts``.

    ``url`` is the chart URL's parts around the id (links.url_parts), read once a page;
    ``now`` the page's clock (whether a task is overdue).
    """
    level, level_title, task = _level(episode)
    pathway = task_badge(getattr(episode, "card_task", None), now or timezone.now())
    alert, urgent = _alert(getattr(episode, "card_alert", None))
    score = _score(getattr(episode, "card_score", None), today)
    patient = episode.patient
    head, tail = url or url_parts("chart:chart")
    since = timezone.localtime(episode.stage_changed_at)
    return Card(
        patient_id=episode.patient_id,
        url=f"{head}{episode.patient_id}{tail}",
        name=patient.display_name,
        mrn=patient.mrn,
        since=_day(since, today),
        since_iso=since.isoformat(),
        level=level,
        score=score,
        alert=alert,
        task=task,
        pathway=pathway,
        covered=covered,
        facts=_facts(alert, urgent, level, level_title, score, task, pathway),
    )
