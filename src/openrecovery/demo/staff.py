"""The demo staff: one fictional person per role, each with a confirmed TOTP device."""

import dataclasses
import secrets
from typing import NamedTuple

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.accounts.services import staff_create

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
# The demo username of each role (one person per role).
USERNAME_OF_ROLE: dict[str, str] = {s.role: s.username for s in DEMO_STAFF}


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
    """Create the missing demo staff (one per role) with a confirmed TOTP device.

    ``password`` (from OPENRECOVERY_DEMO_PASSWORD) also resets existing demo users'
    passwords; without it, a new password is generated for new users only.
    """
    usernames = [s.username for s in DEMO_STAFF]
    existing = {u.username: u for u in User.objects.filter(username__in=usernames)}
    chosen = password or (demo_password_generate() if len(existing) < len(DEMO_STAFF) else None)
    created = []
    for username, role, first, last in DEMO_STAFF:
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
