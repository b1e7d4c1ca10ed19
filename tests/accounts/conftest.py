"""Fixtures and helpers for the identity and access tests."""

import importlib
import re
import sys
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

import openrecovery.settings
from openrecovery.accounts.roles import Role
from tests.support.factories import PASSWORD, make_staff

LOGIN_URL = "/accounts/login/"
MFA_URL = "/accounts/mfa/"
# The per-response CSRF token, so two rendered pages can be compared.
CSRF_VALUE = re.compile(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]*"')


def totp_code(device: TOTPDevice, drift: int = 0) -> str:
    """Return the code an authenticator app would show for ``device`` right now."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, drift)
    return str(value).zfill(device.digits)


def sign_in(
    client: Client, username: str, password: str = PASSWORD, ip: str = "127.0.0.1"
) -> object:
    """Post the password step of the login form from ``ip``; return the response."""
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def session_user_id(client: Client) -> str | None:
    """Return the id of the user the client's session is signed in as, if any."""
    return client.session.get("_auth_user_id")


@pytest.fixture
def nurse(db):
    return make_staff(Role.NURSE, "nurse")


@pytest.fixture
def administrator(db):
    return make_staff(Role.ADMINISTRATOR, "admin")


@pytest.fixture
def password_client(counselor) -> Client:
    """A client that passed the password step as the counselor but not MFA."""
    client = Client()
    response = sign_in(client, counselor.username)
    assert response.status_code == 302
    assert session_user_id(client) == str(counselor.pk)
    return client


@pytest.fixture
def load_settings(monkeypatch) -> Iterator[Callable[..., ModuleType]]:
    """Return a loader that imports a settings module afresh under a given environment.

    ``openrecovery.settings.base`` reads the environment at import time, so it is
    re-imported too; the modules Django already uses are put back afterwards.
    """
    names = [n for n in sys.modules if n.startswith("openrecovery.settings.")]
    saved_modules = {n: sys.modules[n] for n in names}
    saved_attrs = dict(vars(openrecovery.settings))

    def load(name: str, **env: str | None) -> ModuleType:
        for key, value in env.items():
            if value is None:
                monkeypatch.delenv(key, raising=False)
            else:
                monkeypatch.setenv(key, value)
        for module in ("base", name):
            sys.modules.pop(f"openrecovery.settings.{module}", None)
        return importlib.import_module(f"openrecovery.settings.{name}")

    yield load
    for n in [n for n in sys.modules if n.startswith("openrecovery.settings.")]:
        del sys.modules[n]
    sys.modules.update(saved_modules)
    for attr in set(vars(openrecovery.settings)) - set(saved_attrs):
        delattr(openrecovery.settings, attr)
    for attr, value in saved_attrs.items():
        setattr(openrecovery.settings, attr, value)
