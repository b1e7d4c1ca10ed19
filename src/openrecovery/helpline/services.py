"""Writes to helpline inquiries. Each service is atomic and audits itself.

Public callbacks come in through ``callback_request_create`` (the form page and the
API share it); everything else is staff work and needs ``helpline.work_inquiries``.
Staff writes need the inquiry claimed by the actor, so two coordinators never work
the same person at once; refusals about the inquiry's state raise InquiryConflict
(409), field problems ValidationError. Audit details carry ids and codes, never what
was said.
"""

import contextlib
import datetime as dt
import hmac
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import ASSESSMENT_PERMISSION
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_insert, audit_record
from openrecovery.core.errors import RateLimited, StateConflict
from openrecovery.instruments.engine import AnswerError, score
from openrecovery.instruments.registry import self_check_get
from openrecovery.privacy.choices import AccessBasis
from openrecovery.privacy.gates import access_basis
from openrecovery.privacy.services import break_glass_grant
from openrecovery.records.choices import CareTeamRole, HandoffSource, Stage, TimelineKind
from openrecovery.records.contacts import episode_handoff_add, patient_contact_add
from openrecovery.records.identifiers import mrn_next
from openrecovery.records.models import CareTeamMember, EpisodeOfCare, Patient
from openrecovery.records.services import (
    care_team_add,
    episode_readmit,
    patient_register,
    timeline_add,
)

from .bookings import booking_check
from .choices import (
    CallOutcome,
    DispositionKind,
    ForWhom,
    InquirySource,
    InquiryStatus,
    ReferralTarget,
)
from .duplicates import DuplicateMatch, duplicate_matches, duplicate_matches_shown
from .models import CallAttempt, Disposition, Inquiry, PreScreen
from .ratelimit import rate_limit_hit, rate_parse
from .references import reference_new
from .rules import danger_rules, urgency_from_rules, urgency_from_self_check
from .validation import callback_fields, phone_digits, phone_problem

WORK_PERMISSION = "helpline.work_inquiries"
REGISTER_PERMISSION = "records.register_patient"
CLINICIAN_PERMISSION = ASSESSMENT_PERMISSION  # who may take the assessment being booked
REFERENCE_ATTEMPTS = 3
SELF_CHECK_KEYS = frozenset({"code", "band", "answers"})
PRESCREEN_SUBSTANCE_KEYS = ("substance", "dose", "frequency", "duration", "last_use")
PRESCREEN_SUBSTANCES_MAX = 20
PRESCREEN_TEXT_MAX = 100

ERROR_SELF_CHECK = "The self-check result could not be read; send it again or leave it out."
ERROR_CLOSED = "This inquiry is closed."
ERROR_CLAIM_FIRST = "Claim this inquiry before working on it."
ERROR_NOT_YOURS = "Only the coordinator who claimed this inquiry can release it."
ERROR_OUTCOME = "Choose what happened on the call."
ERROR_SUBSTANCES = "List substances as rows of substance, dose, frequency, duration, last use."
ERROR_KIND = "Choose how the inquiry ended."
ERROR_SCHEDULE_VIA_CONVERT = "Schedule an assessment by converting the inquiry into a patient."
ERROR_MERGE_VIA_MERGE = "Merge a duplicate from the inquiry it repeats."
ERROR_REFERRAL_TARGET = "Choose where the person was referred."
ERROR_CLINICIAN = "Choose a clinician who takes assessments."
ERROR_SCHEDULED_FOR = "Choose when the assessment takes place."
ERROR_OPEN_EPISODE = "This patient already has an open episode; work with it from their chart."
ERROR_DUPLICATES = "Patients with the same name and date of birth, or the same phone, exist."
ERROR_TAKEN = "{name} has this inquiry."
ERROR_NOT_A_MATCH = "Choose one of the likely matches shown for this person."
ERROR_HIDDEN_MATCH = (
    "You cannot see this record. Ask a clinician who cares for this person, or the "
    "clinical director, to attach the inquiry; or, if it cannot wait, state the emergency "
    "(at least 15 characters): that opens emergency access, which is reviewed."
)
SUMMARY_MAX = 300  # records.TimelineEvent.summary
ERROR_CALLER_RELATIONSHIP = "Say how the caller knows the patient (e.g. sister)."
ERROR_CALLER_CONSENT = "Say how the patient consented to the caller being told."
TEAM_ROLE_FOR = {
    "physician": CareTeamRole.ATTENDING_PHYSICIAN,
    "nurse": CareTeamRole.PRIMARY_NURSE,
    "clinical_director": CareTeamRole.CLINICAL_SUPERVISOR,
    "admissions_coordinator": CareTeamRole.ADMISSIONS,
}


class SpamRejected(Exception):
    """The honeypot was filled in: callers answer as if it succeeded and store nothing."""


class CallbackInvalid(ValidationError):
    """Field errors in a callback request, keyed by field (``self_check`` included)."""


def _callback_fields(data: Mapping[str, Any], *, consent_required: bool) -> dict[str, Any]:
    try:
        return callback_fields(data, consent_required=consent_required)
    except ValidationError as exc:
        raise CallbackInvalid(exc.error_dict) from exc


class InquiryConflict(StateConflict):
    """The inquiry's state forbids this (409): it is closed, not claimed, or not yours.

    The body names who holds the inquiry when that is the reason (``claimed_by``).
    """

    def extra_fields(self) -> dict[str, Any]:
        return {"claimed_by": None}


class InquiryTaken(InquiryConflict):
    """Someone else holds the inquiry; ``claimed_by`` is that user."""

    def __init__(self, claimed_by: User) -> None:
        self.claimed_by = claimed_by
        self.claimed_by_name = (claimed_by.get_full_name() or claimed_by.get_username()).strip()
        super().__init__(ERROR_TAKEN.format(name=self.claimed_by_name))

    def extra_fields(self) -> dict[str, Any]:
        return {"claimed_by": self.claimed_by_name}


class LikelyDuplicates(StateConflict):
    """Likely existing patients (409): confirm none is this person or attach to one.

    Matches the user may not see carry only their basis and an opaque token.
    """

    def __init__(self, matches: list[DuplicateMatch]) -> None:
        super().__init__(ERROR_DUPLICATES)
        self.matches = matches

    def extra_fields(self) -> dict[str, Any]:
        return {"duplicates": [duplicate_out(m) for m in self.matches]}


def duplicate_out(match: DuplicateMatch) -> dict[str, Any]:
    """Return a match as the API shows it: identifying fields only when it is visible."""
    shown: dict[str, Any] = {
        "match": match.token,
        "basis": list(match.basis),
        "visible": match.visible,
        "id": None,
        "mrn": None,
        "display_name": None,
        "date_of_birth": None,
    }
    if match.visible:
        patient = match.patient
        shown.update(
            id=patient.pk,
            mrn=patient.mrn,
            display_name=patient.display_name,
            date_of_birth=patient.date_of_birth,
        )
    return shown


def self_check_verify(raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Re-score a self-check result the person chose to send; return what to store.

    The band and flags are recomputed from the answers with the instrument's own
    scoring, so a tampered band cannot change the queue. Raise CallbackInvalid.
    """
    if raw is None:
        return None
    instrument = self_check_get(str(raw.get("code", ""))) if isinstance(raw, Mapping) else None
    if instrument is None or not set(raw) <= SELF_CHECK_KEYS:
        raise CallbackInvalid({"self_check": [ERROR_SELF_CHECK]})
    try:
        result = score(instrument, raw.get("answers") or [])
    except AnswerError as exc:
        raise CallbackInvalid({"self_check": [ERROR_SELF_CHECK]}) from exc
    return {
        "code": result.code,
        "version": result.version,
        "band": result.band,
        "flags": list(result.flags),
        "answers": list(result.answers),
    }


def callback_request_create(
    *,
    data: Mapping[str, Any],
    source_ip: str,
    request: HttpRequest | None = None,
    self_check: Mapping[str, Any] | None = None,
    source: str = InquirySource.WEB,
) -> Inquiry:
    """Check and store a public callback request; return it once it is committed.

    ``data`` holds parsed values (text, and JSON booleans for ``voicemail_ok`` and
    ``consent``), as the public form's ``cleaned_data`` or the API's schema give them;
    ``validation.callback_fields`` has the last word. Raise SpamRejected when the
    honeypot (``website``) is filled, CallbackInvalid for field errors, RateLimited
    when the client is over ``HELPLINE_RATE_LIMIT``. The write is atomic: the
    rate-limit UPSERT (unless off), the inquiry INSERT and its audit event (with the
    limit off, on PostgreSQL, usually a single statement: ``audit_insert``).
    """
    if str(data.get("website") or "").strip():
        raise SpamRejected
    fields = _callback_fields(data, consent_required=True)
    verified = self_check_verify(self_check)
    urgency = urgency_from_self_check(verified)
    event: dict[str, Any] = {
        "action": Action.CREATE,
        "request": request,
        "object_type": "inquiry",
        "detail": {"source": source, "urgency": urgency},
        "actor_username": "public",
    }
    limited = rate_parse(settings.HELPLINE_RATE_LIMIT) is not None
    for attempt in range(REFERENCE_ATTEMPTS):
        # Validated above; full_clean() would add a uniqueness query.
        inquiry = Inquiry(
            reference=reference_new(),
            source=source,
            urgency=urgency,
            received_at=timezone.now(),
            self_check=verified,
            phone_digits=phone_digits(fields["phone"]),
            **fields,
        )
        try:
            # The client's count, the inquiry and its audit event commit together;
            # with the limit off, audit_insert alone is atomic.
            with transaction.atomic() if limited else contextlib.nullcontext():
                if limited and (retry_after := rate_limit_hit(source_ip)) is not None:
                    raise RateLimited(retry_after)
                audit_insert(inquiry, **event)
            return inquiry
        except IntegrityError:
            # A reference code collision (about one in 10**6 at a million rows): retry.
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _require(actor: User, *permissions: str) -> None:
    if not all(actor.has_perm(p) for p in permissions):
        raise PermissionDenied


def _audit(
    actor: User,
    request: HttpRequest | None,
    inquiry: Inquiry,
    *,
    action: str = Action.UPDATE,
    flagged: bool = False,
    **detail: Any,
) -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        patient_id=inquiry.patient_id,
        object_type="inquiry",
        object_id=inquiry.pk,
        flagged=flagged,
        detail=detail,
    )


def _locked(inquiry_id: int) -> Inquiry:
    inquiry = (
        Inquiry.objects.select_for_update(of=("self",))
        .select_related("claimed_by")
        .get(pk=inquiry_id)
    )
    if inquiry.closed_at is not None:
        raise InquiryConflict(ERROR_CLOSED)
    return inquiry


def _workable(actor: User, inquiry: Inquiry) -> Inquiry:
    """Return ``inquiry`` if ``actor`` may work it now: open, and claimed by them."""
    if inquiry.closed_at is not None:
        raise InquiryConflict(ERROR_CLOSED)
    if inquiry.claimed_by is None:
        raise InquiryConflict(ERROR_CLAIM_FIRST)
    if inquiry.claimed_by_id != actor.pk:
        raise InquiryTaken(inquiry.claimed_by)
    return inquiry


def _locked_for_work(actor: User, inquiry_id: int) -> Inquiry:
    _require(actor, WORK_PERMISSION)
    return _workable(actor, _locked(inquiry_id))


@transaction.atomic
def inquiry_log_call(
    *, actor: User, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Inquiry:
    """Record a phone call as an inquiry, claimed by the coordinator who took it.

    The caller is reached (first contact is now) and gave consent by calling.
    Raise CallbackInvalid for field errors.
    """
    _require(actor, WORK_PERMISSION)
    fields = _callback_fields(data, consent_required=False)
    fields["consent"] = True  # by calling
    now = timezone.now()
    inquiry = Inquiry.objects.create(
        reference=reference_new(),
        source=InquirySource.PHONE,
        status=InquiryStatus.CLAIMED,
        received_at=now,
        first_contact_at=now,
        claimed_by=actor,
        claimed_at=now,
        logged_by=actor,
        phone_digits=phone_digits(fields["phone"]),
        **fields,
    )
    _audit(actor, request, inquiry, action=Action.CREATE, source=InquirySource.PHONE)
    return inquiry


@transaction.atomic
def inquiry_claim(*, actor: User, inquiry_id: int, request: HttpRequest | None = None) -> Inquiry:
    """Claim an open inquiry for ``actor``; return it.

    One conditional UPDATE decides the race: it changes the row only while nobody
    holds it, so of two concurrent claims exactly one wins. The loser gets
    InquiryTaken naming who has it. Claiming one's own inquiry again is a no-op.
    """
    _require(actor, WORK_PERMISSION)
    now = timezone.now()
    won = Inquiry.objects.filter(
        pk=inquiry_id, claimed_by__isnull=True, closed_at__isnull=True
    ).update(status=InquiryStatus.CLAIMED, claimed_by=actor, claimed_at=now)
    inquiry = Inquiry.objects.select_related("claimed_by").get(pk=inquiry_id)
    if not won:
        if inquiry.closed_at is not None:
            raise InquiryConflict(ERROR_CLOSED)
        if inquiry.claimed_by is None:  # released since the UPDATE: nobody holds it now
            raise InquiryConflict(ERROR_CLAIM_FIRST)
        if inquiry.claimed_by_id != actor.pk:
            raise InquiryTaken(inquiry.claimed_by)
        return inquiry
    _audit(actor, request, inquiry, claimed=True)
    return inquiry


@transaction.atomic
def inquiry_release(*, actor: User, inquiry_id: int, request: HttpRequest | None = None) -> Inquiry:
    """Put a claimed inquiry back in the open queue (only its holder can)."""
    _require(actor, WORK_PERMISSION)
    inquiry = _locked(inquiry_id)
    if inquiry.claimed_by_id != actor.pk:
        raise InquiryConflict(ERROR_NOT_YOURS)
    inquiry.status, inquiry.claimed_by, inquiry.claimed_at = InquiryStatus.OPEN, None, None
    inquiry.save(update_fields=["status", "claimed_by", "claimed_at"])
    _audit(actor, request, inquiry, released=True)
    return inquiry


@transaction.atomic
def call_attempt_record(
    *,
    actor: User,
    inquiry_id: int,
    outcome: str,
    notes: str = "",
    next_attempt_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> CallAttempt:
    """Record one call attempt; the first "reached" sets the inquiry's first contact."""
    inquiry = _locked_for_work(actor, inquiry_id)
    if outcome not in CallOutcome.values:
        raise ValidationError({"outcome": ERROR_OUTCOME})
    now = timezone.now()
    attempt = CallAttempt(
        inquiry=inquiry,
        outcome=outcome,
        notes=notes.strip(),
        next_attempt_at=next_attempt_at,
        attempted_at=now,
        attempted_by=actor,
    )
    attempt.full_clean()
    attempt.save()
    if outcome == CallOutcome.REACHED and inquiry.first_contact_at is None:
        inquiry.first_contact_at = now
        inquiry.save(update_fields=["first_contact_at"])
    _audit(actor, request, inquiry, call_attempt=attempt.pk, outcome=outcome)
    return attempt


def _clean_substances(rows: Any) -> list[dict[str, str]]:
    if not isinstance(rows, list) or len(rows) > PRESCREEN_SUBSTANCES_MAX:
        raise ValidationError({"substances": ERROR_SUBSTANCES})
    cleaned = []
    for row in rows:
        if not isinstance(row, Mapping) or not set(row) <= set(PRESCREEN_SUBSTANCE_KEYS):
            raise ValidationError({"substances": ERROR_SUBSTANCES})
        values = {k: row.get(k, "") for k in PRESCREEN_SUBSTANCE_KEYS}
        if any(not isinstance(v, str) or len(v) > PRESCREEN_TEXT_MAX for v in values.values()):
            raise ValidationError({"substances": ERROR_SUBSTANCES})
        if not values["substance"].strip():
            raise ValidationError({"substances": ERROR_SUBSTANCES})
        cleaned.append({k: v.strip() for k, v in values.items()})
    return cleaned


PRESCREEN_FIELDS = frozenset(
    f.name
    for f in PreScreen._meta.get_fields()
    if f.name not in {"id", "inquiry", "updated_at", "updated_by"}
)


@transaction.atomic
def prescreen_save(
    *, actor: User, inquiry_id: int, answers: Mapping[str, Any], request: HttpRequest | None = None
) -> PreScreen:
    """Create or replace the pre-screen of an open inquiry and recompute its urgency.

    ``answers`` holds PreScreen fields (unknown keys are refused). Urgency becomes the
    more urgent of what the self-check and the pre-screen's danger rules call for.
    """
    inquiry = _locked_for_work(actor, inquiry_id)
    unknown = sorted(set(answers) - PRESCREEN_FIELDS)
    if unknown:
        raise ValidationError({unknown[0]: "Unknown pre-screen field."})
    prescreen = PreScreen.objects.filter(inquiry=inquiry).first() or PreScreen(inquiry=inquiry)
    for name, value in answers.items():
        setattr(prescreen, name, value)
    prescreen.substances = _clean_substances(prescreen.substances)
    prescreen.updated_at, prescreen.updated_by = timezone.now(), actor
    prescreen.full_clean(exclude=["inquiry"])
    prescreen.save()
    rules = danger_rules(prescreen)
    urgency = min(urgency_from_self_check(inquiry.self_check), urgency_from_rules(rules))
    if urgency != inquiry.urgency:
        inquiry.urgency = urgency
        inquiry.save(update_fields=["urgency"])
    # How many danger rules fired, not which: the log holds no clinical values.
    _audit(actor, request, inquiry, prescreen=prescreen.pk, rules=len(rules))
    return prescreen


def _close(inquiry: Inquiry, kind: str, now: dt.datetime, patient: Patient | None = None) -> None:
    inquiry.status, inquiry.closed_at, inquiry.disposition_kind = InquiryStatus.CLOSED, now, kind
    inquiry.patient = patient or inquiry.patient
    inquiry.save(update_fields=["status", "closed_at", "disposition_kind", "patient"])


@transaction.atomic
def disposition_record(
    *,
    actor: User,
    inquiry_id: int,
    kind: str,
    referral_target: str = "",
    referral_detail: str = "",
    notes: str = "",
    request: HttpRequest | None = None,
) -> Disposition:
    """Close an inquiry as referred elsewhere, not a fit, or lost contact.

    Scheduling an assessment goes through ``inquiry_convert`` (it creates the patient).
    """
    inquiry = _locked_for_work(actor, inquiry_id)
    if kind == DispositionKind.SCHEDULE_ASSESSMENT:
        raise ValidationError({"kind": ERROR_SCHEDULE_VIA_CONVERT})
    if kind == DispositionKind.MERGED:
        raise ValidationError({"kind": ERROR_MERGE_VIA_MERGE})
    if kind not in DispositionKind.values:
        raise ValidationError({"kind": ERROR_KIND})
    if kind == DispositionKind.REFERRED and referral_target not in ReferralTarget.values:
        raise ValidationError({"referral_target": ERROR_REFERRAL_TARGET})
    now = timezone.now()
    disposition = Disposition(
        inquiry=inquiry,
        kind=kind,
        referral_target=referral_target if kind == DispositionKind.REFERRED else "",
        referral_detail=referral_detail.strip(),
        notes=notes.strip(),
        created_at=now,
        created_by=actor,
    )
    disposition.full_clean(exclude=["inquiry"])
    disposition.save()
    _close(inquiry, kind, now)
    _audit(actor, request, inquiry, disposition=disposition.pk, kind=kind)
    return disposition


def inquiry_convert(
    *,
    actor: User,
    inquiry_id: int,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    sex_at_birth: str,
    scheduled_for: dt.datetime,
    clinician: User | None,
    confirm_not_duplicate: bool = False,
    confirm_double_booking: bool = False,
    existing_patient_id: int | None = None,
    existing_match: str | None = None,
    emergency_reason: str = "",
    notes: str = "",
    caller_relationship: str = "",
    caller_may_be_told: bool = False,
    caller_consent_note: str = "",
    patient_phone: str = "",
    request: HttpRequest | None = None,
) -> Disposition:
    """Schedule an assessment: make the inquiry a Patient with an episode at assessment.

    The names are the patient's own. When the inquiry is for someone else, the caller is
    recorded as the patient's contact (``caller_relationship`` required; they may be told
    anything only with the patient's consent: ``caller_may_be_told`` with
    ``caller_consent_note``), never as the patient's name or phone: ``patient_phone`` is
    the patient's own number, if known, and the one the duplicate check compares.
    ``clinician`` must hold the permission to take assessments; when they already have
    an assessment overlapping ``scheduled_for``, raise ``bookings.ClinicianBooked``
    unless ``confirm_double_booking``.

    Without a chosen match a new patient is registered, unless likely duplicates exist
    (same name and date of birth, or same phone): then raise LikelyDuplicates (each match
    shown is audited; ones ``actor`` may not see are not identified) unless
    ``confirm_not_duplicate``. ``existing_patient_id`` names a match ``actor`` may see;
    ``existing_match`` names any match by its token. Attaching to a match ``actor`` may
    not see takes emergency access: ``emergency_reason`` opens a break-glass grant
    (flagged, reviewed), and then nobody is added to the care team, since that would
    outlast the emergency. Otherwise the clinician joins the care team, so the patient
    shows on their dashboard. The person is readmitted as a new episode (they must
    have no open episode).
    """
    _require(actor, WORK_PERMISSION, REGISTER_PERMISSION)
    if clinician is None or not clinician.is_active or not clinician.has_perm(CLINICIAN_PERMISSION):
        raise ValidationError({"clinician": ERROR_CLINICIAN})
    if scheduled_for is None or timezone.is_naive(scheduled_for):
        raise ValidationError({"scheduled_for": ERROR_SCHEDULED_FOR})
    booking_check(clinician=clinician, when=scheduled_for, confirmed=confirm_double_booking)
    # Read (not locked) to look for matches; the conversion locks and checks it again.
    inquiry = _workable(actor, Inquiry.objects.select_related("claimed_by").get(pk=inquiry_id))
    caller = _caller_contact(
        inquiry,
        relationship=caller_relationship,
        may_be_told=caller_may_be_told,
        consent_note=caller_consent_note,
        patient_phone=patient_phone,
    )
    matches = duplicate_matches(
        actor=actor,
        inquiry=inquiry,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        patient_phone=patient_phone,
    )
    target = _chosen_match(matches, existing_patient_id, existing_match)
    if target is None and matches and not confirm_not_duplicate:
        # Audited outside the conversion's transaction: what was disclosed stays recorded.
        duplicate_matches_shown(actor=actor, inquiry=inquiry, matches=matches, request=request)
        raise LikelyDuplicates(matches)
    with transaction.atomic():
        return _convert(
            actor=actor,
            inquiry=_locked_for_work(actor, inquiry_id),
            target=target,
            emergency_reason=emergency_reason,
            patient_fields={
                "legal_given_name": given_name.strip(),
                "legal_family_name": family_name.strip(),
                "date_of_birth": date_of_birth,
                "sex_at_birth": sex_at_birth,
                "phone_mobile": patient_phone.strip(),
            },
            scheduled_for=scheduled_for,
            clinician=clinician,
            confirm_not_duplicate=confirm_not_duplicate,
            notes=notes,
            caller=caller,
            request=request,
        )


def _caller_contact(
    inquiry: Inquiry, *, relationship: str, may_be_told: bool, consent_note: str, patient_phone: str
) -> dict[str, Any] | None:
    """Return the caller as a contact of the patient (None when they called for themselves).

    Raise ValidationError for a missing relationship, consent without how it was given,
    or a patient phone that cannot be dialled.
    """
    problems: dict[str, str] = {}
    if patient_phone.strip() and (problem := phone_problem(patient_phone.strip())):
        problems["patient_phone"] = problem
    if inquiry.for_whom != ForWhom.SOMEONE_ELSE:
        if problems:
            raise ValidationError(problems)
        return None
    if not relationship.strip():
        problems["caller_relationship"] = ERROR_CALLER_RELATIONSHIP
    if may_be_told and not consent_note.strip():
        problems["caller_consent_note"] = ERROR_CALLER_CONSENT
    if problems:
        raise ValidationError(problems)
    return {
        "name": inquiry.name,
        "relationship": relationship,
        "phone": inquiry.phone,
        "may_be_told": bool(may_be_told),
        "consent_note": consent_note if may_be_told else "",
        "source": f"Helpline inquiry {inquiry.reference}",
    }


def _chosen_match(
    matches: list[DuplicateMatch], existing_patient_id: int | None, existing_match: str | None
) -> DuplicateMatch | None:
    """Return the match the caller chose, refusing anything that is not one of ``matches``.

    An id is accepted only for a visible match, so ids cannot be probed; a wrong id and
    a hidden one get the same answer.
    """
    if existing_patient_id is not None:
        found = next(
            (m for m in matches if m.visible and m.patient.pk == existing_patient_id), None
        )
        if found is None:
            raise ValidationError({"existing_patient_id": ERROR_NOT_A_MATCH})
        return found
    if existing_match:
        found = next(
            (m for m in matches if hmac.compare_digest(m.token, existing_match.strip())), None
        )
        if found is None:
            raise ValidationError({"existing_match": ERROR_NOT_A_MATCH})
        return found
    return None


def _convert(
    *,
    actor: User,
    inquiry: Inquiry,
    target: DuplicateMatch | None,
    emergency_reason: str,
    patient_fields: dict[str, Any],
    scheduled_for: dt.datetime,
    clinician: User,
    confirm_not_duplicate: bool,
    notes: str,
    caller: dict[str, Any] | None,
    request: HttpRequest | None,
) -> Disposition:
    reason = f"Helpline inquiry {inquiry.reference}"
    emergency = False
    if target is not None:
        patient = target.patient
        basis = access_basis(actor, patient)
        if basis is None:
            if not emergency_reason.strip():
                raise ValidationError({"emergency_reason": ERROR_HIDDEN_MATCH})
            try:
                break_glass_grant(
                    user=actor, patient=patient, reason=emergency_reason, request=request
                )
            except ValidationError as exc:
                raise ValidationError({"emergency_reason": exc.messages}) from exc
            basis = AccessBasis.BREAK_GLASS
        emergency = basis == AccessBasis.BREAK_GLASS
        if EpisodeOfCare.objects.filter(patient=patient, ended_at__isnull=True).exists():
            raise InquiryConflict(ERROR_OPEN_EPISODE)
        episode_readmit(
            actor=actor, request=request, patient=patient, reason=reason, stage=Stage.ASSESSMENT
        )
    else:
        # The name and phone on the inquiry are the caller's: the patient's own only when
        # they called for themselves.
        alias = inquiry.name.strip() if caller is None else ""
        given = patient_fields["legal_given_name"]
        if caller is None:
            patient_fields = {**patient_fields, "phone_mobile": inquiry.phone}
        patient = patient_register(
            actor=actor,
            request=request,
            stage=Stage.ASSESSMENT,
            mrn=mrn_next(),
            preferred_name=alias if alias.lower() != given.lower() else "",
            **patient_fields,
        )
    if caller is not None:
        patient_contact_add(actor=actor, request=request, patient=patient, **caller)
    on_team = CareTeamMember.objects.filter(patient=patient, user=clinician, active=True).exists()
    if not emergency and not on_team:
        care_team_add(
            actor=actor,
            request=request,
            patient=patient,
            user=clinician,
            team_role=TEAM_ROLE_FOR.get(clinician.role, CareTeamRole.PRIMARY_COUNSELOR),
        )
    now = timezone.now()
    disposition = Disposition.objects.create(
        inquiry=inquiry,
        kind=DispositionKind.SCHEDULE_ASSESSMENT,
        scheduled_for=scheduled_for,
        clinician=clinician,
        notes=notes.strip(),
        created_at=now,
        created_by=actor,
    )
    _close(inquiry, DispositionKind.SCHEDULE_ASSESSMENT, now, patient=patient)
    episode = patient.episodes.filter(ended_at__isnull=True).first()
    _prescreen_hand_over(actor, request, inquiry, episode)
    when = timezone.localtime(scheduled_for)
    team = "" if emergency or on_team else f"; {clinician} joined the care team"
    if caller is not None:
        told = "may be told (patient's consent)" if caller["may_be_told"] else "tell nothing"
        team += f"; caller {caller['name']} ({caller['relationship']}) is a contact: {told}"
    timeline_add(
        patient=patient,
        episode=episode,
        kind=TimelineKind.CONTACT,
        actor=actor,
        # A long caller name or relationship must not overflow the summary column.
        summary=f"{reason}: assessment scheduled for {when:%Y-%m-%d %H:%M} with {clinician}{team}"[
            :SUMMARY_MAX
        ],
        occurred_at=now,
    )
    _audit(
        actor,
        request,
        inquiry,
        disposition=disposition.pk,
        kind=DispositionKind.SCHEDULE_ASSESSMENT,
        duplicates_confirmed=bool(confirm_not_duplicate),
        readmitted=target is not None,
        emergency=emergency,
        flagged=emergency,
    )
    return disposition


# What the intake starts from (records.EpisodeHandoff documents the shape).
PRESCREEN_HANDOFF_FIELDS = (
    "substances",
    "alcohol_co_use",
    "opioid_co_use",
    "withdrawal_seizures",
    "withdrawal_complications",
    "withdrawal_now",
    "withdrawal_seizure_or_confusion_now",
    "hours_since_last_dose",
    "pregnancy",
    "suicidal_thoughts",
    "medical_conditions",
    "psychiatric_conditions",
    "current_prescriber",
)


def _prescreen_hand_over(
    actor: User, request: HttpRequest | None, inquiry: Inquiry, episode: EpisodeOfCare | None
) -> None:
    """Hand the inquiry's pre-screen to the new episode, for the intake to start from."""
    prescreen = PreScreen.objects.filter(inquiry=inquiry).select_related("updated_by").first()
    if prescreen is None or episode is None:
        return
    episode_handoff_add(
        actor=actor,
        request=request,
        episode=episode,
        source=HandoffSource.PRESCREEN,
        source_reference=inquiry.reference,
        recorded_at=prescreen.updated_at,
        recorded_by=prescreen.updated_by,
        data={name: getattr(prescreen, name) for name in PRESCREEN_HANDOFF_FIELDS},
    )
