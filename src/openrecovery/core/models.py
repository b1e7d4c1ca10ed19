"""Abstract base models shared by the domain apps, and the benchmark write floor's table."""

from django.db import models


class TimeStampedModel(models.Model):
    """A row that knows when it was created and last changed (UTC)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class BenchRow(models.Model):
    """One row per request to the benchmark write floor (a bare one-row insert)."""

    created_at = models.DateTimeField(auto_now_add=True)
    payload = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"bench row {self.pk}"
