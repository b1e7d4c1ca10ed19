"""Lockout after repeated failures, per username and per source address (django-axes)."""

from django.conf import settings
from django.test import Client

from openrecovery.audit.choices import Action
from openrecovery.audit.models import AuditEvent
from openrecovery.settings import base
from tests.support.auth import session_user_id, sign_in
from tests.support.factories import make_staff
from tests.support.pages import page_text

LOCKED = 429


def test_lockout_is_configured_per_username_and_per_address():
    assert base.AXES_FAILURE_LIMIT == settings.AXES_FAILURE_LIMIT == 5
    assert base.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_five_failures_lock_the_username_even_from_another_address(nurse):
    for n in range(5):
        sign_in(Client(), nurse.username, "wrong password guess", ip=f"192.0.2.{n + 1}")
    client = Client()
    response = sign_in(client, nurse.username, ip="198.51.100.99")  # right password
    assert response.status_code == LOCKED
    assert session_user_id(client) is None
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()


def test_four_failures_do_not_lock(nurse):
    for n in range(4):
        sign_in(Client(), nurse.username, "wrong password guess", ip=f"192.0.2.{n + 1}")
    client = Client()
    assert sign_in(client, nurse.username, ip="198.51.100.99").status_code == 302
    assert session_user_id(client) == str(nurse.pk)


def test_five_failures_from_one_address_lock_that_address(nurse):
    for n in range(5):
        sign_in(Client(), f"guess{n}", "wrong password guess", ip="203.0.113.50")
    # The nurse's right password is refused from that address...
    blocked = Client()
    assert sign_in(blocked, nurse.username, ip="203.0.113.50").status_code == LOCKED
    assert session_user_id(blocked) is None
    # ...but the account itself is not locked: elsewhere it signs in.
    elsewhere = Client()
    assert sign_in(elsewhere, nurse.username, ip="203.0.113.51").status_code == 302
    assert session_user_id(elsewhere) == str(nurse.pk)


def test_lockout_page_reveals_nothing_about_the_account(db):
    secret_holder = make_staff("physician", "dr-real-account")
    pages = {}
    for n, username in enumerate([secret_holder.username, "no-such-person"]):
        for attempt in range(5):
            sign_in(Client(), username, "wrong password guess", ip=f"10.{n}.0.{attempt + 1}")
        pages[username] = sign_in(Client(), username, ip=f"10.{n}.9.9")
    real, unknown = pages[secret_holder.username], pages["no-such-person"]
    assert real.status_code == unknown.status_code == LOCKED
    body = real.content.decode()
    assert "Too many failed sign-in attempts" in body
    for detail in (secret_holder.username, "Physician", secret_holder.first_name):
        assert detail not in body
    # A real account and a made-up one get the same page.
    assert page_text(real) == page_text(unknown)
