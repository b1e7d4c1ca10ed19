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


class BreakGlassSearch(models.Model):
    """An emergency search for a patient outside the user's care, with its stated reason.

    Made from an empty patient search: by family name and date of birth, or by phone. It
    shows who matched (at most a few) only after the reason is given; the patients shown
    are kept by id, and the clinical director sees every search beside the grants.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_searches"
    )
    reason = models.TextField()
    basis = models.CharField(max_length=32)  # name_and_birth_date or phone
    patient_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="bg_search_user_created")]

    def __str__(self) -> str:
        return f"break-glass search {self.pk}"
