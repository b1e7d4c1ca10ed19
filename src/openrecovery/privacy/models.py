"""Break-glass grants: time-limited emergency access that is always reviewed."""

from django.conf import settings
from django.db import models


class BreakGlassGrant(models.Model):
    """Emergency access to one patient's chart for one user, until it expires."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    patient = models.ForeignKey("records.Patient", on_delete=models.PROTECT)
    reason = models.TextField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "patient", "expires_at"], name="bg_user_patient")]

    def __str__(self) -> str:
        return f"break-glass {self.pk}"
