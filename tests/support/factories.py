"""Build staff, patients and episodes for tests (fictional data only)."""

import datetime as dt
import itertools

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.accounts.services import staff_set_role
from openrecovery.records.choices import Stage
from openrecovery.records.identifiers import mrn_next
from openrecovery.records.models import EpisodeOfCare, Patient
from openrecovery.records.services import care_team_add, episode_move_stage, patient_register

PASSWORD = "correct horse battery staple 42"
_counter = itertools.count(1)

# Moves that bring a new (inquiry) episode to each stage.
PATH_TO = {
    Stage.INQUIRY: [],
    Stage.ASSESSMENT: [Stage.ASSESSMENT],
    Stage.WITHDRAWAL_MANAGEMENT: [Stage.ASSESSMENT, Stage.WITHDRAWAL_MANAGEMENT],
    Stage.TREATMENT: [Stage.ASSESSMENT, Stage.TREATMENT],
    Stage.AFTERCARE: [Stage.ASSESSMENT, Stage.TREATMENT, Stage.AFTERCARE],
}


def make_staff(
    role: str = Role.COUNSELOR,
    username: str | None = None,
    *,
    totp: bool = True,
    first_name: str | None = None,
    last_name: str = "Tester",
) -> User:
    """Create an active staff member with ``role`` and, by default, a confirmed TOTP device.

    The name is "<Role> Tester" unless given (the browser tests' screenshots show a
    readable fictional one).
    """
    username = username or f"{role}{next(_counter)}"
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=first_name or role.title(),
        last_name=last_name,
    )
    staff_set_role(actor=None, user=user, role=role)
    if totp:
        TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


def verified_client(user: User, client: Client | None = None) -> Client:
    """Return a client signed in as ``user`` with MFA already passed."""
    client = client or Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def make_patient(
    *, actor: User, stage: str = Stage.INQUIRY, team: list[User] | None = None, **fields
) -> Patient:
    """Register a fictional patient, move them to ``stage`` and put ``team`` on the care team."""
    n = next(_counter)
    data = {
        "mrn": mrn_next(),
        "legal_given_name": fields.pop("given", f"Testgiven{n}"),
        "legal_family_name": fields.pop("family", f"Testfamily{n}"),
        "date_of_birth": dt.date(1980, 1, 1) + dt.timedelta(days=n),
        "sex_at_birth": "female",
    }
    data.update(fields)
    patient = patient_register(actor=actor, **data)
    episode = patient.episodes.get()
    for target in PATH_TO.get(stage, []):
        episode = episode_move_stage(actor=actor, episode=episode, to_stage=target, reason="test")
    for member in team or []:
        care_team_add(actor=actor, patient=patient, user=member, team_role="primary_counselor")
    return patient


def discharge(patient: Patient, *, actor: User, reason: str, discharge_type: str) -> EpisodeOfCare:
    """Close ``patient``'s only episode (``discharge_type`` must suit the stage it is at)."""
    return episode_move_stage(
        actor=actor,
        episode=patient.episodes.get(),
        to_stage=Stage.CLOSED,
        reason=reason,
        discharge_type=discharge_type,
    )


def staff_per_role(prefix: str) -> dict[str, User]:
    """Create one staff member per role, named "Dana <Role label>" (pickers show the name)."""
    return {
        role: make_staff(role, f"{prefix}_{role.value}", first_name="Dana", last_name=role.label)
        for role in Role
    }
