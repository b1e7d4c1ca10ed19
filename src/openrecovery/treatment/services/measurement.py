"""Measurement-based care's writes: an episode's schedule, and the not-on-track reaction.

A PHQ-9 or GAD-7 recorded in treatment whose course is not on track or reliably
deteriorating (``treatment.measurement``) opens a plan-review task for the patient's
primary counselor (unassigned without one, so the whole care team sees it); the plan
review that answers it closes it. Ids and codes only in the audit log: never a score.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden
from openrecovery.core.prepared import PreparedQuery
from openrecovery.core.templatetags.links import url_for_id
from openrecovery.instruments.models import Administration
from openrecovery.instruments.reactions import FollowUp, Notice, Recorded
from openrecovery.instruments.services import OBJECT_TYPE as ADMINISTRATION
from openrecovery.records.choices import CareTeamRole, Stage, TaskKind
from openrecovery.records.models import CareTeamMember, EpisodeOfCare
from openrecovery.records.tasks import task_open

from ..choices import MeasurementStatus
from ..measurement import (
    GAD7,
    MEASURED_CODES,
    PHQ9,
    REVIEW_STATUSES,
    Measure,
    course_status,
)
from ..models import MeasureSchedule

OBJECT_TYPE = "measure_schedule"
SCHEDULE_PERMISSION = "treatment.edit_plan"
INTERVAL_MIN, INTERVAL_MAX = 1, 365
ERROR_CODE = "Measurement-based care follows PHQ-9, GAD-7 and BAM only."
ERROR_INTERVAL = "Give a number of days from 1 to 365."
ERROR_FORBIDDEN = "Only the clinicians who write treatment plans may change the schedule."
ERROR_NOT_OPEN = "The episode is closed: its schedule no longer changes."
# The instruments whose course can be not on track (the BAM has no reliable change).
REVIEWED_CODES = frozenset({PHQ9, GAD7})
PLAN_REVIEW_KEY = TaskKind.PLAN_REVIEW.value
PLAN_REVIEW_WITHIN = dt.timedelta(days=7)
NOTICE_TEXT = {
    MeasurementStatus.NOT_ON_TRACK: (
        "{label} not on track: no reliable improvement six weeks or more after baseline "
        "(the program's rule). Review the treatment plan"
    ),
    MeasurementStatus.RELIABLE_DETERIORATION: (
        "{label} reliably worse than at baseline. Review the treatment plan"
    ),
}
LABELS = {PHQ9: "PHQ-9", GAD7: "GAD-7"}


@transaction.atomic
def measure_schedule_set(
    *,
    actor: User,
    episode: EpisodeOfCare,
    code: str,
    interval_days: int,
    request: HttpRequest | None = None,
) -> MeasureSchedule:
    """Set how often ``code`` is due in ``episode``'s treatment (days, 1 to 365).

    Replaces the episode's earlier choice for the instrument; the program's default
    applies until one is set. Raise Forbidden without the permission, ValidationError
    keyed by ``code`` or ``interval_days`` for values that do not fit.
    """
    if not actor.has_perm(SCHEDULE_PERMISSION):
        raise Forbidden(ERROR_FORBIDDEN)
    if code not in MEASURED_CODES:
        raise ValidationError({"code": ERROR_CODE})
    if (
        isinstance(interval_days, bool)
        or not isinstance(interval_days, int)
        or not INTERVAL_MIN <= interval_days <= INTERVAL_MAX
    ):
        raise ValidationError({"interval_days": ERROR_INTERVAL})
    if episode.ended_at is not None:
        raise ValidationError(ERROR_NOT_OPEN)
    schedule = (
        MeasureSchedule.objects.select_for_update().filter(episode=episode, code=code).first()
    )
    action = Action.UPDATE
    if schedule is None:
        schedule = MeasureSchedule(episode=episode, code=code)
        action = Action.CREATE
    schedule.interval_days = interval_days
    schedule.set_by = actor
    schedule.set_at = timezone.now()
    schedule.full_clean(exclude=["episode", "set_by"], validate_constraints=False)
    schedule.save()
    audit_record(
        action=action,
        actor=actor,
        request=request,
        patient_id=episode.patient_id,
        object_type=OBJECT_TYPE,
        object_id=schedule.pk,
        detail={"episode": episode.pk, "code": code, "interval_days": interval_days},
    )
    return schedule


# Run on every PHQ-9 and GAD-7 recorded in treatment (the administrations API): prepared.
_EPISODE_TOTALS = PreparedQuery(
    lambda episode_id, code: (
        Administration.objects.filter(episode_id=episode_id, code=code)
        .order_by("administered_at", "id")
        .values_list("total", "administered_at")
    ),
    code=str,
)
_PRIMARY_COUNSELOR = PreparedQuery(
    lambda patient_id: (
        CareTeamMember.objects.filter(
            patient_id=patient_id,
            active=True,
            team_role=CareTeamRole.PRIMARY_COUNSELOR,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")[:1]
    )
)


def primary_counselor(patient_id: int) -> User | None:
    """Return the patient's (first active) primary counselor on the care team, or None."""
    found = _PRIMARY_COUNSELOR.fetch(patient_id=patient_id)
    return found[0].user if found else None


def measurement_follow_up(recorded: Recorded) -> FollowUp:
    """React to a PHQ-9 or GAD-7 recorded in an episode at the treatment stage (a
    registered ``instruments.reactions`` reaction): when the instrument's course is not
    on track or reliably worse, open the plan-review task (once while it is open) for the
    primary counselor, due in a week, and say so."""
    administration = recorded.administration
    episode = recorded.episode
    if (
        administration.code not in REVIEWED_CODES
        or episode is None
        or episode.ended_at is not None
        or episode.stage != Stage.TREATMENT
    ):
        return FollowUp()
    rows = _EPISODE_TOTALS.fetch(episode_id=episode.pk, code=administration.code)
    measures = [Measure(total, at) for total, at in rows if total is not None]
    if len(measures) < 2:
        return FollowUp()
    status = course_status(administration.code, measures[0], measures[-1], len(measures))
    if status not in REVIEW_STATUSES:
        return FollowUp()
    now = timezone.now()
    opened = task_open(
        patient=recorded.patient,
        kind=TaskKind.PLAN_REVIEW,
        key=PLAN_REVIEW_KEY,
        source_type=ADMINISTRATION,
        source_id=administration.pk,
        due_at=now + PLAN_REVIEW_WITHIN,
        assigned_to=primary_counselor(recorded.patient.pk),
        episode=episode,
        actor=recorded.actor,
        request=recorded.request,
        now=now,
    )
    text = NOTICE_TEXT[MeasurementStatus(status)].format(label=LABELS[administration.code])
    follow_up = FollowUp(
        notices=[
            Notice(
                text,
                url=url_for_id("chart:chart", recorded.patient.pk) + "#measurement",
                link_text="See measurement-based care",
                level="warning",
            )
        ]
    )
    if opened.created:
        follow_up.tasks.append(opened.task)
    return follow_up
