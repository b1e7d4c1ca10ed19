"""Fixtures for the identity and access tests: an administrator, a half-signed-in client."""

import importlib
import sys
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest
from django.test import Client

import openrecovery.settings
from openrecovery.accounts.roles import Role
from tests.support.auth import session_user_id, sign_in
from tests.support.factories import make_staff


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
