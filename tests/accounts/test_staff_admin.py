"""The staff page (role changes, deactivation) and the create_staff bootstrap command."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.accounts.management.commands.create_staff import PASSWORD_ENV
from openrecovery.accounts.models import RoleChange, User
from openrecovery.accounts.roles import ROLE_PERMISSIONS, Role
from openrecovery.accounts.services import ERROR_UNKNOWN_ROLE
from openrecovery.audit.choices import Action
from openrecovery.audit.models import AuditEvent
from tests.support.auth import MFA_URL, session_user_id, sign_in
from tests.support.factories import make_staff, verified_client

STRONG = "a long and unusual passphrase 7"


def _change(client: Client, user: User, **data: str):
    return client.post(reverse("accounts:staff_change", args=[user.pk]), data, follow=True)


def _permission_changes(user: User) -> list[dict]:
    events = AuditEvent.objects.filter(action=Action.PERMISSION_CHANGE, object_id=str(user.pk))
    return [e.detail | {"actor": e.actor_id} for e in events.order_by("id")]


def test_an_administrator_changes_a_role_and_it_is_audited(administrator, nurse):
    client = verified_client(administrator)
    page = client.get(reverse("accounts:staff_list"))
    assert nurse.username in page.content.decode()
    before = len(_permission_changes(nurse))

    response = _change(client, nurse, role=Role.PHYSICIAN)
    assert "is now Physician" in response.content.decode()
    nurse = User.objects.get(pk=nurse.pk)
    assert nurse.role == Role.PHYSICIAN
    assert nurse.get_all_permissions() == set(ROLE_PERMISSIONS[Role.PHYSICIAN])
    changes = _permission_changes(nurse)
    assert len(changes) == before + 1
    assert changes[-1] == {"from": "nurse", "to": "physician", "actor": administrator.pk}


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
def test_other_roles_cannot_see_or_change_staff(role, nurse):
    intruder = make_staff(role)
    client = verified_client(intruder)
    assert client.get(reverse("accounts:staff_list")).status_code == 403
    before = _permission_changes(nurse)
    response = client.post(
        reverse("accounts:staff_change", args=[nurse.pk]), {"role": Role.ADMINISTRATOR}
    )
    assert response.status_code == 403
    assert User.objects.get(pk=nurse.pk).role == Role.NURSE
    assert _permission_changes(nurse) == before
    deactivate = client.post(
        reverse("accounts:staff_change", args=[nurse.pk]), {"action": "deactivate"}
    )
    assert deactivate.status_code == 403
    assert User.objects.get(pk=nurse.pk).is_active


def test_an_unverified_administrator_cannot_change_staff(administrator, nurse):
    client = Client()
    sign_in(client, administrator.username)
    response = client.post(
        reverse("accounts:staff_change", args=[nurse.pk]), {"role": Role.ADMINISTRATOR}
    )
    assert response.url == MFA_URL
    assert User.objects.get(pk=nurse.pk).role == Role.NURSE


def test_an_unknown_role_is_refused_without_an_audit_event(administrator, nurse):
    before = _permission_changes(nurse)
    response = _change(verified_client(administrator), nurse, role="superuser")
    assert ERROR_UNKNOWN_ROLE in response.content.decode()
    assert User.objects.get(pk=nurse.pk).role == Role.NURSE
    assert _permission_changes(nurse) == before


def test_an_administrator_deactivates_an_account_from_the_staff_page(administrator, nurse):
    victim = verified_client(nurse)
    admin = verified_client(administrator)
    # One click only asks: the account is still active.
    asked = _change(admin, nurse, action="deactivate")
    assert "They are signed out at once" in asked.content.decode()
    assert User.objects.get(pk=nurse.pk).is_active
    assert not AuditEvent.objects.filter(action=Action.STAFF_DEACTIVATED).exists()
    response = _change(admin, nurse, action="deactivate", confirmed="yes")
    assert "deactivated and signed out" in response.content.decode()
    assert not User.objects.get(pk=nurse.pk).is_active
    assert victim.get("/patients/search/").url.startswith(reverse("accounts:login"))
    event = AuditEvent.objects.get(action=Action.STAFF_DEACTIVATED)
    assert (event.actor_id, event.object_id) == (administrator.pk, str(nurse.pk))


def test_an_administrator_cannot_deactivate_themselves(administrator):
    client = verified_client(administrator)
    response = _change(client, administrator, action="deactivate", confirmed="yes")
    assert "cannot deactivate your own account" in response.content.decode()
    assert User.objects.get(pk=administrator.pk).is_active


def test_create_staff_takes_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, STRONG)
    out = io.StringIO()
    call_command(
        "create_staff",
        "jrivera",
        "--role",
        "administrator",
        "--first",
        "Jo",
        "--last",
        "Rivera",
        "--email",
        "jo@example.org",
        stdout=out,
    )
    user = User.objects.get(username="jrivera")
    assert (user.first_name, user.last_name, user.email) == ("Jo", "Rivera", "jo@example.org")
    assert user.role == Role.ADMINISTRATOR
    assert user.has_perm("accounts.manage_staff")
    assert user.check_password(STRONG)
    assert STRONG not in out.getvalue()
    assert AuditEvent.objects.filter(action=Action.STAFF_CREATED, object_id=str(user.pk)).exists()
    # A new account signs in with its password, then must set up an authenticator.
    client = Client()
    sign_in(client, "jrivera", STRONG)
    assert session_user_id(client) == str(user.pk)
    enrol = client.get("/", follow=True)
    assert "Set up two-step sign-in" in enrol.content.decode()


def test_create_staff_prompts_for_the_password_twice(db, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    answers = iter([STRONG, STRONG])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("create_staff", "nurse2", "--role", "nurse", stdout=io.StringIO())
    assert User.objects.get(username="nurse2").check_password(STRONG)


def test_create_staff_refuses_mismatched_prompts(db, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    answers = iter([STRONG, STRONG + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError):
        call_command("create_staff", "nurse2", "--role", "nurse", stdout=io.StringIO())
    assert not User.objects.filter(username="nurse2").exists()


@pytest.mark.parametrize(
    ("args", "password"),
    [
        (["weakling", "--role", "nurse"], "qwerty123456"),
        (["shorty", "--role", "nurse"], "Zq8#vLm2!pX"),
        (["nobody", "--role", "superuser"], STRONG),
        (["counselor", "--role", "nurse"], STRONG),  # taken
    ],
)
def test_create_staff_refuses_bad_input(args, password, counselor, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, password)
    count = User.objects.count()
    with pytest.raises(CommandError):
        call_command("create_staff", *args, stdout=io.StringIO())
    assert User.objects.count() == count


def test_a_deactivated_account_is_reactivated_and_flagged(administrator, nurse):
    admin = verified_client(administrator)
    _change(admin, nurse, action="deactivate", confirmed="yes")
    page = admin.get(reverse("accounts:staff_list")).content.decode()
    assert f'Reactivate<span class="visually-hidden"> {nurse.username}' in page
    response = _change(admin, nurse, action="reactivate")
    assert "can sign in again as Nurse" in response.content.decode()
    assert User.objects.get(pk=nurse.pk).is_active
    event = AuditEvent.objects.get(action=Action.STAFF_REACTIVATED)
    assert (event.actor_id, event.object_id, event.flagged) == (
        administrator.pk,
        str(nurse.pk),
        True,
    )
    assert "This account is active" in _change(admin, nurse, action="reactivate").content.decode()


def test_a_reset_of_two_step_sign_in_forces_a_new_enrolment(administrator, nurse):
    victim = verified_client(nurse)
    admin = verified_client(administrator)
    asked = _change(admin, nurse, action="mfa_reset")
    assert "Reset two-step sign-in for" in asked.content.decode()
    assert TOTPDevice.objects.filter(user=nurse).exists()
    _change(admin, nurse, action="mfa_reset", confirmed="yes")
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    assert not StaticDevice.objects.filter(user=nurse).exists()
    assert victim.get("/patients/search/").url.startswith(reverse("accounts:login"))
    event = AuditEvent.objects.get(action=Action.MFA_RESET)
    assert (event.actor_id, event.object_id, event.flagged) == (
        administrator.pk,
        str(nurse.pk),
        True,
    )
    # Signing in again leads to enrolment of a new authenticator.
    client = Client()
    sign_in(client, nurse.username)
    assert "Set up" in client.get(MFA_URL).content.decode()


def test_nobody_resets_their_own_two_step_sign_in(administrator):
    response = _change(
        verified_client(administrator), administrator, action="mfa_reset", confirmed="yes"
    )
    assert "Another administrator resets your two-step sign-in" in response.content.decode()
    assert TOTPDevice.objects.filter(user=administrator).exists()


def test_an_administrator_adds_staff_with_a_first_password_shown_once(administrator):
    admin = verified_client(administrator)
    assert admin.get(reverse("accounts:staff_add")).status_code == 200
    data = {"username": "newnurse", "first_name": "Noor", "last_name": "Haddad", "role": "nurse"}
    response = admin.post(reverse("accounts:staff_add"), data)
    assert response.status_code == 200
    body = response.content.decode()
    password = re.search(r'id="first-password">([^<]+)<', body).group(1)
    user = User.objects.get(username="newnurse")
    assert user.check_password(password)
    # A nurse sees withdrawal-management patients: the role waits for a second person.
    assert user.role == ""
    assert "waits for another administrator or the clinical director" in body
    assert RoleChange.objects.get(user=user).role_to == "nurse"
    created = AuditEvent.objects.get(action=Action.STAFF_CREATED, object_id=str(user.pk))
    assert password not in str(created.detail)
    # The new person signs in with it and is asked to set up an authenticator.
    client = Client()
    assert sign_in(client, "newnurse", password).status_code == 302
    assert "Set up" in client.get(MFA_URL).content.decode()


def test_a_role_without_patients_is_given_at_once_and_bad_input_changes_nothing(administrator):
    admin = verified_client(administrator)
    data = {"username": "editor2", "first_name": "E", "last_name": "D", "role": "content_editor"}
    admin.post(reverse("accounts:staff_add"), data)
    assert User.objects.get(username="editor2").role == "content_editor"
    before = User.objects.count()
    bad = admin.post(reverse("accounts:staff_add"), {**data, "username": "editor2"})
    assert bad.status_code == 422
    assert User.objects.count() == before


def test_the_staff_list_shows_the_last_sign_in(administrator, nurse):
    User.objects.filter(pk=nurse.pk).update(last_login=None)
    page = verified_client(administrator).get(reverse("accounts:staff_list")).content.decode()
    assert "Last sign-in" in page and "never" in page
