"""Fixtures for the demo-data tests: ``manage.py demo_data`` loaded once per test module.

Loading the demo takes seconds, and most tests only read it. ``demo`` loads it once for
a module inside a transaction that is rolled back when the module is done; each test
runs inside that transaction in its own savepoint (pytest-django's ``db``), so what a
test writes is undone after it, and the next module starts from an empty database.
Tests that need an empty database of their own live in modules that do not use it.
"""

from collections.abc import Iterator

import pytest
from django.db import transaction

from tests.support.demo import PASSWORD_ENV, run


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
