"""The suicide-risk level as a fact on the record."""

from django.conf import settings
from django.db import models

from openrecovery.records.models import EpisodeOfCare, Patient

from .choices import RiskLevel


class RiskAssessment(models.Model):
    """A patient's suicide-risk level as an assessment set it: who, when and from what.

    The newest row is the patient's current level. ``source_type``/``source_id`` name
    the record it came from (a C-SSRS administration).
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="risk_levels")
    episode = models.ForeignKey(
        EpisodeOfCare, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(max_length=16, choices=RiskLevel.choices)
    assessed_at = models.DateTimeField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source_type = models.CharField(max_length=64)
    source_id = models.CharField(max_length=64)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [models.Index(fields=["patient", "-assessed_at"], name="risk_patient_recent")]

    def __str__(self) -> str:
        return f"{self.level} risk for {self.patient_id} at {self.assessed_at:%Y-%m-%d %H:%M}"
