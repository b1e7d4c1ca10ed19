"""Fixtures for the admissions console tests: coordinators, a physician, an inquiry."""

import pytest

from openrecovery.accounts.roles import Role
from openrecovery.helpline.services import inquiry_claim
from tests.support.factories import make_staff, verified_client
from tests.support.helpline import callback


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
def physician(db):
    return make_staff(Role.PHYSICIAN, "physician")


@pytest.fixture
def client_c(coordinator):
    return verified_client(coordinator)


@pytest.fixture
def inquiry(db):
    return callback()


@pytest.fixture
def claimed(coordinator, inquiry):
    return inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk)
