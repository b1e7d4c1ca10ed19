"""Clinical alerts: raise one per recipient, acknowledge (recipient), resolve (care team).

An alert is in-app: it shows on the recipient's dashboard and navbar until they
acknowledge it, and as a banner on the patient's chart until a clinician on the
care team marks it addressed. Every write is atomic and audited; audit details
carry ids and codes only, never the resolution note.
"""

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import ROLE_STAGE_COVERAGE
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden, StateConflict

from .choices import Stage, TimelineKind
from .models import CareTeamMember, ClinicalAlert, EpisodeOfCare, Patient
from .services import timeline_add

logger = logging.getLogger(__name__)

OBJECT_TYPE = "clinical_alert"
CHART_PERMISSION = "records.view_chart"
ERROR_NOT_RECIPIENT = "This alert was sent to someone else; only they can acknowledge it."
ERROR_ALREADY_ACKNOWLEDGED = "You have already acknowledged this alert."
ERROR_ALREADY_RESOLVED = "This alert has already been marked addressed."
ERROR_NOT_ON_TEAM = "Only a clinician on the patient's care team can mark this alert addressed."
ERROR_NOTE_REQUIRED = "Say what was done (for example: safety plan made, physician reviewed)."
NOTE_MAX = 1000


def _alert_versions_move(user_ids: Iterable[int]) -> None:
    # Every write that can change someone's unacknowledged alerts moves their version, so
    # the navbar count their sessions carry is counted again (chart.context_processors).
    User.objects.filter(pk__in=set(user_ids)).update(alert_version=F("alert_version") + 1)


def alert_recipients(patient: Patient) -> list[User]:
    """Return who should receive a patient's urgent alert.

    The active members of the care team. When the team is empty, every active staff
    member whose role covers the stage of the patient's current episode and who may
    open charts (the clinical director covers every stage, so someone always hears).
    """
    team = [
        m.user
        for m in CareTeamMember.objects.filter(patient=patient, active=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ]
    if team:
        return team
    episode = EpisodeOfCare.objects.filter(patient=patient, ended_at__isnull=True).first()
    stage = episode.stage if episode is not None else Stage.CLOSED
    roles = [role for role, stages in ROLE_STAGE_COVERAGE.items() if stage in stages]
    users = User.objects.filter(is_active=True, role__in=roles).order_by("pk")
    return [u for u in users if u.has_perm(CHART_PERMISSION)]


@transaction.atomic
def alert_raise(
    *,
    patient: Patient,
    kind: str,
    severity: str,
    message: str,
    source_type: str,
    source_id: str | int,
    recipients: Iterable[User],
    episode: EpisodeOfCare | None = None,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> list[ClinicalAlert]:
    """Raise one alert per recipient (duplicates dropped) and audit each. Return them."""
    now = timezone.now()
    alerts = []
    seen: set[int] = set()
    for user in recipients:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        alert = ClinicalAlert(
            patient=patient,
            episode=episode,
            kind=kind,
            severity=severity,
            message=message[:300],
            source_type=source_type,
            source_id=str(source_id),
            recipient=user,
            created_at=now,
        )
        alert.full_clean()
        alert.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            request=request,
            patient_id=patient.pk,
            object_type=OBJECT_TYPE,
            object_id=alert.pk,
            detail={"kind": kind, "severity": severity, "recipient": user.pk},
        )
        alerts.append(alert)
    _alert_versions_move(seen)
    ids = [a.pk for a in alerts]
    # Paging or e-mail would hook in here; only once the alerts are surely stored.
    transaction.on_commit(lambda: logger.warning("clinical alerts raised: %s %s", kind, ids))
    return alerts


@transaction.atomic
def alert_acknowledge(
    *, actor: User, alert: ClinicalAlert, request: HttpRequest | None = None
) -> ClinicalAlert:
    """Record that the recipient has seen their alert.

    Raise Forbidden for anyone else and StateConflict when it was acknowledged already.
    """
    alert = ClinicalAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.recipient_id != actor.pk:
        raise Forbidden(ERROR_NOT_RECIPIENT)
    if alert.acknowledged_at is not None:
        raise StateConflict(ERROR_ALREADY_ACKNOWLEDGED)
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    _alert_versions_move([alert.recipient_id])
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        patient_id=alert.patient_id,
        object_type=OBJECT_TYPE,
        object_id=alert.pk,
        detail={"acknowledged": True, "kind": alert.kind},
    )
    return alert


@transaction.atomic
def alert_resolve(
    *, actor: User, alert: ClinicalAlert, note: str, request: HttpRequest | None = None
) -> list[ClinicalAlert]:
    """Mark an alert addressed: every unresolved copy raised by the same source.

    Only an active care-team member who may open charts can do this, with a note of
    what was done. Copies not yet acknowledged are acknowledged by nobody: they just
    stop showing. Raise Forbidden for someone off the team, ValidationError for the
    note and StateConflict when every copy is resolved already; each changes nothing.
    """
    note = note.strip()
    on_team = CareTeamMember.objects.filter(
        patient_id=alert.patient_id, user=actor, active=True
    ).exists()
    if not on_team or not actor.has_perm(CHART_PERMISSION):
        raise Forbidden(ERROR_NOT_ON_TEAM)
    if not note:
        raise ValidationError({"note": ERROR_NOTE_REQUIRED})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"Keep the note under {NOTE_MAX} characters."})
    copies = list(
        ClinicalAlert.objects.select_for_update()
        .filter(
            patient_id=alert.patient_id,
            kind=alert.kind,
            source_type=alert.source_type,
            source_id=alert.source_id,
            resolved_at__isnull=True,
        )
        .order_by("pk")
    )
    if not copies:
        raise StateConflict(ERROR_ALREADY_RESOLVED)
    now = timezone.now()
    for copy in copies:
        copy.resolved_at = now
        copy.resolved_by = actor
        copy.resolution_note = note
        copy.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            request=request,
            patient_id=copy.patient_id,
            object_type=OBJECT_TYPE,
            object_id=copy.pk,
            detail={"resolved": True, "kind": copy.kind},
        )
    _alert_versions_move(c.recipient_id for c in copies)
    timeline_add(
        patient=alert.patient,
        episode=alert.episode,
        kind=TimelineKind.NOTE,
        actor=actor,
        summary=f"Urgent alert addressed ({alert.get_kind_display()}): {note}",
        occurred_at=now,
    )
    return copies
