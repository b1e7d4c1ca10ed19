"""Purposes of use and the grounds on which access is granted."""

from django.db import models


class Purpose(models.TextChoices):
    TREATMENT = "treatment", "Treatment"
    OPERATIONS = "operations", "Health care operations"
    EMERGENCY = "emergency", "Medical emergency"


class AccessBasis(models.TextChoices):
    CARE_TEAM = "care_team", "Care team member"
    COVERAGE = "coverage", "Role covers this stage of care"
    BREAK_GLASS = "break_glass", "Emergency (break-glass) access"
