"""Measurement-based care for tests: administrations with a chosen score, backdated."""

import datetime as dt

from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.instruments.models import Administration
from openrecovery.instruments.registry import INSTRUMENTS
from openrecovery.instruments.services import administration_recorded
from openrecovery.records.models import Patient
from tests.support.instruments import complete

# Items that carry a score of our choosing: never PHQ-9 item 9 (it would open a C-SSRS).
SCORED_ITEMS = {
    "phq9": ("1", "2", "3", "4", "5", "6", "7", "8"),
    "gad7": ("1", "2", "3", "4", "5", "6", "7"),
    "bam": ("4", "5", "6"),  # the use score
}


def answers_scoring(code: str, total: int) -> list[int | None]:
    """Return answers whose total (the BAM's use score) is ``total``."""
    instrument = INSTRUMENTS[code]
    given: dict[str, int | None] = {}
    left = total
    for number in SCORED_ITEMS[code]:
        top = max(instrument.item(number).values)
        given[number] = min(left, top)
        left -= given[number]
    if left:
        raise ValueError(f"{code} cannot score {total} on {SCORED_ITEMS[code]}")
    return complete(instrument, given)


def give(
    patient: Patient, actor: User, code: str, total: int, *, days_ago: float = 0
) -> Administration:
    """Record ``code`` scoring ``total`` through the instruments service (so the reactions
    run), then move it ``days_ago`` days back (the service accepts at most 24 hours)."""
    result = administration_recorded(
        actor=actor, patient=patient, code=code, answers=answers_scoring(code, total)
    )
    administration = result.administration
    if days_ago:
        at = timezone.now() - dt.timedelta(days=days_ago)
        Administration.objects.filter(pk=administration.pk).update(administered_at=at)
        administration.administered_at = at
    return administration


def backdate(administration: Administration, at: dt.datetime) -> Administration:
    """Move a stored administration to ``at`` (tests only: administrations never change)."""
    Administration.objects.filter(pk=administration.pk).update(administered_at=at)
    administration.administered_at = at
    return administration
