"""Fixtures for the demo-data tests: ``manage.py demo_data`` loaded once per test module.

Loading the demo takes seconds, and most tests only read it. ``demo`` loads it once for
a module inside a transaction that is rolled back when the module is done; each test
runs inside that transaction in its own savepoint (pytest-django's ``db``), so what a
test writes is undone after it, and the next module starts from an empty database.
Tests that need an empty database of their own live in modules that do not use it.
"""

import io
from collections.abc import Iterator

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory

PASSWORD_ENV = "OPENRECOVERY_DEMO_PASSWORD"


def run(*args: str) -> str:
    """Run ``manage.py demo_data`` with ``args``; return what it printed."""
    out = io.StringIO()
    call_command("demo_data", *args, verbosity=0, stdout=out)
    return out.getvalue()


def signs_in(username: str, password: str) -> bool:
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="127.0.0.1")
    request.user = AnonymousUser()  # a failed sign-in is audited from the request
    return authenticate(request, username=username, password=password) is not None


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker) -> Iterator[str]:
    """Load the demo once for the module; yield what ``demo_data`` printed."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.delenv(PASSWORD_ENV, raising=False)
        with transaction.atomic():
            yield run()
            transaction.set_rollback(True)


@pytest.fixture
def demo(demo_loaded: str, db) -> str:
    """The module's demo data, in a savepoint of this test's own."""
    return demo_loaded
