"""The demo staff: one fictional person per role to sign in as, and their colleagues.

Each has a confirmed TOTP device. The colleagues (more counselors, nurses, a physician
and a coordinator) share the caseloads, so care teams differ from patient to patient
and the staff pickers offer a choice, as in a real program.
"""

import dataclasses
import random
import secrets
from typing import NamedTuple

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.accounts.services import staff_create
from openrecovery.records.models import CareTeamMember, Patient

DEMO_DEVICE_NAME = "demo authenticator"


class DemoStaff(NamedTuple):
    """A demo staff member: username, role and a fictional name."""

    username: str
    role: str
    first_name: str
    last_name: str


DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("admissions", Role.ADMISSIONS_COORDINATOR, "Avery", "Lindqvist"),
    DemoStaff("nurse", Role.NURSE, "Noor", "Castellanos"),
    DemoStaff("physician", Role.PHYSICIAN, "Paul", "Okonkwo-Reyes"),
    DemoStaff("counselor", Role.COUNSELOR, "Casey", "Marchetti"),
    DemoStaff("director", Role.CLINICAL_DIRECTOR, "Dana", "Whitcombe"),
    DemoStaff("editor", Role.CONTENT_EDITOR, "Eli", "Fairbanks"),
    DemoStaff("reviewer", Role.MEDICAL_REVIEWER, "Robin", "Achterberg"),
    DemoStaff("admin", Role.ADMINISTRATOR, "Alex", "Brightwater"),
)
# Colleagues in the roles that care for patients (usernames: the role's, numbered).
DEMO_COLLEAGUES: tuple[DemoStaff, ...] = (
    DemoStaff("admissions2", Role.ADMISSIONS_COORDINATOR, "Marisol", "Etxeberria"),
    DemoStaff("nurse2", Role.NURSE, "Tobias", "Nakagawa-Price"),
    DemoStaff("nurse3", Role.NURSE, "Wren", "Abernathy"),
    DemoStaff("physician2", Role.PHYSICIAN, "Imogen", "Szabo-Lindgren"),
    DemoStaff("counselor2", Role.COUNSELOR, "Desmond", "Oyelaran"),
    DemoStaff("counselor3", Role.COUNSELOR, "Priya", "Halvorsen"),
)
EVERYONE = DEMO_STAFF + DEMO_COLLEAGUES
# The demo username of each role (the one person per role to sign in as).
USERNAME_OF_ROLE: dict[str, str] = {s.role: s.username for s in DEMO_STAFF}
# Everyone of each role, the one to sign in as first.
USERNAMES_BY_ROLE: dict[str, tuple[str, ...]] = {
    role: tuple(s.username for s in EVERYONE if s.role == role) for role in Role
}


# How many times as likely the person to sign in as is to fill a seat as each colleague:
# their dashboards stay full, and every team still differs.
SIGN_IN_WEIGHT = 4


def demo_staff_pick(staff: dict[str, User], role: str, rng: random.Random) -> User:
    """Return who of the demo staff of ``role`` takes a new patient (seeded)."""
    usernames = USERNAMES_BY_ROLE[role]
    weights = [SIGN_IN_WEIGHT, *[1] * (len(usernames) - 1)]
    return staff[rng.choices(usernames, weights)[0]]


def demo_care_team(patient: Patient) -> dict[str, User]:
    """Return the active members of ``patient``'s care team by staff role (one query)."""
    members = CareTeamMember.objects.filter(patient=patient, active=True).select_related("user")
    return {m.user.role: m.user for m in members.order_by("pk")}


@dataclasses.dataclass
class StaffResult:
    """What ``demo_staff_ensure`` did: the demo users and the password situation."""

    users: list[User]
    created: list[str]
    password: str | None  # the password that was set (None: existing passwords kept)
    password_reset: bool


def demo_password_generate() -> str:
    """Return a random demo password (24 characters, passes the validators)."""
    return f"demo-{secrets.token_urlsafe(15)}"


@transaction.atomic
def demo_staff_ensure(password: str | None) -> StaffResult:
    """Create the missing demo staff (one per role, and colleagues) with a TOTP device.

    ``password`` (from OPENRECOVERY_DEMO_PASSWORD) also resets existing demo users'
    passwords; without it, a new password is generated for new users only.
    """
    usernames = [s.username for s in EVERYONE]
    existing = {u.username: u for u in User.objects.filter(username__in=usernames)}
    chosen = password or (demo_password_generate() if len(existing) < len(EVERYONE) else None)
    created = []
    for username, role, first, last in EVERYONE:
        user = existing.get(username)
        if user is None:
            user = staff_create(
                actor=None,
                username=username,
                password=chosen or "",
                role=role,
                first_name=first,
                last_name=last,
                email=f"{username}@example.com",
            )
            created.append(username)
        elif password:
            user.set_password(password)
            user.save(update_fields=["password"])
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)
        existing[username] = user
    users = [existing[username] for username in usernames]
    return StaffResult(users, created, chosen, bool(password) and len(created) < len(users))


def demo_totp_device(user: User) -> TOTPDevice | None:
    """Return the demo TOTP device of ``user`` (None for accounts demo_data did not make)."""
    return TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME, confirmed=True).first()
