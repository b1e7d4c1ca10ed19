"""Patients, episodes of care, care teams and the timeline of what was recorded."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from openrecovery.core.models import TimeStampedModel

from .choices import (
    AlertKind,
    AlertSeverity,
    CareTeamRole,
    DischargeType,
    HandoffSource,
    SexAtBirth,
    Stage,
    TaskKind,
    TaskOutcome,
    TaskStatus,
    TimelineKind,
)


class Patient(TimeStampedModel):
    """A person the program cares for, identified by a medical record number (MRN)."""

    mrn = models.CharField("MRN", max_length=20, unique=True)
    legal_given_name = models.CharField(max_length=100)
    legal_family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(db_index=True)
    sex_at_birth = models.CharField(max_length=16, choices=SexAtBirth.choices)
    gender_identity = models.CharField(max_length=64, blank=True)
    pronouns = models.CharField(max_length=32, blank=True)
    phone_mobile = models.CharField(max_length=32, blank=True, db_index=True)
    phone_home = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=32, blank=True)
    postal_code = models.CharField(max_length=16, blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=32, blank=True)
    emergency_contact_relationship = models.CharField(max_length=64, blank=True)
    preferred_language = models.CharField(max_length=32, default="English")
    # Lower-cased copies for case-insensitive prefix search on both databases.
    search_family = models.CharField(max_length=100, db_index=True, editable=False)
    search_given = models.CharField(max_length=100, db_index=True, editable=False)

    class Meta:
        ordering = ["legal_family_name", "legal_given_name"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.mrn})"

    def save(self, *args, **kwargs) -> None:
        self.search_family = self.legal_family_name.lower()
        self.search_given = self.legal_given_name.lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        """Return the name to address the person by: preferred given name first."""
        given = self.preferred_name or self.legal_given_name
        return f"{given} {self.legal_family_name}"


class EpisodeOfCare(TimeStampedModel):
    """One stay with the program, from first contact to discharge, moving through stages."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    stage = models.CharField(max_length=32, choices=Stage.choices, default=Stage.INQUIRY)
    started_at = models.DateTimeField()
    stage_changed_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    discharge_type = models.CharField(max_length=32, choices=DischargeType.choices, blank=True)
    previous_episode = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="readmission"
    )

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(ended_at__isnull=True),
                name="one_open_episode_per_patient",
            )
        ]
        indexes = [
            models.Index(fields=["stage", "patient"], name="episode_stage_patient"),
            # Dashboards list open episodes by most recent stage change.
            models.Index(
                fields=["-stage_changed_at"],
                condition=Q(ended_at__isnull=True),
                name="episode_open_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"episode {self.pk} ({self.stage})"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class StageTransition(models.Model):
    """A recorded move of an episode from one stage to another, with its reason."""

    episode = models.ForeignKey(EpisodeOfCare, on_delete=models.PROTECT, related_name="transitions")
    from_stage = models.CharField(max_length=32, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=32, choices=Stage.choices)
    reason = models.TextField()
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    moved_at = models.DateTimeField()

    class Meta:
        ordering = ["moved_at"]

    def __str__(self) -> str:
        return f"{self.from_stage or 'new'} -> {self.to_stage}"


class CareTeamMember(TimeStampedModel):
    """A staff member caring for a patient, with their role on the team."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_assignments"
    )
    team_role = models.CharField(max_length=32, choices=CareTeamRole.choices)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "user"],
                condition=Q(active=True),
                name="one_active_membership",
            )
        ]
        indexes = [models.Index(fields=["user", "active", "patient"], name="careteam_user_active")]

    def __str__(self) -> str:
        return f"{self.user_id} as {self.team_role} for {self.patient_id}"


class PatientContact(TimeStampedModel):
    """Someone the patient knows who reached out or may be reached: the relative who
    called the helpline for them, for example. A contact is never the patient's name.

    Whether staff may tell the contact anything about the patient (even that they are a
    patient) is the patient's consent (42 CFR Part 2): ``may_be_told`` stays False until
    the patient gives it, and ``consent_note`` then says how it was given.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField("name or alias", max_length=100)
    relationship = models.CharField(max_length=64)
    phone = models.CharField(max_length=32, blank=True)
    may_be_told = models.BooleanField("may be told about the patient's care", default=False)
    consent_note = models.CharField("how the patient consented", max_length=300, blank=True)
    source = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"contact {self.pk} of patient {self.patient_id}"


class EpisodeHandoff(models.Model):
    """What an earlier step recorded for a later one to start from, with who and when.

    The helpline's pre-screen is handed to the intake assessment when an inquiry becomes
    a patient (``source`` "prescreen"): ``data`` holds its substance rows (``substance``,
    ``dose``, ``frequency``, ``duration``, ``last_use``, free text) and answers
    (``alcohol_co_use``, ``opioid_co_use``, ``withdrawal_seizures``,
    ``withdrawal_complications``, ``withdrawal_now``,
    ``withdrawal_seizure_or_confusion_now``, ``hours_since_last_dose``, ``pregnancy``,
    ``suicidal_thoughts``, ``medical_conditions``, ``psychiatric_conditions``,
    ``current_prescriber``). The intake offers each as a prefilled draft naming this
    source; nothing here is the intake's own record until a clinician saves it.
    """

    episode = models.ForeignKey(EpisodeOfCare, on_delete=models.PROTECT, related_name="handoffs")
    source = models.CharField(max_length=32, choices=HandoffSource.choices)
    source_reference = models.CharField(max_length=32, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.source} handed to episode {self.episode_id}"


class TimelineEvent(models.Model):
    """Something recorded about a patient, shown in order on the chart's timeline."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="timeline")
    episode = models.ForeignKey(
        EpisodeOfCare, null=True, blank=True, on_delete=models.PROTECT, related_name="timeline"
    )
    kind = models.CharField(max_length=32, choices=TimelineKind.choices)
    occurred_at = models.DateTimeField()
    summary = models.CharField(max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-occurred_at", "-id"], name="timeline_patient_time")
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.occurred_at:%Y-%m-%d}"


class ClinicalAlert(models.Model):
    """A clinical alert sent to one staff member about one patient, until it is addressed.

    One row per recipient: each recipient acknowledges their own copy (they have seen
    it). Rows raised together share ``source_type``/``source_id`` (the record that
    raised them, e.g. an instrument administration); marking the alert addressed
    resolves every copy of that source at once. ``message`` carries no free text
    about the patient beyond what the chart already shows.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="alerts")
    episode = models.ForeignKey(
        EpisodeOfCare, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    severity = models.CharField(max_length=16, choices=AlertSeverity.choices)
    message = models.CharField(max_length=300)
    source_type = models.CharField(max_length=64)
    source_id = models.CharField(max_length=64)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinical_alerts"
    )
    created_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The navbar badge and the dashboard: my unacknowledged alerts.
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(acknowledged_at__isnull=True),
                name="alert_recipient_unacked",
            ),
            # The chart banner: a patient's unresolved alerts.
            models.Index(
                fields=["patient", "-created_at"],
                condition=Q(resolved_at__isnull=True),
                name="alert_patient_unresolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} alert for {self.patient_id} to {self.recipient_id}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class ClinicalTask(models.Model):
    """Work owed on a patient (a C-SSRS, a consult, a follow-up call) until it is closed.

    A task is visible to the patient's care team (``assigned_to``, when set, names who
    should do it). ``key`` says what makes two tasks the same: at most one open task per
    patient and key exists, so a trigger that fires again finds the open task instead of
    opening another. It closes as done (``closed_source_*`` names the record that did
    it, e.g. the C-SSRS administration) or as not done, with the reason.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="tasks")
    episode = models.ForeignKey(
        EpisodeOfCare, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    kind = models.CharField(max_length=32, choices=TaskKind.choices)
    key = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_type = models.CharField(max_length=64)
    source_id = models.CharField(max_length=64)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_source_type = models.CharField(max_length=64, blank=True)
    closed_source_id = models.CharField(max_length=64, blank=True)
    close_reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=TaskOutcome.choices, blank=True)

    class Meta:
        ordering = ["due_at", "opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "key"],
                condition=Q(status="open"),
                name="task_one_open_per_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["patient", "due_at"],
                condition=Q(status="open"),
                name="task_patient_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} task for {self.patient_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN
