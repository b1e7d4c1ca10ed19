import pytest

from openrecovery.accounts.roles import Role
from openrecovery.helpline.services import callback_request_create
from tests.support.factories import make_staff

VALID = {
    "name": "Sam",
    "phone": "(555) 010-4477",
    "best_time": "evenings",
    "for_whom": "myself",
    "substances": "clonazepam",
    "voicemail_ok": False,
    "consent": True,
    "message": "",
}


def callback(**overrides):
    """Store a valid public callback request (rate limit off unless a test turns it on)."""
    self_check = overrides.pop("self_check", None)
    return callback_request_create(
        data={**VALID, **overrides}, source_ip="203.0.113.9", self_check=self_check
    )


@pytest.fixture(autouse=True)
def _rate_limit_off(settings):
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
