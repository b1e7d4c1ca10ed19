"""Fixtures for the helpline tests: coordinators, a nurse, and the rate limit off."""

import pytest

from openrecovery.accounts.roles import Role
from tests.support.factories import make_staff


@pytest.fixture(autouse=True)
def _rate_limit_off(settings):
    """Leave the rate limit off unless a test turns it on (tests share one client address)."""
    settings.HELPLINE_RATE_LIMIT = "off"


@pytest.fixture
def coordinator(db):
    return make_staff(Role.ADMISSIONS_COORDINATOR, "coordinator")


@pytest.fixture
def coordinator2(db):
    return make_staff(Role.ADMISSIONS_COORDINATOR, "coordinator2")


@pytest.fixture
def nurse(db):
    return make_staff(Role.NURSE, "nurse")
