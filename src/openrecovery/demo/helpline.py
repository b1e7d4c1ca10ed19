"""A coordinator's work on helpline inquiries, through the helpline services, then backdated.

``HelplineDesk`` receives inquiries (``callback_request_create`` for web and API
callbacks, ``inquiry_log_call`` for calls taken by phone), claims them, records call
attempts, pre-screens, closes them with a disposition or converts them into patients
(``inquiry_convert``). Each service stamps "now" and audits itself; the desk then moves
the times it wrote (received, contacted, claimed, closed) back to when the story says
they happened. Callers are fictional: Faker names or initials, 555-01xx phone numbers.
"""

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.helpline.bookings import clinician_bookings
from openrecovery.helpline.choices import (
    CallOutcome,
    ForWhom,
    InquirySource,
    Pregnancy,
    ReferralSource,
)
from openrecovery.helpline.duplicates import duplicate_matches
from openrecovery.helpline.merging import inquiry_merge
from openrecovery.helpline.models import CallAttempt, Disposition, Inquiry, PreScreen
from openrecovery.helpline.public.selfcheck import self_check_payload
from openrecovery.helpline.services import (
    call_attempt_record,
    callback_request_create,
    disposition_record,
    inquiry_claim,
    inquiry_convert,
    inquiry_log_call,
    inquiry_release,
    prescreen_save,
)
from openrecovery.records.models import EpisodeOfCare, Patient

from .people import People

DESK_SEED_OFFSET = 3  # the stories' desk draws from DEMO_SEED + 3
# Callback requests come from addresses of TEST-NET-1 (RFC 5737, for documentation), one
# after another, so the demo load stays under the per-address rate limit.
CALLER_NETWORK = "192.0.2."
BEST_TIMES = ("", "", "Evenings", "After 5 pm", "Mornings before 9", "Any time", "Lunch break")
SUBSTANCES = (
    {"substance": "clonazepam", "dose": "2 mg", "frequency": "daily", "duration": "3 years"},
    {"substance": "alprazolam", "dose": "1 mg", "frequency": "3 a day", "duration": "2 years"},
    {"substance": "lorazepam", "dose": "2.5 mg", "frequency": "daily", "duration": "18 months"},
    {"substance": "diazepam", "dose": "20 mg", "frequency": "most days", "duration": "5 years"},
)
ALCOHOL = {"substance": "alcohol", "dose": "4 drinks", "frequency": "weekends", "duration": ""}
OXYCODONE = {"substance": "oxycodone", "dose": "10 mg", "frequency": "daily", "duration": "1 year"}
LAST_USE = ("this morning", "last night", "yesterday", "2 days ago")
# What the caller says they use, as the callback form's free text.
SUBSTANCE_TEXT = {
    "clonazepam": "Klonopin, prescribed, but I take more than I should",
    "alprazolam": "Xanax most days",
    "lorazepam": "Ativan for sleep and anxiety",
    "diazepam": "Valium, for years",
}
# Pre-screen answers besides the substances: each preset makes the danger rules show
# their banners (see ``helpline.rules``); "plain" shows only the benzodiazepine advice.
DANGERS: dict[str, dict[str, Any]] = {
    "plain": {},
    "alcohol": {"alcohol_co_use": True},
    "seizures": {"withdrawal_seizures": True, "withdrawal_complications": True},
    "opioids": {"opioid_co_use": True},
    "pregnancy": {"pregnancy": Pregnancy.YES},
    "suicidal": {"suicidal_thoughts": True},
    "overdose": {"overdose_signs": True},
}
MEDICAL = ("", "", "High blood pressure", "Asthma", "Type 2 diabetes", "Migraines")
PSYCHIATRIC = ("Panic attacks", "Generalized anxiety", "Insomnia", "Depression", "")
INSURERS = ("Lakeside Health Plan", "Harbor Mutual", "Self-pay", "Northfield Care Plan")
# Self-check answers (16 yes/no, see instruments/definitions/selfcheck_benzo.py) by the
# result they give: the number of signs (items 3-13), then mixing, seizure, self-harm.
SELF_CHECKS: dict[str, tuple[int, int, int, int]] = {
    "few_signs": (3, 0, 0, 0),
    "some_signs": (5, 1, 0, 0),
    "many_signs": (8, 0, 0, 0),
    "seizure": (6, 0, 1, 0),
    "self_harm": (7, 1, 0, 1),
}
SIGN_ITEMS = 11
RELATIVE_CALLS_EVERY = 4
APPOINTMENT_HOURS = (9, 10, 11, 13, 14, 15)  # when assessments start
APPOINTMENT_DAYS = 14  # how far ahead the desk looks for a free slot
ERROR_NO_SLOT = "The demo clinician has no free assessment slot in the next %d days."


class HelplineDesk:
    """Work inquiries through the helpline services, and backdate what they recorded."""

    def __init__(self, staff: dict[str, User], people: People) -> None:
        self.staff = staff
        self.people = people
        self.rng = people.rng
        self.coordinator = staff["admissions"]
        self.clinician = staff["counselor"]  # who takes the assessments, unless told
        self._addresses = itertools.count()
        self._conversions = itertools.count()

    def caller(self, **more: Any) -> dict[str, Any]:
        """Return what a fictional caller gives: name or alias, phone, and so on."""
        rng = self.rng
        first = rng.choice(SUBSTANCES)["substance"]
        return {
            "name": self.people.caller_name(),
            "phone": self.people.phone(),
            "best_time": rng.choice(BEST_TIMES),
            "for_whom": ForWhom.MYSELF if rng.random() < 0.75 else ForWhom.SOMEONE_ELSE,
            "substances": SUBSTANCE_TEXT[first] if rng.random() < 0.7 else "",
            "voicemail_ok": rng.random() < 0.6,
            "message": "",
        } | more

    def self_check(self, result: str) -> dict[str, Any]:
        """Return a self-check the person chose to send, with the result ``result``."""
        signs, mixing, seizure, self_harm = SELF_CHECKS[result]
        counted = [0] * SIGN_ITEMS
        for index in self.rng.sample(range(SIGN_ITEMS), signs):
            counted[index] = 1
        prescribed = int(self.rng.random() < 0.5)
        return self_check_payload([prescribed, 1, *counted, mixing, seizure, self_harm])

    def prescreen_answers(self, danger: str) -> dict[str, Any]:
        """Return pre-screen answers with the ``danger`` preset (a benzodiazepine always)."""
        rng = self.rng
        rows = [rng.choice(SUBSTANCES) | {"last_use": rng.choice(LAST_USE)}]
        if danger == "alcohol":
            rows.append(ALCOHOL | {"last_use": "last night"})
        if danger == "opioids":
            rows.append(OXYCODONE | {"last_use": "this morning"})
        insurer = rng.choice(INSURERS)
        return {
            "substances": rows,
            "pregnancy": rng.choice((Pregnancy.NO, Pregnancy.NOT_APPLICABLE, Pregnancy.UNKNOWN)),
            "medical_conditions": rng.choice(MEDICAL),
            "psychiatric_conditions": rng.choice(PSYCHIATRIC),
            "current_prescriber": f"Dr. {self.people.fake.last_name()} (primary care)",
            "insurance_provider": insurer,
            "insurance_member_id": "" if insurer == "Self-pay" else f"M{rng.randrange(10**7):07d}",
            "referral_source": rng.choice(ReferralSource.values),
        } | DANGERS[danger]

    def receive(
        self,
        *,
        source: str,
        received: dt.datetime,
        data: dict[str, Any],
        actor: User | None = None,
        self_check: dict[str, Any] | None = None,
    ) -> Inquiry:
        """Take an inquiry in: a callback (web or API) or a call ``actor`` answered."""
        if source == InquirySource.PHONE:
            inquiry = inquiry_log_call(actor=actor or self.coordinator, data=data)
            times = {"first_contact_at": received, "claimed_at": received}
        else:
            address = f"{CALLER_NETWORK}{next(self._addresses) % 254 + 1}"
            inquiry = callback_request_create(
                data=data | {"consent": True},
                source_ip=address,
                self_check=self_check,
                source=source,
            )
            times = {}
        Inquiry.objects.filter(pk=inquiry.pk).update(received_at=received, **times)
        return inquiry

    def claim(self, inquiry: Inquiry, actor: User, at: dt.datetime) -> None:
        inquiry_claim(actor=actor, inquiry_id=inquiry.pk)
        Inquiry.objects.filter(pk=inquiry.pk).update(claimed_at=at)

    def release(self, inquiry: Inquiry, actor: User) -> None:
        inquiry_release(actor=actor, inquiry_id=inquiry.pk)

    def call(
        self,
        inquiry: Inquiry,
        actor: User,
        outcome: str,
        at: dt.datetime,
        *,
        notes: str = "",
        next_at: dt.datetime | None = None,
    ) -> None:
        """Record a call attempt at ``at``; the first that reaches the person is first contact."""
        attempt = call_attempt_record(
            actor=actor,
            inquiry_id=inquiry.pk,
            outcome=outcome,
            notes=notes,
            next_attempt_at=next_at,
        )
        CallAttempt.objects.filter(pk=attempt.pk).update(attempted_at=at)
        if outcome == CallOutcome.REACHED:
            # The service set first contact to now; an earlier contact stays.
            Inquiry.objects.filter(pk=inquiry.pk, first_contact_at__gt=at).update(
                first_contact_at=at
            )

    def prescreen(self, inquiry: Inquiry, actor: User, danger: str, at: dt.datetime) -> None:
        prescreen = prescreen_save(
            actor=actor, inquiry_id=inquiry.pk, answers=self.prescreen_answers(danger)
        )
        PreScreen.objects.filter(pk=prescreen.pk).update(updated_at=at)

    def close(
        self,
        inquiry: Inquiry,
        actor: User,
        kind: str,
        at: dt.datetime,
        *,
        referral_target: str = "",
        referral_detail: str = "",
        notes: str = "",
    ) -> None:
        """Close the inquiry with a disposition (not a conversion) at ``at``."""
        disposition = disposition_record(
            actor=actor,
            inquiry_id=inquiry.pk,
            kind=kind,
            referral_target=referral_target,
            referral_detail=referral_detail,
            notes=notes,
        )
        Disposition.objects.filter(pk=disposition.pk).update(created_at=at)
        Inquiry.objects.filter(pk=inquiry.pk).update(closed_at=at)

    def merge(self, kept: Inquiry, duplicate: Inquiry, actor: User, at: dt.datetime) -> None:
        """Merge ``duplicate`` (the same phone) into ``kept`` at ``at``."""
        inquiry_merge(actor=actor, inquiry_id=kept.pk, duplicate_id=duplicate.pk)
        Disposition.objects.filter(inquiry=duplicate).update(created_at=at)
        Inquiry.objects.filter(pk=duplicate.pk).update(closed_at=at)

    def conversion(
        self,
        *,
        fields: dict[str, Any],
        patient: Patient | None,
        when: dt.datetime,
        withdrawal: bool,
        clinician: User | None = None,
    ) -> tuple[Patient, EpisodeOfCare]:
        """Take in an inquiry and convert it at ``when``: the person's episode at assessment.

        ``fields`` describe a new person; ``patient`` is someone already registered (the
        conversion readmits them). ``withdrawal`` says their path leads to withdrawal
        management, so the pre-screen found a reason for supervision. The assessment is
        booked with ``clinician`` (the demo counselor by default) at a slot they have free.
        """
        rng = self.rng
        clinician = clinician or self.clinician
        person = _person(patient) if patient is not None else fields
        received = when - dt.timedelta(minutes=rng.uniform(30, 480))
        source = rng.choice((InquirySource.WEB, InquirySource.WEB, InquirySource.PHONE))
        # Every fourth new person was called in by their emergency contact (a relative
        # or friend): that caller becomes their contact, never their name (no rng drawn,
        # so the rest of the demo stays as it was).
        relative = patient is None and next(self._conversions) % RELATIVE_CALLS_EVERY == 0
        data = self.caller(
            name=person["preferred_name"] or person["legal_given_name"],
            phone=person["phone_mobile"],
            for_whom=ForWhom.MYSELF,
        )
        caller: dict[str, Any] = {}
        if relative and person.get("emergency_contact_name"):
            data |= {
                "name": person["emergency_contact_name"].split()[0],
                "phone": person["emergency_contact_phone"],
                "for_whom": ForWhom.SOMEONE_ELSE,
            }
            caller = {
                "caller_relationship": person["emergency_contact_relationship"].lower(),
                "patient_phone": person["phone_mobile"],
            }
        sent = self.self_check("some_signs") if rng.random() < 0.4 else None
        inquiry = self.receive(source=source, received=received, data=data, self_check=sent)
        contact = received
        if source != InquirySource.PHONE:
            wait = dt.timedelta(minutes=rng.uniform(3, 40))
            contact = received + min(wait, (when - received) / 2)
            self.claim(inquiry, self.coordinator, contact - dt.timedelta(minutes=1))
            self.call(inquiry, self.coordinator, CallOutcome.REACHED, contact)
        danger = rng.choice(("seizures", "alcohol")) if withdrawal else "plain"
        self.prescreen(inquiry, self.coordinator, danger, contact + (when - contact) / 3)
        names = {
            "given_name": person["legal_given_name"],
            "family_name": person["legal_family_name"],
            "date_of_birth": person["date_of_birth"],
        }
        actor = self.coordinator
        if patient is not None:
            # A former patient: the coordinator may not open the closed chart, so hands
            # the inquiry to the director, who can, to attach it (ADR 0007).
            actor = self.staff["director"]
            self.release(inquiry, self.coordinator)
            self.claim(inquiry, actor, contact)
        matches = duplicate_matches(
            actor=actor, inquiry=inquiry, patient_phone=caller.get("patient_phone", ""), **names
        )
        disposition = inquiry_convert(
            actor=actor,
            inquiry_id=inquiry.pk,
            sex_at_birth=person["sex_at_birth"],
            scheduled_for=self._appointment(when, clinician),
            clinician=clinician,
            # A coordinator checked the likely matches: none of them is this new person.
            confirm_not_duplicate=patient is None and bool(matches),
            existing_patient_id=patient.pk if patient is not None else None,
            **names,
            **caller,
        )
        Disposition.objects.filter(pk=disposition.pk).update(created_at=when)
        Inquiry.objects.filter(pk=inquiry.pk).update(closed_at=when)
        converted = Patient.objects.get(inquiries=inquiry)
        if patient is None:
            self._identity_record(converted, fields, clinician)
        return converted, converted.episodes.get(ended_at__isnull=True)

    def _identity_record(self, patient: Patient, fields: dict[str, Any], by: User) -> None:
        """Record the gender identity and pronouns the assessment asks (the call did not)."""
        asked = {"gender_identity": fields["gender_identity"], "pronouns": fields["pronouns"]}
        Patient.objects.filter(pk=patient.pk).update(**asked)
        audit_record(
            action=Action.UPDATE,
            actor=by,
            patient_id=patient.pk,
            object_type="patient",
            object_id=patient.pk,
            detail={"fields": sorted(asked)},
        )

    def _appointment(self, when: dt.datetime, clinician: User) -> dt.datetime:
        """Return a slot ``clinician`` has free, on the first day after ``when`` that has one."""
        start = timezone.localtime(when).replace(minute=0, second=0, microsecond=0)
        for days in range(1, APPOINTMENT_DAYS + 1):
            day = start + dt.timedelta(days=days)
            slots = [day.replace(hour=h, minute=m) for h in APPOINTMENT_HOURS for m in (0, 30)]
            self.rng.shuffle(slots)
            free = [s for s in slots if not clinician_bookings(clinician, s)]
            if free:
                return free[0]
        raise RuntimeError(ERROR_NO_SLOT % APPOINTMENT_DAYS)


def _person(patient: Patient) -> dict[str, Any]:
    names = ("legal_given_name", "legal_family_name", "preferred_name", "date_of_birth")
    return {name: getattr(patient, name) for name in (*names, "sex_at_birth", "phone_mobile")}
