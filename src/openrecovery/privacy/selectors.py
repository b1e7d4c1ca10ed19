"""Reads for the break-glass review."""

from collections.abc import Sequence

from django.db.models import Count

from openrecovery.audit.choices import Outcome
from openrecovery.audit.models import AuditEvent


def refused_under_grants(grant_ids: Sequence[int]) -> dict[int, int]:
    """Return, per grant id, how many actions were refused while it was in use (one query)."""
    if not grant_ids:
        return {}
    rows = (
        AuditEvent.objects.filter(
            object_type="break_glass_grant",
            object_id__in=[str(pk) for pk in grant_ids],
            outcome=Outcome.DENIED,
        )
        .order_by()
        .values("object_id")
        .annotate(n=Count("id"))
    )
    return {int(row["object_id"]): row["n"] for row in rows}
