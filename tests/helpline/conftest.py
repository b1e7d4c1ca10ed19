"""Fixtures for the helpline tests: the rate limit off (staff come from tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def _rate_limit_off(settings):
    """Leave the rate limit off unless a test turns it on (tests share one client address)."""
    settings.HELPLINE_RATE_LIMIT = "off"
