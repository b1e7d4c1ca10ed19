"""Choices of withdrawal management: alert reasons, vital signs, dose statuses, taper changes."""

from django.db import models


class EscalationReason(models.TextChoices):
    SEVERE_BAND = "severe_band", "Severe or very severe CIWA-B"
    RISE = "rise", "CIWA-B rise since the last assessment"
    VITALS = "vitals", "Vital signs beyond the protocol's limits"


class VitalSign(models.TextChoices):
    """The vital signs recorded, by field name, with their units in the label."""

    SYSTOLIC = "systolic", "Systolic blood pressure (mmHg)"
    DIASTOLIC = "diastolic", "Diastolic blood pressure (mmHg)"
    HEART_RATE = "heart_rate", "Heart rate (beats per minute)"
    TEMPERATURE = "temperature", "Temperature (°C)"
    RESPIRATORY_RATE = "respiratory_rate", "Respiratory rate (breaths per minute)"
    SPO2 = "spo2", "SpO2 (%)"


class DoseStatus(models.TextChoices):
    """What happened to a dose; every status but ``given`` needs a reason."""

    GIVEN = "given", "Given"
    HELD = "held", "Held"
    MISSED = "missed", "Missed"
    REFUSED = "refused", "Refused"


class Adjustment(models.TextChoices):
    """Operations on a taper plan, each producing a new plan from a given step."""

    PAUSE = "pause", "Pause (stay on a step longer)"
    SLOW = "slow", "Slow (longer intervals from a step on)"
    HOLD = "hold", "Hold at a plateau (no further steps until resumed)"
    RESUME = "resume", "Resume the held steps"
