from django.db import models


class RiskLevel(models.TextChoices):
    """A C-SSRS screener's risk level (the band codes of ``cssrs``)."""

    NONE = "none", "No risk identified"
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
