"""Possible duplicate inquiries (the same phone within a day), and merging them.

People who hear nothing back in a few minutes send the callback form again, or call
after sending it; each is the same person asking once. The queue marks such pairs
(``possible_duplicate_of``) and a coordinator merges one into the other: the merged
inquiry is closed with a pointer to the one kept, and keeps its own calls and notes,
which the kept inquiry's page shows. Nothing is deleted or moved.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action

from .choices import DispositionKind, InquiryStatus
from .models import OPEN, Disposition, Inquiry
from .services import (
    WORK_PERMISSION,
    InquiryConflict,
    InquiryTaken,
    _audit,
    _require,
    _workable,
)
from .validation import phone_digits

DUPLICATE_WINDOW = dt.timedelta(hours=24)
DUPLICATES_SHOWN = 10
ERROR_SELF = "An inquiry cannot be merged into itself."
ERROR_NOT_DUPLICATE = (
    "Only an open inquiry from the same phone number, received within 24 hours, can be "
    "merged into this one."
)
MERGED_NOTE = "Merged into {reference} (same phone within 24 hours)."


def mark_possible_duplicates(inquiries: list[Inquiry]) -> None:
    """Set ``possible_duplicate_of`` on each of ``inquiries`` (open ones, as the queue
    shows them): the reference of the earliest other one from the same phone received
    within 24 hours, or None.

    Pure Python over the rows already read, so the queue stays one query and costs no
    more to poll; a pair of which only one is among the rows shown is found on the
    inquiry's own page (``possible_duplicates``).
    """
    by_phone: dict[str, list[Inquiry]] = {}
    for inquiry in sorted(inquiries, key=lambda i: (i.received_at, i.pk)):
        inquiry.possible_duplicate_of = None
        if inquiry.phone_digits:
            by_phone.setdefault(inquiry.phone_digits, []).append(inquiry)
    for same_phone in by_phone.values():
        for inquiry in same_phone:
            inquiry.possible_duplicate_of = next(
                (
                    other.reference
                    for other in same_phone
                    if other is not inquiry
                    and abs(other.received_at - inquiry.received_at) < DUPLICATE_WINDOW
                ),
                None,
            )


def _near(inquiry: Inquiry) -> QuerySet[Inquiry]:
    return (
        Inquiry.objects.filter(OPEN)
        .exclude(pk=inquiry.pk)
        .filter(received_at__gt=inquiry.received_at - DUPLICATE_WINDOW)
        .filter(received_at__lt=inquiry.received_at + DUPLICATE_WINDOW)
        .filter(phone_digits=phone_digits(inquiry.phone))
    )


def possible_duplicates(inquiry: Inquiry) -> list[Inquiry]:
    """Return the open inquiries that may repeat ``inquiry`` (one query), oldest first."""
    if inquiry.closed_at is not None:
        return []
    rows = _near(inquiry).select_related("claimed_by").order_by("received_at", "pk")
    return list(rows[:DUPLICATES_SHOWN])


def merged_into(inquiry: Inquiry) -> list[Inquiry]:
    """Return the inquiries merged into ``inquiry``, with their calls (two queries)."""
    return list(
        inquiry.merged.select_related("claimed_by")
        .prefetch_related("call_attempts__attempted_by")
        .order_by("received_at", "pk")
    )


@transaction.atomic
def inquiry_merge(
    *, actor: User, inquiry_id: int, duplicate_id: int, request: HttpRequest | None = None
) -> Inquiry:
    """Merge the duplicate into the inquiry ``actor`` holds; return the inquiry kept.

    The duplicate must be open, not held by someone else, and from the same phone within
    24 hours. It is closed as "merged" with ``merged_into`` set and a disposition that
    says so; its calls, notes and message stay on it and show on the kept inquiry. The
    kept inquiry takes the more urgent urgency and the earlier first contact. Both are
    audited (ids and codes only).
    """
    _require(actor, WORK_PERMISSION)
    if inquiry_id == duplicate_id:
        raise ValidationError({"duplicate": ERROR_SELF})
    # Lock both rows in id order, so two merges of one pair cannot deadlock.
    locked = {
        row.pk: row
        for row in Inquiry.objects.select_for_update(of=("self",))
        .select_related("claimed_by")
        .filter(pk__in=[inquiry_id, duplicate_id])
        .order_by("pk")
    }
    kept, duplicate = locked.get(inquiry_id), locked.get(duplicate_id)
    if kept is None or duplicate is None:
        raise ValidationError({"duplicate": ERROR_NOT_DUPLICATE})
    _workable(actor, kept)
    if duplicate.closed_at is not None:
        raise InquiryConflict(ERROR_NOT_DUPLICATE)
    if duplicate.claimed_by is not None and duplicate.claimed_by_id != actor.pk:
        raise InquiryTaken(duplicate.claimed_by)
    if not _near(kept).filter(pk=duplicate.pk).exists():
        raise ValidationError({"duplicate": ERROR_NOT_DUPLICATE})
    now = timezone.now()
    disposition = Disposition(
        inquiry=duplicate,
        kind=DispositionKind.MERGED,
        notes=MERGED_NOTE.format(reference=kept.reference),
        created_at=now,
        created_by=actor,
    )
    disposition.full_clean(exclude=["inquiry"])
    disposition.save()
    duplicate.status, duplicate.closed_at = InquiryStatus.CLOSED, now
    duplicate.disposition_kind, duplicate.merged_into = DispositionKind.MERGED, kept
    duplicate.save(update_fields=["status", "closed_at", "disposition_kind", "merged_into"])
    contacts = [t for t in (kept.first_contact_at, duplicate.first_contact_at) if t is not None]
    kept.urgency = min(kept.urgency, duplicate.urgency)
    kept.first_contact_at = min(contacts, default=None)
    kept.save(update_fields=["urgency", "first_contact_at"])
    _audit(actor, request, duplicate, disposition=disposition.pk, kind=DispositionKind.MERGED,
           merged_into=kept.pk)  # fmt: skip
    _audit(actor, request, kept, merged_from=duplicate.pk, action=Action.UPDATE)
    return kept
