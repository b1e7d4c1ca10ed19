"""Choices of withdrawal management: why an alert was raised, and the vital signs."""

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
