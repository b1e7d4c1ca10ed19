"""Helpline data for tests: stored callback requests, and the public help pages' forms."""

import datetime as dt
import itertools
import re
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.test import Client
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.helpline.public.selfcheck import SELF_CHECK
from openrecovery.helpline.services import callback_request_create, inquiry_claim, inquiry_convert
from tests.support.factories import make_staff
from tests.support.pages import collect

CRISIS_LINKS = ("tel:911", "tel:988", "tel:18006624357", "tel:18002221222")
CRISIS_NUMBERS = ("911", "988", "1-800-662-4357", "1-800-222-1222")
NUMBERS = [item.number for item in SELF_CHECK.items]
HIDDEN_ANSWERS = re.compile(r'name="self_check_answers" value="([^"]*)"')
# A valid callback request as the service takes it (the form posts strings: callback_data).
VALID = {
    "name": "Sam",
    "phone": "(555) 010-4477",
    "best_time": "evenings",
    "for_whom": "myself",
    "substances": "clonazepam",
    "voicemail_ok": False,
    "consent": True,
    "message": "",
}
# Who a converted inquiry registers: the console's form and the API take these fields alike.
CONVERTED_PERSON = {
    "given_name": "Samantha",
    "family_name": "Rivera",
    "date_of_birth": "1990-05-04",
    "sex_at_birth": "female",
}


def callback(**overrides):
    """Store a valid public callback request (the rate limit must be off, or not yet reached)."""
    self_check = overrides.pop("self_check", None)
    return callback_request_create(
        data={**VALID, **overrides}, source_ip="203.0.113.9", self_check=self_check
    )


def assert_crisis_resources(body: str) -> None:
    """Fail unless the page shows the four crisis numbers as tap-to-call links and /crisis/."""
    links = collect(body).links
    for number in CRISIS_NUMBERS:
        assert number in body, number
    for tel in CRISIS_LINKS:
        assert tel in links, tel
    assert "/crisis/" in links


def self_check_data(yes: set[str] = frozenset()) -> dict[str, str]:
    """Return a complete self-check POST: yes to ``yes``, no to the others."""
    return {f"item_{n}": "1" if n in yes else "0" for n in NUMBERS}


def table_counts() -> dict[str, int]:
    """Return the number of rows in every table the project has (to show nothing changed)."""
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def callback_data(**overrides: str) -> dict[str, str]:
    """Return a valid callback request (fictional person) with ``overrides``."""
    data = {
        "name": "Sam",
        "phone": "555-0142",
        "best_time": "Evenings",
        "for_whom": "myself",
        "substances": "Clonazepam",
        "voicemail_ok": "",
        "consent": "on",
        "message": "",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def prefilled_answers(client: Client, yes: set[str]) -> str:
    """Take the self-check and return the answers its result page would send on."""
    response = client.post("/help/self-check/", self_check_data(yes))
    match = HIDDEN_ANSWERS.search(response.content.decode())
    assert match, "the result page offers no way to send the answers"
    return match.group(1)


def prescreen_answers(**overrides: Any) -> SimpleNamespace:
    """Return pre-screen answers for the danger rules: nothing reported, but ``overrides``."""
    base = dict(
        overdose_signs=False,
        suicidal_thoughts=False,
        withdrawal_seizures=False,
        withdrawal_complications=False,
        alcohol_co_use=False,
        opioid_co_use=False,
        pregnancy="unknown",
        substances=[],
        withdrawal_now=False,
        withdrawal_seizure_or_confusion_now=False,
        hours_since_last_dose=None,
    )
    return SimpleNamespace(**{**base, **overrides})


# Each conversion books the next two-hour slot, so that no test double-books by accident.
_SLOTS = itertools.count()


def convert(actor: Any, inquiry: Any, clinician: Any, **extra: Any) -> Any:
    """Schedule an assessment for ``inquiry`` tomorrow (a free slot), registering Samantha
    Rivera (born 1990-05-04) unless ``extra`` names someone else."""
    person = {
        "given_name": "Samantha",
        "family_name": "Rivera",
        "date_of_birth": dt.date(1990, 5, 4),
        "sex_at_birth": "female",
    }
    return inquiry_convert(
        actor=actor,
        inquiry_id=inquiry.pk,
        scheduled_for=timezone.now() + dt.timedelta(days=1, hours=2 * next(_SLOTS)),
        clinician=clinician,
        **{**person, **extra},
    )


def assessment_booked(coordinator, clinician, when, *, phone: str, given: str = "Marcus", **extra):
    """Claim a new callback and convert it: ``clinician`` then sees ``given`` Okafor at ``when``."""
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback(phone=phone).pk)
    return inquiry_convert(
        actor=coordinator,
        inquiry_id=inquiry.pk,
        given_name=given,
        family_name="Okafor",
        date_of_birth=dt.date(1985, 3, 4),
        sex_at_birth="male",
        scheduled_for=when,
        clinician=clinician,
        **extra,
    )


def claimed_callback(**names: str):
    """Return a coordinator (named ``names``) and a web callback they have claimed."""
    coordinator = make_staff(Role.ADMISSIONS_COORDINATOR, "coordinator", **names)
    inquiry = callback_request_create(
        data={"name": "Sam", "phone": "555-0142", "for_whom": "myself", "consent": True},
        source_ip="203.0.113.9",
    )
    inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk)
    return coordinator, inquiry
