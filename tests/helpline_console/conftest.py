import pytest

from openrecovery.accounts.roles import Role
from openrecovery.helpline.services import callback_request_create, inquiry_claim

from ..factories import make_staff, verified_client

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
    """Store a valid public callback request."""
    return callback_request_create(data={**VALID, **overrides}, source_ip="203.0.113.9")


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
