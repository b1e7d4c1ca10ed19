"""Intake assessments with their substance rows, dimension ratings and addenda; problem lists."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from openrecovery.core.models import TimeStampedModel
from openrecovery.records.models import EpisodeOfCare, Patient

from .choices import (
    AsamDimension,
    AssessmentStatus,
    Frequency,
    LevelOfCare,
    ProblemSource,
    ProblemStatus,
    Route,
    Substance,
)


class IntakeAssessment(TimeStampedModel):
    """The structured intake assessment of one episode of care: a draft until signed.

    Narrative sections live in ``sections`` (section key -> answers), validated by the
    section forms in forms.py before every save. Once signed, nothing here changes;
    later information is added as an Addendum. ``version`` counts the saves.

    ``external_source`` and ``external_reference`` are the import point for a result from
    a licensed ASAM assessment tool (for example the tool's name and its result id). This
    project stores only such references and the clinician's neutral ratings and choice;
    it holds no ASAM criteria text and no placement logic.
    """

    episode = models.OneToOneField(
        EpisodeOfCare, on_delete=models.PROTECT, related_name="intake_assessment"
    )
    status = models.CharField(
        max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    sections = models.JSONField(default=dict, blank=True)
    level_of_care = models.CharField(max_length=8, choices=LevelOfCare.choices, blank=True)
    level_rationale = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    external_source = models.CharField(max_length=100, blank=True)
    external_reference = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"intake assessment {self.pk} ({self.status})"

    @property
    def is_signed(self) -> bool:
        return self.status == AssessmentStatus.SIGNED


class SubstanceUse(models.Model):
    """One substance in an intake's use history: how, how much, how often, since when."""

    assessment = models.ForeignKey(
        IntakeAssessment, on_delete=models.CASCADE, related_name="substances"
    )
    substance = models.CharField(max_length=32, choices=Substance.choices)
    detail = models.CharField("name or detail", max_length=100, blank=True)
    route = models.CharField(max_length=16, choices=Route.choices, blank=True)
    amount = models.CharField(max_length=100, blank=True)
    frequency = models.CharField(max_length=16, choices=Frequency.choices, blank=True)
    duration = models.CharField(max_length=100, blank=True)
    last_use = models.DateField("last use", null=True, blank=True)
    age_first_use = models.PositiveSmallIntegerField(
        "age at first use",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    # A row added from a carried-forward draft: which one ("<handoff id>:<row>") and the
    # source as shown ("From pre-screen, Dec 1 by J. Smith").
    carried_from = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_substance_display()} ({self.pk})"


class AsamDimensionRating(models.Model):
    """A clinician's 0-4 risk rating and notes for one of the six dimensions (neutral data)."""

    assessment = models.ForeignKey(
        IntakeAssessment, on_delete=models.CASCADE, related_name="ratings"
    )
    dimension = models.PositiveSmallIntegerField(choices=AsamDimension.choices)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(4)]
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "dimension"], name="one_rating_per_dimension"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__lte=4) | models.Q(rating__isnull=True),
                name="rating_zero_to_four",
            ),
        ]

    def __str__(self) -> str:
        return f"dimension {self.dimension}: {self.rating}"


class Addendum(models.Model):
    """Text added to a signed intake assessment; the signed assessment itself never changes."""

    assessment = models.ForeignKey(
        IntakeAssessment, on_delete=models.PROTECT, related_name="addenda"
    )
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"addendum {self.pk} to {self.assessment_id}"


class Problem(models.Model):
    """An entry on a patient's problem list: an ICD-10-CM code, unconfirmed until confirmed."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="problems")
    episode = models.ForeignKey(
        EpisodeOfCare, null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    icd10cm = models.CharField("ICD-10-CM code", max_length=10)
    description = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=ProblemStatus.choices, default=ProblemStatus.UNCONFIRMED
    )
    source = models.CharField(max_length=32, choices=ProblemSource.choices)
    source_detail = models.CharField(max_length=300, blank=True)
    # What the source produced (instrument code, version, answers, band), for review.
    source_data = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Set when a later result replaced this entry (status "replaced"), e.g. F13.10 by F13.20.
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["patient", "-recorded_at"], name="problem_patient_recent")]

    def __str__(self) -> str:
        return f"{self.icd10cm} ({self.status})"
