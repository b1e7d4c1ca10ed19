"""Stored administrations of validated instruments."""

from django.conf import settings
from django.db import models

from openrecovery.records.models import EpisodeOfCare, Patient


class Administration(models.Model):
    """One completed instrument for one patient: the answers, their score, who and when.

    The definition version is stored with the answers so a score can always be traced
    to the rules that produced it. Administrations are never edited: a correction is
    a new administration.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="administrations")
    episode = models.ForeignKey(
        EpisodeOfCare,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="administrations",
    )
    code = models.CharField("instrument code", max_length=32)
    version = models.CharField("definition version", max_length=64)
    answers = models.JSONField(help_text="Answers in published item order; null for skipped.")
    context = models.JSONField(default=dict, blank=True)
    total = models.IntegerField(null=True, blank=True)
    band = models.CharField(max_length=32)
    flags = models.JSONField(default=list, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    administered_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-administered_at", "-id"]
        indexes = [
            models.Index(
                fields=["patient", "code", "-administered_at"], name="administration_patient_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} for {self.patient_id} at {self.administered_at:%Y-%m-%d %H:%M}"
