"""Fixtures for the admissions console tests: a coordinator's client, an inquiry, claimed."""

import pytest

from openrecovery.helpline.services import inquiry_claim
from tests.support.factories import verified_client
from tests.support.helpline import callback


@pytest.fixture(autouse=True)
def _rate_limit_off(settings):
    """Leave the rate limit off unless a test turns it on (tests share one client address)."""
    settings.HELPLINE_RATE_LIMIT = "off"


@pytest.fixture
def client_c(coordinator):
    return verified_client(coordinator)


@pytest.fixture
def inquiry(db):
    return callback()


@pytest.fixture
def claimed(coordinator, inquiry):
    return inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk)
