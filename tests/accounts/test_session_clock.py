"""The session's clock as the page sees it: seconds left, "stay signed in", the way back."""

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.accounts.middleware import SECONDS_LEFT_HEADER, SESSION_LAST_ACTIVITY
from openrecovery.accounts.roles import Role
from tests.support.auth import sign_in, totp_code
from tests.support.factories import PASSWORD, make_staff, verified_client

EXTEND = reverse("accounts:session_extend")
QUEUE_POLL = reverse("helpline:console:queue")
POLL_HEADERS = {"HX-Request": "true", "X-Background-Refresh": "1"}
IDLE = 15 * 60


@pytest.fixture
def coordinator(db):
    return make_staff(Role.ADMISSIONS_COORDINATOR, "clock-coordinator")


def _idle_for(client: Client, seconds: float) -> None:
    session = client.session
    session[SESSION_LAST_ACTIVITY] = time.time() - seconds
    session.save()


def test_pages_say_how_long_the_session_has_left(coordinator, settings):
    settings.SESSION_IDLE_WARNING = 120
    client = verified_client(coordinator)
    _idle_for(client, 10)
    response = client.get("/admissions/")
    left = int(response[SECONDS_LEFT_HEADER])
    assert IDLE - 12 <= left <= IDLE
    body = response.content.decode()
    assert f'data-session-seconds-left="{left}"' in body
    assert 'data-session-warning-seconds="120"' in body
    assert 'id="session-warning"' in body and "Stay signed in" in body


def test_a_poll_reports_the_clock_without_extending_it(coordinator):
    client = verified_client(coordinator)
    _idle_for(client, IDLE - 100)
    response = client.get(QUEUE_POLL, headers=POLL_HEADERS)
    assert 95 <= int(response[SECONDS_LEFT_HEADER]) <= 100


def test_stay_signed_in_extends_the_session(coordinator):
    client = verified_client(coordinator)
    _idle_for(client, IDLE - 20)  # the warning is showing
    response = client.post(EXTEND)
    assert response.status_code == 200
    assert IDLE - 2 <= response.json()["seconds_left"] <= IDLE
    assert IDLE - 2 <= int(response[SECONDS_LEFT_HEADER]) <= IDLE
    # Twenty seconds later it would have ended; it has not.
    _idle_for(client, 30)
    assert client.get("/admissions/").status_code == 200


def test_stay_signed_in_cannot_revive_an_ended_session(coordinator):
    client = verified_client(coordinator)
    _idle_for(client, IDLE + 5)
    response = client.post(EXTEND)
    assert response.status_code == 302
    assert response.url.startswith(f"{reverse('accounts:login')}?expired=1")
    assert client.get("/admissions/").url.startswith(reverse("accounts:login"))


def test_stay_signed_in_is_a_post(coordinator):
    client = verified_client(coordinator)
    _idle_for(client, IDLE - 20)
    response = client.get(EXTEND)
    assert (response.status_code, response.url) == (302, "/")


def _next_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["next"][0]


def test_the_idle_sign_out_remembers_the_page(coordinator):
    client = verified_client(coordinator)
    _idle_for(client, IDLE + 5)
    response = client.get("/admissions/inquiries/HL-AAAA-BBBB/?tab=calls")
    assert _next_of(response.url) == "/admissions/inquiries/HL-AAAA-BBBB/?tab=calls"


def test_a_form_sent_after_the_end_returns_to_its_address(coordinator):
    client = verified_client(coordinator)
    _idle_for(client, IDLE + 5)
    response = client.post("/admissions/log-call/", {"name": "Sam"})
    assert _next_of(response.url) == "/admissions/log-call/"  # GET there leads to its page


def test_a_poll_after_the_end_returns_to_the_page_it_polled_for(coordinator):
    client = verified_client(coordinator)
    _idle_for(client, IDLE + 5)
    headers = {**POLL_HEADERS, "HX-Current-URL": "http://testserver/admissions/"}
    response = client.get(QUEUE_POLL, headers=headers)
    assert _next_of(response["HX-Redirect"]) == "/admissions/"
    # A page of another site is never a way back.
    client = verified_client(coordinator)
    _idle_for(client, IDLE + 5)
    headers = {**POLL_HEADERS, "HX-Current-URL": "https://evil.example/admissions/"}
    assert "next" not in client.get(QUEUE_POLL, headers=headers)["HX-Redirect"]


@pytest.mark.parametrize(
    ("next_url", "landing"),
    [("/admissions/", "/admissions/"), ("https://evil.example/x", "/"), ("//evil.example/", "/")],
)
def test_signing_in_again_goes_back_only_within_the_site(coordinator, next_url, landing):
    client = Client()
    login = f"{reverse('accounts:login')}?{urlencode({'expired': '1', 'next': next_url})}"
    response = client.post(login, {"username": coordinator.username, "password": PASSWORD})
    assert response.url == landing
    mfa = client.get(landing).url
    assert urlsplit(mfa).path == reverse("accounts:mfa")
    device = TOTPDevice.objects.get(user=coordinator)
    assert client.post(mfa, {"code": totp_code(device)}).url == landing


def test_the_code_step_goes_back_only_within_the_site(coordinator):
    client = Client()
    sign_in(client, coordinator.username)
    device = TOTPDevice.objects.get(user=coordinator)
    mfa = f"{reverse('accounts:mfa')}?next=https://evil.example/"
    assert client.post(mfa, {"code": totp_code(device)}).url == "/"
