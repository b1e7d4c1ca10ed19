"""Idle timeout, absolute lifetime, and sessions ended on the server by logout or deactivation."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.accounts.middleware import (
    ACTIVITY_WRITE_INTERVAL,
    SESSION_LAST_ACTIVITY,
    SESSION_LOGIN_AT,
)
from openrecovery.accounts.models import StaffSession
from openrecovery.accounts.roles import Role
from openrecovery.accounts.services import staff_deactivate
from openrecovery.accounts.tokens import api_token_create
from openrecovery.audit.choices import Action
from openrecovery.audit.models import AuditEvent
from tests.support.auth import sign_in, totp_code
from tests.support.factories import make_staff, verified_client

DASHBOARD = "/"
STAFF_PAGE = (
    "/patients/search/"  # any page that needs a signed-in user ("/" sends visitors to help)
)
EXPIRED = f"{reverse('accounts:login')}?expired=1"


def _age_session(client: Client, **seconds_ago: float) -> str:
    """Move the session's timestamps into the past; return its key."""
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()
    return session.session_key


def _logout_reasons(user) -> list[str]:
    events = AuditEvent.objects.filter(action=Action.LOGOUT, actor_id=user.pk).order_by("id")
    return [e.detail["reason"] for e in events]


def test_default_timeouts_and_environment_override(load_settings):
    defaults = load_settings("test", SESSION_IDLE_TIMEOUT=None, SESSION_ABSOLUTE_TIMEOUT=None)
    assert defaults.SESSION_IDLE_TIMEOUT == 15 * 60
    assert defaults.SESSION_ABSOLUTE_TIMEOUT == 12 * 60 * 60
    tuned = load_settings("test", SESSION_IDLE_TIMEOUT="300", SESSION_ABSOLUTE_TIMEOUT="3600")
    assert (tuned.SESSION_IDLE_TIMEOUT, tuned.SESSION_ABSOLUTE_TIMEOUT) == (300, 3600)
    assert tuned.SESSION_ENGINE == "openrecovery.accounts.sessions"  # database-backed


def test_an_idle_session_is_ended_and_audited(counselor):
    client = verified_client(counselor)
    assert client.get(DASHBOARD).status_code == 200
    key = _age_session(client, **{SESSION_LAST_ACTIVITY: 15 * 60 + 5})
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response.url == EXPIRED
    assert not Session.objects.filter(session_key=key).exists()
    assert not StaffSession.objects.filter(session_key=key).exists()
    assert _logout_reasons(counselor) == ["idle_timeout"]
    # Signed out: the next page asks for a password again.
    assert client.get(STAFF_PAGE).url.startswith(reverse("accounts:login"))
    assert "Your session ended" in client.get(EXPIRED).content.decode()


def test_activity_within_the_idle_limit_keeps_the_session(counselor):
    client = verified_client(counselor)
    _age_session(client, **{SESSION_LAST_ACTIVITY: 15 * 60 - 30})
    assert client.get(DASHBOARD).status_code == 200
    # The request counted as activity: the clock restarted.
    assert time.time() - client.session[SESSION_LAST_ACTIVITY] < ACTIVITY_WRITE_INTERVAL
    assert _logout_reasons(counselor) == []


@override_settings(SESSION_IDLE_TIMEOUT=60)
def test_the_idle_limit_follows_the_setting(counselor):
    client = verified_client(counselor)
    _age_session(client, **{SESSION_LAST_ACTIVITY: 50})
    assert client.get(DASHBOARD).status_code == 200
    _age_session(client, **{SESSION_LAST_ACTIVITY: 61})
    assert client.get(DASHBOARD).url == EXPIRED
    assert _logout_reasons(counselor) == ["idle_timeout"]


def test_the_server_keeps_a_session_only_a_little_past_the_idle_limit(counselor):
    client = verified_client(counselor)
    client.get(DASHBOARD)
    expiry = client.session.get_expiry_age()
    assert 15 * 60 <= expiry <= 15 * 60 + ACTIVITY_WRITE_INTERVAL


def test_a_session_past_its_absolute_lifetime_is_ended_despite_activity(counselor):
    client = verified_client(counselor)
    key = _age_session(client, **{SESSION_LOGIN_AT: 12 * 60 * 60 + 5, SESSION_LAST_ACTIVITY: 1})
    response = client.get(DASHBOARD)
    assert response.url == EXPIRED
    assert not Session.objects.filter(session_key=key).exists()
    assert _logout_reasons(counselor) == ["absolute_timeout"]


@override_settings(SESSION_ABSOLUTE_TIMEOUT=120)
def test_the_absolute_lifetime_follows_the_setting(counselor):
    client = verified_client(counselor)
    _age_session(client, **{SESSION_LOGIN_AT: 100, SESSION_LAST_ACTIVITY: 1})
    assert client.get(DASHBOARD).status_code == 200
    _age_session(client, **{SESSION_LOGIN_AT: 121})
    assert client.get(DASHBOARD).url == EXPIRED


def test_a_timed_out_session_gets_401_from_the_api(counselor):
    client = verified_client(counselor)
    assert client.get("/api/v1/me").status_code == 200
    _age_session(client, **{SESSION_LAST_ACTIVITY: 15 * 60 + 5})
    assert client.get("/api/v1/me").status_code == 401
    assert _logout_reasons(counselor) == ["idle_timeout"]
    assert client.get("/api/v1/me").status_code == 401


def test_logout_deletes_the_server_side_session(counselor):
    client = verified_client(counselor)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    # POST only: GET does not sign out, it goes to the sign-in page (which sends a
    # signed-in user on to the dashboard).
    assert client.get(reverse("accounts:logout")).url == reverse("accounts:login")
    assert Session.objects.filter(session_key=key).exists()
    response = client.post(reverse("accounts:logout"))
    assert response.url == reverse("accounts:login")
    assert not Session.objects.filter(session_key=key).exists()
    assert not StaffSession.objects.filter(session_key=key).exists()
    assert _logout_reasons(counselor) == ["user"]
    # Someone who copied the old cookie gets nothing.
    thief = Client()
    thief.cookies["sessionid"] = key
    assert thief.get(STAFF_PAGE).url.startswith(reverse("accounts:login"))
    assert thief.get("/api/v1/me").status_code == 401


def test_deactivation_ends_every_session_and_revokes_tokens(counselor, director):
    laptop, phone = verified_client(counselor), verified_client(counselor)
    keys = [laptop.session.session_key, phone.session.session_key]
    _, token = api_token_create(actor=director, user=counselor)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client().get("/api/v1/me", **bearer).status_code == 200
    assert StaffSession.objects.filter(user=counselor).count() == 2

    staff_deactivate(actor=director, user=counselor)

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not StaffSession.objects.filter(user=counselor).exists()
    for client in (laptop, phone):
        assert client.get(STAFF_PAGE).url.startswith(reverse("accounts:login"))
    assert Client().get("/api/v1/me", **bearer).status_code == 401
    assert counselor.api_tokens.get().revoked_at is not None
    event = AuditEvent.objects.get(action=Action.STAFF_DEACTIVATED)
    assert event.actor_id == director.pk
    assert event.detail == {"sessions_ended": 2, "tokens_revoked": 1}


def test_a_deactivated_user_cannot_sign_in_again(counselor, director):
    staff_deactivate(actor=director, user=counselor)
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": counselor.username, "password": "correct horse battery staple 42"},
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("reason_key", [SESSION_LAST_ACTIVITY, SESSION_LOGIN_AT])
def test_a_password_only_session_times_out_too(reason_key, password_client):
    _age_session(password_client, **{reason_key: 13 * 60 * 60})
    assert password_client.get(DASHBOARD).url == EXPIRED


def test_a_session_opened_through_the_forms_is_ended_by_deactivation(counselor, director):
    client = Client()
    sign_in(client, counselor.username)
    device = TOTPDevice.objects.get(user=counselor)
    assert client.post(reverse("accounts:mfa"), {"code": totp_code(device)}).status_code == 302
    key = client.session.session_key
    assert client.get(DASHBOARD).status_code == 200
    assert StaffSession.objects.filter(user=counselor, session_key=key).exists()

    staff_deactivate(actor=director, user=counselor)

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(STAFF_PAGE).url.startswith(reverse("accounts:login"))


QUEUE_POLL = "/admissions/queue/"


@pytest.fixture
def admissions(db):
    return make_staff(Role.ADMISSIONS_COORDINATOR, "night-coordinator")


POLL_HEADERS = {"HX-Request": "true", "X-Background-Refresh": "1"}


def test_the_console_polls_as_a_background_refresh(admissions):
    page = verified_client(admissions).get(reverse("helpline:console:queue_page"))
    assert reverse("helpline:console:queue") == QUEUE_POLL
    assert 'hx-headers=\'{"X-Background-Refresh": "1"}\'' in page.content.decode()


def test_a_background_poll_does_not_extend_an_idle_session(admissions):
    client = verified_client(admissions)
    _age_session(client, **{SESSION_LAST_ACTIVITY: 15 * 60 - 60})
    last = client.session[SESSION_LAST_ACTIVITY]
    assert client.get(QUEUE_POLL, headers=POLL_HEADERS).status_code == 200
    assert client.session[SESSION_LAST_ACTIVITY] == last  # the idle clock kept running
    _age_session(client, **{SESSION_LAST_ACTIVITY: 15 * 60 + 1})
    # The next poll finds the session idle: it ends, and htmx takes the page to the login.
    response = client.get(QUEUE_POLL, headers=POLL_HEADERS)
    assert response.status_code == 204
    assert response["HX-Redirect"] == EXPIRED
    assert _logout_reasons(admissions) == ["idle_timeout"]
    assert client.get(reverse("chart:dashboard")).status_code == 302


def test_a_click_on_the_console_still_counts_as_activity(admissions):
    client = verified_client(admissions)
    _age_session(client, **{SESSION_LAST_ACTIVITY: 15 * 60 - 60})
    assert client.get(QUEUE_POLL, headers={"HX-Request": "true"}).status_code == 200
    assert time.time() - client.session[SESSION_LAST_ACTIVITY] < ACTIVITY_WRITE_INTERVAL
