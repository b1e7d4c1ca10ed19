"""Break-glass emergency access (grant and review) and care-team changes that respect it."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.services import audit_record
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.records.models import CareTeamMember, Patient
from openrecovery.records.services import care_team_add, care_team_remove

from .choices import AccessBasis, Purpose
from .gates import access_basis
from .models import BreakGlassGrant, BreakGlassSearch

BREAK_GLASS_PERMISSION = "privacy.break_glass"
REVIEW_PERMISSION = "privacy.review_break_glass"
MIN_REASON_LENGTH = 15
ERROR_NOT_PERMITTED = "Your role cannot use emergency access."
ERROR_REASON_TOO_SHORT = "Describe the emergency in at least %(min)d characters."
ERROR_ALREADY_REVIEWED = "This emergency access has already been reviewed."
ERROR_OWN_GRANT = "Someone else must review your own emergency access."
ERROR_TOO_MANY_SEARCHES = (
    "You have made %(limit)d emergency searches in the last hour. Ask the clinical "
    "director, or a clinician who cares for the person, to open the chart."
)
BASIS_NAME_AND_BIRTH_DATE = "name_and_birth_date"
BASIS_PHONE = "phone"
SEARCH_MATCH_LIMIT = 5  # an emergency names one person: more matches means a better query
SEARCHES_PER_HOUR = 5
PHONE_FORMATS = ("{a}{b}{c}", "({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "+1{a}{b}{c}",
                 "+1 {a} {b} {c}", "1{a}{b}{c}", "{a} {b} {c}")  # fmt: skip
ERROR_TEAM_UNDER_BREAK_GLASS = (
    "Emergency access does not let you change the care team (it would outlast the "
    "emergency): ask a member of the team or the clinical director."
)


def _emergency_reason(user: User, reason: str) -> str:
    """Return the stated reason, stripped; refuse a role without emergency access or a short one."""
    if not user.has_perm(BREAK_GLASS_PERMISSION):
        raise Forbidden(ERROR_NOT_PERMITTED)
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            {"reason": ValidationError(ERROR_REASON_TOO_SHORT, params={"min": MIN_REASON_LENGTH})}
        )
    return reason


@transaction.atomic
def break_glass_grant(
    *, user: User, patient: Patient, reason: str, request: HttpRequest | None = None
) -> BreakGlassGrant:
    """Give ``user`` emergency access to ``patient`` for BREAK_GLASS_MINUTES, flagged for review.

    Raise Forbidden for a role without emergency access, ValidationError for a short reason.
    """
    reason = _emergency_reason(user, reason)
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=user,
        patient=patient,
        reason=reason,
        created_at=now,
        expires_at=now + dt.timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    audit_record(
        action=Action.BREAK_GLASS,
        actor=user,
        request=request,
        patient_id=patient.pk,
        object_type="break_glass_grant",
        object_id=grant.pk,
        purpose=Purpose.EMERGENCY,
        flagged=True,
        detail={"minutes": settings.BREAK_GLASS_MINUTES},
    )
    return grant


@transaction.atomic
def break_glass_review(
    *, reviewer: User, grant: BreakGlassGrant, note: str, request: HttpRequest | None = None
) -> BreakGlassGrant:
    """Record that a reviewer looked at an emergency access and what they concluded.

    Raise Forbidden for a role that does not review, StateConflict for a grant reviewed
    already and ValidationError without a note.
    """
    if not reviewer.has_perm(REVIEW_PERMISSION):
        raise Forbidden(ERROR_NOT_PERMITTED)
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.user_id == reviewer.pk:
        raise Forbidden(ERROR_OWN_GRANT)
    if grant.reviewed_at is not None:
        raise StateConflict(ERROR_ALREADY_REVIEWED)
    if not note.strip():
        raise ValidationError({"note": "Write what the review found."})
    grant.reviewed_at = timezone.now()
    grant.reviewed_by = reviewer
    grant.review_note = note.strip()
    grant.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    audit_record(
        action=Action.BREAK_GLASS_REVIEWED,
        actor=reviewer,
        request=request,
        patient_id=grant.patient_id,
        object_type="break_glass_grant",
        object_id=grant.pk,
    )
    return grant


def _refuse_under_break_glass(
    *, actor: User, patient: Patient, request: HttpRequest | None, change: dict[str, Any]
) -> None:
    """Refuse a care-team change by someone whose access to ``patient`` is emergency-only.

    Emergency access ends when its grant expires; a place on the care team does not. So a
    change made under break-glass would make the emergency permanent. The refusal is
    audited and flagged, against the grant, for its review.
    """
    if access_basis(actor, patient) != AccessBasis.BREAK_GLASS:
        return
    grant = (
        BreakGlassGrant.objects.filter(patient=patient, user=actor, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )
    audit_record(
        action=Action.CARE_TEAM_CHANGE,
        actor=actor,
        request=request,
        patient_id=patient.pk,
        object_type="break_glass_grant",
        object_id=grant.pk if grant is not None else "",
        outcome=Outcome.DENIED,
        purpose=Purpose.EMERGENCY,
        flagged=True,
        detail={"refused": "care_team_change", **change},
    )
    raise Forbidden(ERROR_TEAM_UNDER_BREAK_GLASS)


def care_team_member_add(
    *,
    actor: User,
    patient: Patient,
    user: User,
    team_role: str,
    request: HttpRequest | None = None,
) -> CareTeamMember:
    """Put ``user`` on the care team, unless ``actor`` sees the patient only in an emergency."""
    _refuse_under_break_glass(
        actor=actor, patient=patient, request=request, change={"added_user": user.pk}
    )
    return care_team_add(
        actor=actor, patient=patient, user=user, team_role=team_role, request=request
    )


def care_team_member_remove(
    *, actor: User, member: CareTeamMember, request: HttpRequest | None = None
) -> None:
    """Take a member off the care team, unless ``actor`` sees the patient only in an emergency."""
    _refuse_under_break_glass(
        actor=actor,
        patient=member.patient,
        request=request,
        change={"removed_user": member.user_id},
    )
    care_team_remove(actor=actor, member=member, request=request)


def _audit_search(
    user: User,
    request: HttpRequest | None,
    *,
    object_id: int | str = "",
    outcome: str = Outcome.SUCCESS,
    **detail: Any,
) -> None:
    # Every emergency search, refused or not, is flagged for the director's review.
    audit_record(
        action=Action.SEARCH,
        actor=user,
        request=request,
        object_type="break_glass_search",
        object_id=object_id,
        outcome=outcome,
        purpose=Purpose.EMERGENCY,
        flagged=True,
        detail=detail,
    )


def _phone_spellings(digits: str) -> list[str]:
    # Phones are stored as typed: try the usual spellings of a ten-digit US number.
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return [f.format(a=a, b=b, c=c) for f in PHONE_FORMATS] if len(digits) == 10 else [digits]


@transaction.atomic
def break_glass_search(
    *,
    user: User,
    reason: str,
    family_name: str = "",
    given_name: str = "",
    date_of_birth: dt.date | None = None,
    phone: str = "",
    request: HttpRequest | None = None,
) -> tuple[BreakGlassSearch, list[Patient]]:
    """Find patients outside ``user``'s care for an emergency, after a stated reason.

    Matches are exact: the family name (and given name, when given) with the date of
    birth, or the phone's ten digits; at most SEARCH_MATCH_LIMIT are returned. The search
    is kept with its reason and audited as flagged, whatever it finds. Raise Forbidden
    for a role without emergency access or after SEARCHES_PER_HOUR searches in an hour,
    ValidationError for a short reason or too little to match on.
    """
    reason = _emergency_reason(user, reason)
    family, given = family_name.strip().lower(), given_name.strip().lower()
    if family and date_of_birth is not None:
        basis = BASIS_NAME_AND_BIRTH_DATE
        patients = Patient.objects.filter(search_family=family, date_of_birth=date_of_birth)
        if given:
            patients = patients.filter(search_given=given)
    elif phone:
        basis = BASIS_PHONE
        spellings = _phone_spellings(phone)
        patients = Patient.objects.filter(
            Q(phone_mobile__in=spellings) | Q(phone_home__in=spellings)
        )
    else:
        raise ValidationError("Give the family name and date of birth, or the phone number.")
    now = timezone.now()
    recent = BreakGlassSearch.objects.filter(
        user=user, created_at__gt=now - dt.timedelta(hours=1)
    ).count()
    if recent >= SEARCHES_PER_HOUR:
        _audit_search(
            user, request, outcome=Outcome.DENIED, basis=basis, refused="too_many_searches"
        )
        raise Forbidden(ERROR_TOO_MANY_SEARCHES % {"limit": SEARCHES_PER_HOUR})
    found = list(patients.order_by("search_family", "search_given", "pk")[:SEARCH_MATCH_LIMIT])
    search = BreakGlassSearch.objects.create(
        user=user,
        reason=reason,
        basis=basis,
        patient_ids=[p.pk for p in found],
        created_at=now,
    )
    _audit_search(
        user,
        request,
        object_id=search.pk,
        basis=basis,
        results=len(found),
        patients=search.patient_ids,
    )
    return search, found
