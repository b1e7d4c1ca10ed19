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


class SafetyPlan(models.Model):
    """One version of a patient's Stanley-Brown safety plan, written with the patient.

    A version is a draft until a clinician signs it with the patient; a signed version
    never changes: a revision is a new version (copied from the last), and the newest
    signed version is the patient's current plan. Contacts are lists of
    ``{"name", "phone"}``.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="safety_plans")
    episode = models.ForeignKey(
        EpisodeOfCare, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField()
    # The six steps of the Safety Planning Intervention, and the reason for living.
    warning_signs = models.TextField(blank=True)
    coping_strategies = models.TextField(blank=True)
    distractions = models.TextField("people and social settings that distract", blank=True)
    help_contacts = models.JSONField("people to ask for help", default=list, blank=True)
    crisis_contacts = models.JSONField("professionals and agencies", default=list, blank=True)
    means_medications = models.TextField("medications: what was agreed", blank=True)
    means_firearms = models.TextField("firearms: what was agreed", blank=True)
    means_other = models.TextField("other means: what was agreed", blank=True)
    reasons_for_living = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    # The patient signs on paper or on the clinician's screen; the clinician records that
    # they did, and the name they signed with.
    patient_signed_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "version"], name="safety_plan_version")
        ]

    def __str__(self) -> str:
        return f"safety plan v{self.version} for {self.patient_id}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class PrecautionChecklist(models.Model):
    """The immediate safety precautions a ``high`` level calls for, step by step.

    Opened when a high level is recorded (one open checklist per patient: a second
    high level while one is open finds it); its steps are copied from the procedure in
    force (``safety.triage.precaution_steps``) with that procedure's source, so a later
    change of procedure never rewrites an open checklist. Complete when every step is.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="precautions")
    episode = models.ForeignKey(
        EpisodeOfCare, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.PROTECT, related_name="precaution_checklists"
    )
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(completed_at__isnull=True),
                name="precautions_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"safety precautions for {self.patient_id} opened {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    @property
    def steps_left(self) -> int:
        """Return how many steps are not done yet (prefetch ``steps`` to spare queries)."""
        return sum(1 for step in self.steps.all() if not step.is_done)


class PrecautionStep(models.Model):
    """One step of a precautions checklist: who completed it, when, and a short note."""

    checklist = models.ForeignKey(
        PrecautionChecklist, on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "code"], name="precaution_step_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} of checklist {self.checklist_id}"

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None
