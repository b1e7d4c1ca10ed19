"""Likely existing patients for an inquiry, disclosed only to those who may see them.

A coordinator converting an inquiry must know that the caller may already be a patient
(same name and date of birth, or the same phone), but the match must not become a way
to read records outside the access gate: for a patient the user may not see, the match
says only that it exists and on what basis, never who it is. Such a match is named by
an opaque token (an HMAC of the inquiry and the patient), so the browser never holds
the patient's id. Every match shown is audited with its patient id and basis. See
docs/adr/0007-duplicates-without-disclosure.md.
"""

import dataclasses
import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.privacy.gates import access_basis
from openrecovery.records.models import Patient

from .choices import ForWhom
from .models import Inquiry

DUPLICATES_LIMIT = 10
BASIS_NAME_AND_BIRTH_DATE = "name_and_birth_date"
BASIS_PHONE = "phone"
BASIS_LABELS = {
    BASIS_NAME_AND_BIRTH_DATE: "same name and date of birth",
    BASIS_PHONE: "same phone number",
}
TOKEN_LENGTH = 24


@dataclasses.dataclass(frozen=True)
class DuplicateMatch:
    """One likely existing patient, and whether the user may be told who it is."""

    patient: Patient
    basis: tuple[str, ...]
    visible: bool
    token: str

    @property
    def basis_label(self) -> str:
        return " and ".join(BASIS_LABELS[b] for b in self.basis)


def match_token(inquiry: Inquiry, patient_id: int) -> str:
    """Return the opaque name of a match: it reveals nothing and works for this inquiry only."""
    message = f"helpline-duplicate:{inquiry.pk}:{patient_id}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return digest[:TOKEN_LENGTH]


def _bases(
    patient: Patient, *, given: str, family: str, date_of_birth: dt.date | None, phone: str
) -> tuple[str, ...]:
    bases = []
    if (
        date_of_birth is not None
        and patient.search_given == given
        and patient.search_family == family
        and patient.date_of_birth == date_of_birth
    ):
        bases.append(BASIS_NAME_AND_BIRTH_DATE)
    if phone and phone in (patient.phone_mobile, patient.phone_home):
        bases.append(BASIS_PHONE)
    return tuple(bases)


def duplicate_matches(
    *,
    actor: User,
    inquiry: Inquiry,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None,
    patient_phone: str = "",
) -> list[DuplicateMatch]:
    """Return the patients who may be this person, each marked visible to ``actor`` or not.

    The phone compared is the inquiry's when the person called for themselves, else the
    patient's own (``patient_phone``): a relative's number says nothing about who the
    patient is.

    Visible means the access gate lets ``actor`` open the chart (care team, coverage of
    the current stage, or an unexpired break-glass grant). Nothing is audited here:
    ``duplicate_matches_shown`` audits what is disclosed.
    """
    given, family = given_name.strip().lower(), family_name.strip().lower()
    phone = (inquiry.phone if inquiry.for_whom == ForWhom.MYSELF else patient_phone).strip()
    condition = Q()
    if given and family and date_of_birth is not None:
        condition |= Q(search_given=given, search_family=family, date_of_birth=date_of_birth)
    if phone:
        condition |= Q(phone_mobile=phone) | Q(phone_home=phone)
    if not condition:
        return []
    patients = Patient.objects.filter(condition).order_by("mrn")[:DUPLICATES_LIMIT]
    return [
        DuplicateMatch(
            patient=patient,
            basis=_bases(
                patient, given=given, family=family, date_of_birth=date_of_birth, phone=phone
            ),
            visible=access_basis(actor, patient) is not None,
            token=match_token(inquiry, patient.pk),
        )
        for patient in patients
    ]


def duplicate_matches_shown(
    *,
    actor: User,
    inquiry: Inquiry,
    matches: list[DuplicateMatch],
    request: HttpRequest | None = None,
) -> None:
    """Audit each match shown to ``actor``: its patient, the basis, and whether it was named.

    Called outside the conversion's transaction, so the record of what was disclosed
    stays even though the conversion stops to ask.
    """
    for match in matches:
        audit_record(
            action=Action.SEARCH,
            actor=actor,
            request=request,
            patient_id=match.patient.pk,
            object_type="duplicate_match",
            object_id=inquiry.pk,
            detail={"basis": list(match.basis), "disclosed": match.visible},
        )
