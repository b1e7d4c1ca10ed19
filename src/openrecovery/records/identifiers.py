"""Medical record numbers."""

from django.db import transaction

MRN_DIGITS = 7


def mrn_format(number: int) -> str:
    """Return the MRN for a sequence number: ``MRN`` and seven digits."""
    return f"MRN{number:0{MRN_DIGITS}d}"


@transaction.atomic
def mrn_next() -> str:
    """Return the next unused MRN (one past the highest issued)."""
    from .models import Patient

    last = (
        Patient.objects.select_for_update().order_by("-mrn").values_list("mrn", flat=True).first()
    )
    return mrn_format(int(last[3:]) + 1 if last else 1)
