"""The golden thread at signing: a note's flags, and who hears of them.

A note that addresses no plan objective, or a late entry, is flagged on the note and to
its author and supervisor (the care team's clinical supervisor; else the clinical
directors) as a warning alert. Ids and codes only in the audit log.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Min

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.records.alerts import alert_raise
from openrecovery.records.choices import AlertKind, AlertSeverity, CareTeamRole
from openrecovery.records.models import CareTeamMember, ClinicalAlert, EpisodeOfCare, Patient

from ..choices import NoteStatus
from ..models import PlanObjective, ProgressNote
from ..selectors import plan_objectives_by_episode

FLAG_NO_OBJECTIVE = "no_objective"
FLAG_LATE_ENTRY = "late_entry"
FLAG_UNADDRESSED = "objective_unaddressed"
UNADDRESSED_SOURCE = "plan_objective"

FLAG_MESSAGES = {
    FLAG_NO_OBJECTIVE: "A signed session note addresses no treatment plan objective.",
    FLAG_LATE_ENTRY: "A session note was signed after the program's late-entry limit.",
    FLAG_UNADDRESSED: "A treatment plan objective has not been addressed in a session",
}


def late_entry_limit() -> dt.timedelta:
    """Return how long after a session its note may be signed before it is a late entry."""
    return dt.timedelta(days=int(settings.TREATMENT_LATE_ENTRY_DAYS))


def is_late(session_ended_at: dt.datetime, signed_at: dt.datetime) -> bool:
    """Return whether a note signed at ``signed_at`` is a late entry for its session."""
    return signed_at - session_ended_at > late_entry_limit()


def note_flags(*, objective_count: int, late: bool) -> list[str]:
    """Return a note's flags at signing, in a fixed order."""
    flags = []
    if objective_count == 0:
        flags.append(FLAG_NO_OBJECTIVE)
    if late:
        flags.append(FLAG_LATE_ENTRY)
    return flags


def supervisors_of(patient: Patient) -> list[User]:
    """Return the patient's clinical supervisors on the care team, else the directors."""
    return supervisors_by_patient([patient.pk])[patient.pk]


def supervisors_by_patient(patient_ids: Iterable[int]) -> dict[int, list[User]]:
    """Return each patient's clinical supervisors on the care team, else the clinical
    directors (at most two queries, however many patients)."""
    ids = set(patient_ids)
    found: dict[int, list[User]] = defaultdict(list)
    for member in (
        CareTeamMember.objects.filter(
            patient_id__in=ids,
            active=True,
            team_role=CareTeamRole.CLINICAL_SUPERVISOR,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
    ):
        found[member.patient_id].append(member.user)
    missing = ids - found.keys()
    if missing:
        directors = list(
            User.objects.filter(role=Role.CLINICAL_DIRECTOR, is_active=True).order_by("pk")
        )
        for patient_id in missing:
            found[patient_id] = directors
    return dict(found)


def thread_flags_raise(
    *,
    patient: Patient,
    episode: EpisodeOfCare | None,
    flags: list[str],
    author: User,
    source_type: str,
    source_id: int,
    supervisors: list[User] | None = None,
) -> None:
    """Raise one warning alert per flag to the author and the supervisors.

    ``supervisors`` may be passed in when the caller flags many notes of one patient set.
    """
    if not flags:
        return
    recipients = {author.pk: author}
    for user in supervisors if supervisors is not None else supervisors_of(patient):
        recipients.setdefault(user.pk, user)
    for flag in flags:
        alert_raise(
            patient=patient,
            episode=episode,
            kind=AlertKind.TREATMENT_THREAD,
            severity=AlertSeverity.WARNING,
            message=FLAG_MESSAGES[flag],
            source_type=source_type,
            source_id=source_id,
            recipients=list(recipients.values()),
            actor=author,
        )


def thread_days() -> dt.timedelta:
    """Return how long a plan objective may go unaddressed before it is flagged."""
    return dt.timedelta(days=int(settings.TREATMENT_THREAD_DAYS))


def objectives_unaddressed(
    *, patient: Patient, episode: EpisodeOfCare, now: dt.datetime
) -> list[PlanObjective]:
    """Return the objectives of the plan in force, in force for ``TREATMENT_THREAD_DAYS``
    or more, that no signed note of the patient addressed in that time (four queries).

    An objective's age counts from the first signed plan version that held its thread.
    """
    return objectives_unaddressed_many(episodes=[episode], now=now).get(episode.pk, [])


def objectives_unaddressed_many(
    *, episodes: list[EpisodeOfCare], now: dt.datetime
) -> dict[int, list[PlanObjective]]:
    """Return, per episode id, the long-unaddressed objectives of its plan in force, for
    any number of episodes in four queries (a group's members at signing)."""
    by_episode = plan_objectives_by_episode(e.pk for e in episodes)
    objectives = [(episode_id, o) for episode_id, found in by_episode.items() for o in found]
    if not objectives:
        return {}
    since = now - thread_days()
    threads = {o.thread for _, o in objectives}
    first_signed = dict(
        PlanObjective.objects.filter(
            thread__in=threads, goal__problem__plan__signed_at__isnull=False
        )
        .values("thread")
        .annotate(first=Min("goal__problem__plan__signed_at"))
        .values_list("thread", "first")
    )
    patient_of = {e.pk: e.patient_id for e in episodes}
    addressed = set(
        ProgressNote.objects.filter(
            patient_id__in=set(patient_of.values()),
            status=NoteStatus.SIGNED,
            started_at__gte=since,
            objectives__thread__in=threads,
        ).values_list("patient_id", "objectives__thread")
    )
    found: dict[int, list[PlanObjective]] = {}
    for episode_id, o in objectives:
        if (patient_of[episode_id], o.thread) in addressed:
            continue
        if first_signed.get(o.thread, now) <= since:
            found.setdefault(episode_id, []).append(o)
    return found


def unaddressed_flags_raise(
    *,
    patient: Patient,
    episode: EpisodeOfCare,
    author: User,
    now: dt.datetime,
    supervisors: list[User] | None = None,
    stale: list[PlanObjective] | None = None,
) -> list[PlanObjective]:
    """Flag each long-unaddressed objective once (while its alert is unresolved) to the
    author and the supervisors; return the objectives flagged now.

    ``stale`` may be passed in when the caller found them for many episodes at once.
    """
    if stale is None:
        stale = objectives_unaddressed(patient=patient, episode=episode, now=now)
    if not stale:
        return []
    flagged = set(
        ClinicalAlert.objects.filter(
            patient=patient,
            kind=AlertKind.TREATMENT_THREAD,
            source_type=UNADDRESSED_SOURCE,
            resolved_at__isnull=True,
        ).values_list("source_id", flat=True)
    )
    fresh = [o for o in stale if o.thread not in flagged]
    if not fresh:
        return []
    recipients = {author.pk: author}
    for user in supervisors if supervisors is not None else supervisors_of(patient):
        recipients.setdefault(user.pk, user)
    for objective in fresh:
        alert_raise(
            patient=patient,
            episode=episode,
            kind=AlertKind.TREATMENT_THREAD,
            severity=AlertSeverity.WARNING,
            message=f"{FLAG_MESSAGES[FLAG_UNADDRESSED]} ({thread_days().days} days): "
            f"{objective.text}",
            source_type=UNADDRESSED_SOURCE,
            source_id=objective.thread,
            recipients=list(recipients.values()),
            actor=author,
        )
    return fresh
