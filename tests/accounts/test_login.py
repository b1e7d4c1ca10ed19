"""The password step: one error for every failure, audited, with NIST-style password rules."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from openrecovery.accounts.forms import ERROR_INVALID_LOGIN
from openrecovery.accounts.models import StaffSession, User
from openrecovery.accounts.passwords import MAX_PASSWORD_LENGTH
from openrecovery.accounts.roles import Role
from openrecovery.accounts.services import staff_create
from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.models import AuditEvent
from openrecovery.settings import base
from tests.support.auth import MFA_URL, session_user_id, sign_in
from tests.support.factories import PASSWORD, make_staff
from tests.support.pages import page_text


def test_unknown_user_and_wrong_password_get_the_same_answer(counselor):
    unknown = sign_in(Client(), "nobody-here", "whatever password 123")
    wrong = sign_in(Client(), counselor.username, "not the right password")
    assert unknown.status_code == wrong.status_code == 200
    assert ERROR_INVALID_LOGIN in unknown.content.decode()
    assert unknown.context["form"].errors == wrong.context["form"].errors
    # Apart from the typed username echoed back, the two pages are identical.
    assert page_text(unknown).replace("nobody-here", "X") == page_text(wrong).replace(
        counselor.username, "X"
    )


def test_inactive_account_gets_the_same_answer_as_a_wrong_password(counselor):
    counselor.is_active = False
    counselor.save()
    client = Client()
    response = sign_in(client, counselor.username)
    assert response.status_code == 200
    assert response.context["form"].errors == {"__all__": [ERROR_INVALID_LOGIN]}
    assert session_user_id(client) is None


def test_failed_login_is_audited_with_the_typed_username(counselor):
    sign_in(Client(), counselor.username, "not the right password", ip="203.0.113.7")
    sign_in(Client(), "ghost", "not the right password", ip="203.0.113.8")
    failed = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).order_by("id")
    assert [(e.actor_username, e.source_ip, e.outcome) for e in failed] == [
        (counselor.username, "203.0.113.7", Outcome.FAILURE),
        ("ghost", "203.0.113.8", Outcome.FAILURE),
    ]
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()
    # The password typed is never stored.
    assert "not the right password" not in str(list(failed.values()))


def test_successful_login_is_audited_and_leads_to_mfa(counselor):
    client = Client()
    response = sign_in(client, counselor.username, ip="198.51.100.4")
    assert response.status_code == 302
    assert session_user_id(client) == str(counselor.pk)
    event = AuditEvent.objects.get(action=Action.LOGIN)
    assert (event.actor_id, event.source_ip) == (counselor.pk, "198.51.100.4")
    assert StaffSession.objects.filter(
        user=counselor, session_key=client.session.session_key
    ).exists()
    assert client.get(response.url).url.startswith(MFA_URL)


def test_login_never_redirects_off_site(counselor):
    client = Client()
    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {"username": counselor.username, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.url


def test_an_old_password_is_not_forced_to_rotate(db):
    user = make_staff(Role.NURSE, "veteran")
    User.objects.filter(pk=user.pk).update(
        date_joined=timezone.now() - dt.timedelta(days=3 * 365),
        last_login=timezone.now() - dt.timedelta(days=400),
    )
    client = Client()
    response = sign_in(client, "veteran")
    assert response.status_code == 302
    assert session_user_id(client) == str(user.pk)
    assert not any("PASSWORD_EXPIR" in name or "PASSWORD_MAX_AGE" in name for name in dir(base))


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Zq8#vLm2!pX", "password_too_short"),  # 11 characters
        ("qwerty123456", "password_too_common"),
        ("839201746358201", "password_entirely_numeric"),
        ("a" + "Zq8#vLm2!pXw" * 5 + "abcd", "password_too_long"),  # 65 characters
    ],
)
def test_weak_or_overlong_passwords_are_rejected(password, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password)
    assert code in [e.code for e in excinfo.value.error_list]


def test_twelve_to_sixty_four_characters_are_accepted(db):
    assert len("Zq8#vLm2!pXw") == 12
    validate_password("Zq8#vLm2!pXw")
    long_password = "Zq8#vLm2!pXw" * 5 + "abcd"
    assert len(long_password) == MAX_PASSWORD_LENGTH == 64
    validate_password(long_password)
    user = staff_create(actor=None, username="longpass", password=long_password, role=Role.NURSE)
    client = Client()
    assert sign_in(client, "longpass", long_password).status_code == 302
    assert session_user_id(client) == str(user.pk)


def test_staff_create_refuses_a_weak_password(db):
    with pytest.raises(ValidationError):
        staff_create(actor=None, username="weak", password="qwerty123456", role=Role.NURSE)
    assert not User.objects.filter(username="weak").exists()


def test_passwords_are_hashed_with_pbkdf2(counselor):
    assert base.PASSWORD_HASHERS == ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    # The test settings only lower the iteration count; the algorithm is the same.
    assert all("PBKDF2" in path for path in settings.PASSWORD_HASHERS)
    stored = User.objects.get(pk=counselor.pk).password
    assert isinstance(identify_hasher(stored), PBKDF2PasswordHasher)
    assert stored.startswith("pbkdf2_sha256$")
    assert PASSWORD not in stored
