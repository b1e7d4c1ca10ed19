"""Record an instrument administered to a patient, and act on its safety flags."""

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_insert
from openrecovery.core.prepared import PreparedQuery
from openrecovery.records.alerts import alert_raise, alert_recipients
from openrecovery.records.choices import AlertKind, AlertSeverity, TimelineKind
from openrecovery.records.models import EpisodeOfCare, Patient
from openrecovery.records.services import timeline_entry

from .engine import AnswerError, Instrument, Score, score
from .models import Administration
from .reactions import FollowUp, Recorded, reactions
from .registry import instrument_get

OBJECT_TYPE = "instrument_administration"
ERROR_UNKNOWN_INSTRUMENT = "There is no instrument %(code)s."
ERROR_IN_FUTURE = "The time given is in the future."
ERROR_TOO_OLD = "An administration can be recorded at most 24 hours after it was given."
BACKDATING_LIMIT = dt.timedelta(hours=24)
CLOCK_SKEW = dt.timedelta(minutes=2)  # a client clock slightly ahead is not "the future"


@dataclasses.dataclass(frozen=True)
class AdministrationResult:
    """A stored administration and what it set in motion (new tasks and alerts)."""

    administration: Administration
    follow_up: FollowUp


@dataclasses.dataclass(frozen=True)
class AlertRule:
    """An alert an instrument's flag raises for the patient's clinicians."""

    kind: str
    severity: str
    message: str


# (instrument, flag) -> the instrument to give next, at once.
FLAG_PROMPTS: dict[tuple[str, str], str] = {("phq9", "suicide_risk"): "cssrs"}
# (instrument, flag) -> the alert it raises.
FLAG_ALERTS: dict[tuple[str, str], AlertRule] = {
    ("cssrs", "urgent_review"): AlertRule(
        kind=AlertKind.SUICIDE_RISK_HIGH,
        severity=AlertSeverity.URGENT,
        message="C-SSRS screener: high suicide risk. Immediate clinician review and "
        "safety precautions.",
    )
}


def answer_field(number: str) -> str:
    """Return the error key (and form field name) of item ``number``."""
    return f"item_{number}"


def short_name(instrument: Instrument) -> str:
    """Return the instrument's name without its spelled-out expansion ("PHQ-9")."""
    return instrument.name.split(" (")[0]


def administration_summary(instrument: Instrument, administration: Administration) -> str:
    """Return the timeline line for an administration, e.g. "PHQ-9: 12 (Moderate)"."""
    short = short_name(instrument)
    band = instrument.band_label(administration.band)
    if administration.total is None:
        return f"{short}: {band}"
    return f"{short}: {administration.total} ({band})"


def prompted_instrument(administration: Administration) -> str | None:
    """Return the code of the instrument a flag says to give next, or None."""
    for flag in administration.flags:
        code = FLAG_PROMPTS.get((administration.code, flag))
        if code is not None:
            return code
    return None


def administration_record(
    *,
    actor: User,
    patient: Patient,
    code: str,
    answers: Sequence[Any],
    context: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Administration:
    """Record an administration (see ``administration_recorded``); return it."""
    return administration_recorded(
        actor=actor, patient=patient, code=code, answers=answers, context=context, request=request
    ).administration


def _given_at(administered_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if administered_at is None:
        return now
    if administered_at > now + CLOCK_SKEW:
        raise ValidationError({"administered_at": ERROR_IN_FUTURE})
    if administered_at < now - BACKDATING_LIMIT:
        raise ValidationError({"administered_at": ERROR_TOO_OLD})
    return min(administered_at, now)


_OPEN_EPISODE = PreparedQuery(
    lambda patient_id: EpisodeOfCare.objects.filter(
        patient_id=patient_id, ended_at__isnull=True
    ).order_by("pk")[:1]
)


def administration_of(
    instrument: Instrument,
    result: Score,
    *,
    patient: Patient,
    episode: EpisodeOfCare | None,
    actor: User,
    at: dt.datetime,
    context: Mapping[str, Any] | None = None,
) -> Administration:
    """Return the (unsaved) administration that stores ``result``, the engine's score of
    ``instrument``, for ``patient`` at ``at``."""
    return Administration(
        patient=patient,
        episode=episode,
        code=instrument.code,
        version=instrument.version,
        answers=list(result.answers),
        context=dict(context or {}),
        total=result.total,
        band=result.band,
        flags=list(result.flags),
        subscales=dict(result.subscales),
        administered_by=actor,
        administered_at=at,
    )


@transaction.atomic
def administration_recorded(
    *,
    actor: User,
    patient: Patient,
    code: str,
    answers: Sequence[Any],
    context: Mapping[str, Any] | None = None,
    administered_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> AdministrationResult:
    """Score ``answers`` (published item order) with the engine and store the result.

    Add a timeline entry, audit the write (codes, band and flags only; never the
    answers), raise the alerts the flags call for and run the registered reactions
    (tasks, risk levels), all in one transaction. ``administered_at`` (default now)
    may be up to 24 hours ago, never in the future. Raise ValidationError keyed by
    ``item_<number>``, ``administered_at`` or the form-wide key, changing nothing,
    when the input does not fit.
    """
    instrument = instrument_get(code)
    if instrument is None:
        raise ValidationError(ERROR_UNKNOWN_INSTRUMENT, code="unknown", params={"code": code})
    context = dict(context or {})
    try:
        result = score(instrument, list(answers), context)
    except AnswerError as exc:
        key = answer_field(exc.item) if exc.item else NON_FIELD_ERRORS
        raise ValidationError({key: exc.message}) from exc
    now = _given_at(administered_at, timezone.now())
    found = _OPEN_EPISODE.fetch(patient_id=patient.pk)
    episode = found[0] if found else None
    administration = administration_of(
        instrument, result, patient=patient, episode=episode, actor=actor, at=now, context=context
    )
    # The patient, episode and actor are rows this request already holds: no need to ask
    # the database whether they exist (three queries on the busiest clinical write).
    administration.full_clean(exclude=["patient", "episode", "administered_by"])
    entry = timeline_entry(
        patient=patient,
        episode=episode,
        kind=TimelineKind.ASSESSMENT,
        summary=administration_summary(instrument, administration),
        actor=actor,
        occurred_at=now,
    )
    # The row, its timeline entry and the event recording it: one statement on
    # PostgreSQL (audit_insert).
    audit_insert(
        administration,
        also=[entry],
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type=OBJECT_TYPE,
        # Which instrument and version, never its result: the log holds no clinical values.
        detail={"code": instrument.code, "version": instrument.version},
    )
    follow_up = FollowUp()
    for flag in result.flags:
        rule = FLAG_ALERTS.get((instrument.code, flag))
        if rule is not None:
            follow_up.alerts += alert_raise(
                patient=patient,
                episode=episode,
                kind=rule.kind,
                severity=rule.severity,
                message=rule.message,
                source_type=OBJECT_TYPE,
                source_id=administration.pk,
                recipients=alert_recipients(patient),
                actor=actor,
                request=request,
            )
    recorded = Recorded(administration, patient, episode, actor, request)
    for reaction in reactions():
        follow_up.add(reaction(recorded))
    return AdministrationResult(administration, follow_up)
