"""Fixtures for the cross-cutting tests: one staff member per role and real objects to open."""

import pytest
from django.db import transaction

from tests.support.access import AccessWorld, access_world_build
from tests.support.pages import RenderedPage, tour


@pytest.fixture
def access_world(db) -> AccessWorld:
    return access_world_build()


@pytest.fixture(scope="module")
def toured_pages(django_db_setup, django_db_blocker) -> list[RenderedPage]:
    """Render every page once per module, then roll the data back (pages are plain text)."""
    with django_db_blocker.unblock(), transaction.atomic():
        pages = tour(access_world_build())
        transaction.set_rollback(True)
    return pages
