"""Move what the services just recorded back in time, so the demo shows months of history.

The demo writes through the services (which stamp everything "now" and audit it), then
moves the times of the rows they wrote: episodes, stage transitions, timeline entries,
care-team places. Only times change, never what happened; the audit log keeps the true
time of the load.
"""

import datetime as dt

from django.db.models import F, Q
from django.utils import timezone

from openrecovery.instruments.models import Administration
from openrecovery.instruments.services import OBJECT_TYPE as ADMINISTRATION
from openrecovery.records.models import (
    CareTeamMember,
    ClinicalTask,
    EpisodeOfCare,
    Patient,
    StageTransition,
    TimelineEvent,
)
from openrecovery.safety.models import PrecautionChecklist, RiskAssessment
from openrecovery.safety.services import OBJECT_TYPE as LEVEL


def days_ago(days: float) -> dt.datetime:
    """Return the moment ``days`` days before now."""
    return timezone.now() - dt.timedelta(days=days)


def timeline_mark() -> dt.datetime:
    """Return the moment before a service call: the entries it writes occur from then on.

    A time, not an id: ids drawn ahead from the sequence (``audit_insert``) are not in
    the order rows were written.
    """
    return timezone.now()


def new_entries_backdate(patient: Patient, after: dt.datetime, when: dt.datetime) -> None:
    """Move the timeline entries of ``patient`` written since ``after`` to ``when``."""
    TimelineEvent.objects.filter(patient=patient, occurred_at__gte=after).update(occurred_at=when)


def follow_up_backdate(administration: Administration, when: dt.datetime) -> None:
    """Move what an administration opened, closed and set (tasks, risk level, precautions
    checklist) to ``when``."""
    shift = when - administration.administered_at
    source = str(administration.pk)
    levels = RiskAssessment.objects.filter(source_type=ADMINISTRATION, source_id=source)
    level_ids = [str(pk) for pk in levels.values_list("pk", flat=True)]
    opened = Q(source_type=ADMINISTRATION, source_id=source) | Q(
        source_type=LEVEL, source_id__in=level_ids
    )
    # A null due time stays null: NULL + interval is NULL in SQL.
    ClinicalTask.objects.filter(opened).update(
        opened_at=F("opened_at") + shift, due_at=F("due_at") + shift
    )
    ClinicalTask.objects.filter(closed_source_type=ADMINISTRATION, closed_source_id=source).update(
        closed_at=when
    )
    PrecautionChecklist.objects.filter(assessment__in=levels).update(opened_at=when)
    levels.update(assessed_at=when)


def demo_latest_entry_backdate(patient: Patient, when: dt.datetime) -> None:
    """Move the newest timeline entry of ``patient`` (one a service just added) to ``when``."""
    latest = TimelineEvent.objects.filter(patient=patient).order_by("-pk").first()
    if latest is not None:
        TimelineEvent.objects.filter(pk=latest.pk).update(occurred_at=when)


def episode_backdate(episode: EpisodeOfCare, when: dt.datetime, *, opened: bool) -> None:
    """Move an episode's latest stage change (and, with ``opened``, its start) to ``when``."""
    changes: dict[str, dt.datetime] = {"stage_changed_at": when}
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


def member_backdate(member: CareTeamMember, *, joined: dt.datetime, changed: dt.datetime) -> None:
    """Set when a care-team place began (``joined``) and last changed (``changed``)."""
    CareTeamMember.objects.filter(pk=member.pk).update(created_at=joined, updated_at=changed)


def demo_open_episodes() -> list[EpisodeOfCare]:
    """Return every open episode with its patient, in registration order.

    The instruments and intake demos walk this list after the stories, so that their
    seeded choices repeat on every fresh database.
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
