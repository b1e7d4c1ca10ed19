"""Fixtures for the audit tests: a fresh HMAC key, and events written into a chosen lane."""

from collections.abc import Callable, Iterator

import pytest

from openrecovery.audit import services
from openrecovery.audit.chain import audit_key
from openrecovery.audit.choices import Action
from openrecovery.audit.models import AuditEvent
from openrecovery.audit.services import audit_record


@pytest.fixture(autouse=True)
def fresh_audit_key() -> Iterator[None]:
    """Forget the cached HMAC key around each test, so overridden keys never leak."""
    audit_key.cache_clear()
    yield
    audit_key.cache_clear()


@pytest.fixture
def lane_events(db, monkeypatch) -> Callable[..., list[AuditEvent]]:
    """Return a maker of ``n`` audit events written by the service into ``lane``."""

    def make(n: int = 5, *, lane: int = 3) -> list[AuditEvent]:
        monkeypatch.setattr(services, "_lane_for_this_thread", lambda: lane)
        return [_record(i) for i in range(n)]

    return make


def _record(i: int) -> AuditEvent:
    return audit_record(action=Action.VIEW, object_type="test_object", object_id=i, detail={"n": i})
