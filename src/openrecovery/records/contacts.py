"""Writes for a patient's contacts and for what one step hands to the next. Audited."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record

from .models import EpisodeHandoff, EpisodeOfCare, Patient, PatientContact


@transaction.atomic
def patient_contact_add(
    *,
    actor: User,
    patient: Patient,
    name: str,
    relationship: str,
    phone: str = "",
    may_be_told: bool = False,
    consent_note: str = "",
    source: str = "",
    request: HttpRequest | None = None,
) -> PatientContact:
    """Record someone the patient knows (e.g. the relative who called) as their contact.

    ``may_be_told`` records the patient's consent to tell the contact about their care;
    the caller checks that consent was given (``consent_note`` says how).
    """
    contact = PatientContact(
        patient=patient,
        name=name.strip(),
        relationship=relationship.strip(),
        phone=phone.strip(),
        may_be_told=may_be_told,
        consent_note=consent_note.strip(),
        source=source,
        recorded_by=actor,
    )
    contact.full_clean()
    contact.save()
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type="patient_contact",
        object_id=contact.pk,
        detail={"may_be_told": may_be_told},
    )
    return contact


@transaction.atomic
def episode_handoff_add(
    *,
    actor: User,
    episode: EpisodeOfCare,
    source: str,
    source_reference: str,
    recorded_at: dt.datetime,
    recorded_by: User | None,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> EpisodeHandoff:
    """Hand what an earlier step recorded (``data``) to the episode's next step."""
    handoff = EpisodeHandoff.objects.create(
        episode=episode,
        source=source,
        source_reference=source_reference,
        recorded_at=recorded_at,
        recorded_by=recorded_by,
        data=data,
    )
    audit_record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        patient_id=episode.patient_id,
        object_type="episode_handoff",
        object_id=handoff.pk,
        detail={"source": source},
    )
    return handoff


def handoffs_for(episode: EpisodeOfCare | None, source: str) -> list[EpisodeHandoff]:
    """Return what earlier steps handed to ``episode`` from ``source`` (one query)."""
    if episode is None:
        return []
    return list(
        EpisodeHandoff.objects.filter(episode=episode, source=source).select_related("recorded_by")
    )
