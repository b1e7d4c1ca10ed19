"""Fixtures every area shares: staff of the common roles, and fresh audit ids on PostgreSQL."""

import pytest
from django.db import connection

from openrecovery.accounts.roles import Role
from openrecovery.audit import services as audit_services
from openrecovery.audit.models import AuditEvent
from tests.support.factories import make_staff


@pytest.fixture
def director(db):
    return make_staff(Role.CLINICAL_DIRECTOR, "director")


@pytest.fixture
def counselor(db):
    return make_staff(Role.COUNSELOR, "counselor")


@pytest.fixture
def nurse(db):
    return make_staff(Role.NURSE, "nurse")


@pytest.fixture
def physician(db):
    return make_staff(Role.PHYSICIAN, "physician")


@pytest.fixture
def coordinator(db):
    return make_staff(Role.ADMISSIONS_COORDINATOR, "coordinator")


@pytest.fixture
def coordinator2(db):
    return make_staff(Role.ADMISSIONS_COORDINATOR, "coordinator2")


@pytest.fixture(autouse=True)
def _audit_event_ids_in_hand(request):
    """On PostgreSQL, start each database test holding a fresh block of audit event ids.

    A process draws event ids 32 at a time (one extra round trip per block, ADR 0001),
    so a test that counts queries would otherwise see that draw now and then.
    """
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
    } & set(request.fixturenames)
    if connection.vendor != "postgresql" or not uses_db:
        return
    if "transactional_db" not in request.fixturenames:
        request.getfixturevalue("db")
    audit_services._reserved_ids.pop(AuditEvent._meta.db_table, None)
    first = audit_services._reserved_id(AuditEvent)
    audit_services._reserved_ids[AuditEvent._meta.db_table].appendleft(first)
