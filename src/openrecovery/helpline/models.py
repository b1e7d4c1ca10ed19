"""Helpline inquiries (web callbacks and logged calls), call attempts, pre-screens, dispositions.

Inquiries hold PHI: staff read them through ``selectors`` (access-checked and audited)
and change them through ``services``.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from .choices import (
    CallOutcome,
    DispositionKind,
    ForWhom,
    InquirySource,
    InquiryStatus,
    Pregnancy,
    ReferralSource,
    ReferralTarget,
    Urgency,
)

OPEN = Q(closed_at__isnull=True)
HOURS_SINCE_LAST_DOSE_MAX = 24 * 365


class Inquiry(models.Model):
    """A request for help: a web callback or a call logged by staff, until its disposition.

    ``status`` is open (nobody has it), claimed (a coordinator works it) or closed (a
    disposition was recorded, ``closed_at`` set). ``urgency`` orders the queue; it is
    computed from what the person told us (a self-check they chose to send, the
    pre-screen's danger rules) and only ever raised by a newer answer, never silently
    lowered. A duplicate (the same phone within a day) merged into another inquiry is
    closed with ``merged_into`` pointing at the one kept; its calls stay its own.
    """

    reference = models.CharField(max_length=12, unique=True)
    source = models.CharField(max_length=16, choices=InquirySource.choices)
    status = models.CharField(
        max_length=16, choices=InquiryStatus.choices, default=InquiryStatus.OPEN
    )
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices, default=Urgency.NORMAL)
    received_at = models.DateTimeField()
    first_contact_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_inquiries",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # What the person told us when asking for a callback.
    name = models.CharField("name or alias", max_length=100)
    phone = models.CharField(max_length=32)
    # The phone's digits (``merging.phone_digits``): how possible duplicates are found.
    phone_digits = models.CharField(max_length=32, blank=True, editable=False)
    best_time = models.CharField("best time to call", max_length=100, blank=True)
    for_whom = models.CharField(max_length=16, choices=ForWhom.choices)
    substances = models.CharField(max_length=300, blank=True)
    voicemail_ok = models.BooleanField("safe to leave a voicemail", default=False)
    consent = models.BooleanField("consent to be contacted", default=False)
    message = models.TextField(blank=True)
    # A self-check result the person chose to send: {"code", "band", "flags", "answers"}.
    self_check = models.JSONField(null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="logged_inquiries",
    )
    # Set when the inquiry is closed (denormalised from Disposition for the figures).
    disposition_kind = models.CharField(max_length=32, choices=DispositionKind.choices, blank=True)
    patient = models.ForeignKey(
        "records.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inquiries",
    )
    # Set when a coordinator merged this duplicate into another inquiry (then closed).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    # Not stored: set on queue rows by ``merging.mark_possible_duplicates``.
    possible_duplicate_of: str | None = None

    class Meta:
        verbose_name_plural = "inquiries"
        ordering = ["urgency", "received_at"]
        indexes = [
            # The live queue: open inquiries by urgency, then longest waiting.
            models.Index(
                fields=["urgency", "received_at"], condition=OPEN, name="inquiry_open_queue"
            ),
            # Possible duplicates: open inquiries from the same phone (merging.py).
            models.Index(
                fields=["phone_digits", "received_at"], condition=OPEN, name="inquiry_open_phone"
            ),
            # History and conversion figures read bounded windows of received_at.
            models.Index(fields=["received_at"], name="inquiry_received"),
            # The console's "recently closed" list, newest closure first.
            models.Index(
                fields=["-closed_at"],
                condition=models.Q(closed_at__isnull=False),
                name="inquiry_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class CallAttempt(models.Model):
    """One attempt to reach the person, with its outcome and when to try next."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="call_attempts")
    outcome = models.CharField(max_length=16, choices=CallOutcome.choices)
    notes = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempted_at = models.DateTimeField()
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["attempted_at", "id"]
        indexes = [models.Index(fields=["inquiry", "attempted_at"], name="callattempt_inquiry")]

    def __str__(self) -> str:
        return f"{self.outcome} at {self.attempted_at:%Y-%m-%d %H:%M}"


class PreScreen(models.Model):
    """The admissions pre-screen of one inquiry, editable until its disposition.

    ``substances`` is a list of rows ``{"substance", "dose", "frequency", "duration",
    "last_use"}`` (free text each). The yes/no answers, and withdrawal happening now
    with the hours since the last dose, feed ``rules.danger_rules``.
    """

    inquiry = models.OneToOneField(Inquiry, on_delete=models.PROTECT, related_name="prescreen")
    substances = models.JSONField(default=list, blank=True)
    alcohol_co_use = models.BooleanField("uses alcohol as well", default=False)
    opioid_co_use = models.BooleanField("uses opioids as well", default=False)
    withdrawal_seizures = models.BooleanField("past withdrawal seizures", default=False)
    withdrawal_complications = models.BooleanField(
        "past withdrawal complications (delirium, hallucinations)", default=False
    )
    pregnancy = models.CharField(
        max_length=16, choices=Pregnancy.choices, default=Pregnancy.UNKNOWN
    )
    suicidal_thoughts = models.BooleanField("suicidal thoughts now or recently", default=False)
    overdose_signs = models.BooleanField(
        "signs of overdose now (unresponsive, slow or no breathing, seizure)", default=False
    )
    withdrawal_now = models.BooleanField(
        "withdrawal symptoms now (shaking, sweating, racing heart, anxiety, no sleep)",
        default=False,
    )
    withdrawal_seizure_or_confusion_now = models.BooleanField(
        "seizure, confusion or hallucinations now", default=False
    )
    hours_since_last_dose = models.PositiveSmallIntegerField(
        "hours since the last dose",
        null=True,
        blank=True,
        validators=[MaxValueValidator(HOURS_SINCE_LAST_DOSE_MAX)],
    )
    medical_conditions = models.TextField(blank=True)
    psychiatric_conditions = models.TextField(blank=True)
    current_prescriber = models.CharField(max_length=200, blank=True)
    insurance_provider = models.CharField(max_length=100, blank=True)
    insurance_member_id = models.CharField(max_length=64, blank=True)
    insurance_notes = models.CharField(max_length=300, blank=True)
    referral_source = models.CharField(max_length=32, choices=ReferralSource.choices, blank=True)
    referral_detail = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"pre-screen of inquiry {self.inquiry_id}"


class Disposition(models.Model):
    """How an inquiry ended: an assessment scheduled, a referral, not a fit, or lost contact."""

    inquiry = models.OneToOneField(Inquiry, on_delete=models.PROTECT, related_name="disposition")
    kind = models.CharField(max_length=32, choices=DispositionKind.choices)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scheduled_assessments",
    )
    referral_target = models.CharField(max_length=32, choices=ReferralTarget.choices, blank=True)
    referral_detail = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.kind} for inquiry {self.inquiry_id}"


class RateLimitBucket(models.Model):
    """Callback submissions counted per client in the current fixed window.

    ``key`` is a keyed hash of the client address (no raw IPs are stored); one row per
    client, reset when a new window starts. Written by one UPSERT per accepted request.
    """

    key = models.CharField(max_length=32, primary_key=True)
    window_start = models.BigIntegerField(db_index=True)
    hits = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.key}: {self.hits} since {self.window_start}"
