"""Fixtures for administering instruments: a patient with a counselor and a nurse on the team."""

import pytest

from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.instruments.registry import INSTRUMENTS
from openrecovery.records.choices import Stage
from openrecovery.records.services import care_team_add
from tests.support.factories import make_patient, make_staff

PHQ9_MODERATE = [2, 2, 1, 1, 2, 1, 1, 1, 0, 1]  # total 11, item 9 negative
PHQ9_ITEM9 = [1, 1, 1, 1, 1, 1, 1, 1, 1, None]  # total 9, item 9 positive
CSSRS_HIGH = [1, 1, 1, 1, 0, 0, None]  # Q4 (intent) yes
CSSRS_LOW = [1, 0, None, None, None, 0, None]


@pytest.fixture
def nurse(db):
    return make_staff(Role.NURSE, "nurse")


@pytest.fixture
def patient(director, counselor, nurse):
    patient = make_patient(
        actor=director, stage=Stage.TREATMENT, team=[counselor], given="Ada", family="Lovelace"
    )
    care_team_add(actor=director, patient=patient, user=nurse, team_role="primary_nurse")
    return patient


def audit_mark() -> int:
    """Return the newest audit event id, so a test can look at only what it caused."""
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def audit_since(mark: int, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=mark, **filters).order_by("id"))


def form_data(code: str, answers: list[int | None], **extra) -> dict:
    """Return the POST body answering ``code``'s items in order (None leaves one blank)."""
    items = INSTRUMENTS[code].items
    data = {
        f"item_{item.number}": str(answer)
        for item, answer in zip(items, answers, strict=False)
        if answer is not None
    }
    data.update(extra)
    return data
