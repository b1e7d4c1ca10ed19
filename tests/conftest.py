import pytest

from openrecovery.accounts.roles import Role

from .factories import make_staff


@pytest.fixture
def director(db):
    return make_staff(Role.CLINICAL_DIRECTOR, "director")


@pytest.fixture
def counselor(db):
    return make_staff(Role.COUNSELOR, "counselor")
