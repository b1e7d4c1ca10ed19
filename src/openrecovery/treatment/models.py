"""Treatment: plans (the golden thread), sessions and notes, groups, referrals,
measurement schedules and discharge summaries."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from openrecovery.records.models import EpisodeOfCare, Patient

from .choices import (
    Attendance,
    CareSetting,
    DischargeReason,
    InterventionKind,
    Modality,
    NoteFormat,
    NoteStatus,
    ObjectiveProgress,
    PatientAgreement,
    PlanStatus,
    ReferralSpecialty,
    ReferralStatus,
    ReviewTrigger,
    SessionKind,
    SessionStatus,
)


class TreatmentPlan(models.Model):
    """One version of an episode's treatment plan.

    A draft is edited in place; signing fixes it. A change after signing is a new draft
    version copied from the signed one (``plan_revise``); signing that version supersedes
    the old one. The clinician signs, and the patient's agreement is recorded (signed, or
    declined with the reason). ``review_due_on`` is when the plan is next reviewed.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="treatment_plans")
    episode = models.ForeignKey(
        EpisodeOfCare, on_delete=models.PROTECT, related_name="treatment_plans"
    )
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    setting = models.CharField(max_length=16, choices=CareSetting.choices)
    review_due_on = models.DateField(null=True, blank=True)
    change_reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    patient_agreement = models.CharField(
        max_length=16, choices=PatientAgreement.choices, blank=True
    )
    patient_decline_reason = models.CharField(max_length=500, blank=True)
    patient_signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["episode", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "version"], name="plan_episode_version"),
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(status="draft"),
                name="plan_one_draft_per_episode",
            ),
        ]
        indexes = [models.Index(fields=["patient", "-version"], name="plan_patient_version")]

    def __str__(self) -> str:
        return f"treatment plan v{self.version} ({self.get_status_display()})"


class PlanProblem(models.Model):
    """A problem the plan addresses: from the problem list or the intake's dimension
    ratings (``source``, ``dimension``: neutral codes), in the clinician's words."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="problems")
    position = models.PositiveSmallIntegerField()
    statement = models.CharField(max_length=300)
    source = models.CharField(max_length=64, blank=True)
    dimension = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return self.statement


class PlanGoal(models.Model):
    """What the patient wants from working on a problem, in the patient's own words."""

    problem = models.ForeignKey(PlanProblem, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField()
    patient_words = models.CharField(max_length=500)

    class Meta:
        ordering = ["problem", "position"]

    def __str__(self) -> str:
        return self.patient_words


class PlanObjective(models.Model):
    """A measurable step towards a goal, with a target date.

    ``thread`` is the objective's identity across plan versions (a copy keeps it), so
    the golden thread (which notes addressed it, and when) survives a revision.
    """

    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField()
    thread = models.CharField(max_length=32, db_index=True)
    text = models.CharField(max_length=500)
    target_date = models.DateField()

    class Meta:
        ordering = ["goal", "position"]

    def __str__(self) -> str:
        return self.text


class PlanIntervention(models.Model):
    """Who does what, how often, for a problem (e.g. counselor, CBT, weekly)."""

    problem = models.ForeignKey(PlanProblem, on_delete=models.CASCADE, related_name="interventions")
    position = models.PositiveSmallIntegerField()
    provider_role = models.CharField("who", max_length=100)
    kind = models.CharField("modality", max_length=32, choices=InterventionKind.choices)
    frequency = models.CharField("how often", max_length=100)
    description = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["problem", "position"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.frequency})"


class PlanReview(models.Model):
    """A review of a signed plan: progress per objective and what changed.

    A review triggered by measurement (a not-on-track or deteriorating score) closes
    the plan-review task it answers.
    """

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="reviews")
    trigger = models.CharField(max_length=16, choices=ReviewTrigger.choices)
    what_changed = models.TextField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()
    next_review_on = models.DateField()
    task = models.ForeignKey(
        "records.ClinicalTask", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-reviewed_at"]

    def __str__(self) -> str:
        return f"review of plan {self.plan_id} on {self.reviewed_at:%Y-%m-%d}"


class ObjectiveReview(models.Model):
    """A review's finding for one objective."""

    review = models.ForeignKey(PlanReview, on_delete=models.CASCADE, related_name="objectives")
    objective = models.ForeignKey(PlanObjective, on_delete=models.PROTECT, related_name="+")
    progress = models.CharField(max_length=16, choices=ObjectiveProgress.choices)
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "objective"], name="review_objective_once")
        ]

    def __str__(self) -> str:
        return f"{self.objective_id}: {self.progress}"


class TreatmentGroup(models.Model):
    """A recurring group (e.g. relapse prevention, Tuesdays 10:00) with its roster."""

    name = models.CharField(max_length=100)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="groups_facilitated"
    )
    co_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="groups_co_facilitated",
    )
    weekday = models.PositiveSmallIntegerField(help_text="0 Monday ... 6 Sunday")
    start_time = models.TimeField()
    minutes = models.PositiveSmallIntegerField(default=60)
    room = models.CharField(max_length=100, blank=True)
    video_link = models.URLField(blank=True)
    curriculum = models.BooleanField("follows the relapse-prevention curriculum", default=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """A patient on a group's roster."""

    group = models.ForeignKey(TreatmentGroup, on_delete=models.PROTECT, related_name="members")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="group_rosters")
    active = models.BooleanField(default=True)
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "patient"], name="group_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} in {self.group_id}"


class TherapySession(models.Model):
    """A scheduled individual or group session on the calendar."""

    kind = models.CharField(max_length=16, choices=SessionKind.choices)
    group = models.ForeignKey(
        TreatmentGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="therapy_sessions"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="therapy_sessions"
    )
    co_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    room = models.CharField(max_length=100, blank=True)
    video_link = models.URLField(blank=True)
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="group", group__isnull=False, patient__isnull=True))
                | Q(kind="individual", group__isnull=True, patient__isnull=False),
                name="session_group_or_patient",
            ),
            models.UniqueConstraint(fields=["group", "starts_at"], name="group_session_once"),
        ]
        indexes = [
            models.Index(fields=["clinician", "starts_at"], name="session_clinician_time"),
            models.Index(fields=["co_facilitator", "starts_at"], name="session_cofac_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} session at {self.starts_at:%Y-%m-%d %H:%M}"


class GroupNote(models.Model):
    """The shared part of a group session's notes, written once by the facilitator.

    Each attending member gets a ``ProgressNote`` of their own that points here; signing
    the group signs them all. A member's chart shows this shared part and that member's
    own note, never another member's.
    """

    session = models.OneToOneField(
        TherapySession, on_delete=models.PROTECT, related_name="group_note"
    )
    topic = models.CharField(max_length=200)
    module_code = models.CharField("curriculum module", max_length=32, blank=True)
    interventions = models.JSONField(default=list, blank=True)
    shared_text = models.TextField("what the group did")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    modality = models.CharField(max_length=16, choices=Modality.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    signed_at = models.DateTimeField(null=True, blank=True)
    late_entry = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"group note for session {self.session_id}"


class GroupAttendance(models.Model):
    """One roster member's attendance at a group session."""

    group_note = models.ForeignKey(GroupNote, on_delete=models.CASCADE, related_name="attendance")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Attendance.choices)
    absent_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group_note", "patient"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.patient_id}: {self.status}"


class ProgressNote(models.Model):
    """A session note in one patient's chart: an individual session's, or a group
    member's (``group_note`` set: the shared part is there, ``individual_text`` is what
    this person said and did).

    ``sections`` holds the DAP or BIRP headings' text. Signed notes never change;
    corrections are addenda. ``objectives`` are the plan objectives it addressed (the
    golden thread); ``flags`` are what signing found (``no_objective``, ``late_entry``).
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="progress_notes")
    episode = models.ForeignKey(
        EpisodeOfCare, on_delete=models.PROTECT, related_name="progress_notes"
    )
    session = models.ForeignKey(
        TherapySession, null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    group_note = models.ForeignKey(
        GroupNote, null=True, blank=True, on_delete=models.PROTECT, related_name="member_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(max_length=8, choices=NoteFormat.choices)
    sections = models.JSONField(default=dict, blank=True)
    individual_text = models.TextField(blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    modality = models.CharField(max_length=16, choices=Modality.choices)
    interventions = models.JSONField(default=list, blank=True)
    risk_level_seen = models.CharField(max_length=16, blank=True)
    next_session_plan = models.TextField(blank=True)
    module_code = models.CharField("curriculum module", max_length=32, blank=True)
    objectives = models.ManyToManyField(PlanObjective, blank=True, related_name="notes")
    status = models.CharField(max_length=16, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    signed_at = models.DateTimeField(null=True, blank=True)
    late_entry = models.BooleanField(default=False)
    flags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group_note", "patient"],
                condition=Q(group_note__isnull=False),
                name="member_note_once",
            )
        ]
        indexes = [
            models.Index(fields=["patient", "-started_at"], name="note_patient_time"),
            models.Index(fields=["author", "status"], name="note_author_status"),
        ]

    def __str__(self) -> str:
        return f"progress note {self.pk}"


class NoteAddendum(models.Model):
    """A correction or addition to a signed note; the note itself never changes."""

    note = models.ForeignKey(ProgressNote, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["note", "created_at"]

    def __str__(self) -> str:
        return f"addendum to note {self.note_id}"


class Referral(models.Model):
    """A referral to another clinician (psychiatry, primary care) and its outcome."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    episode = models.ForeignKey(EpisodeOfCare, on_delete=models.PROTECT, related_name="referrals")
    specialty = models.CharField(max_length=16, choices=ReferralSpecialty.choices)
    to_whom = models.CharField(max_length=200)
    reason = models.CharField(max_length=500)
    appointment_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.REQUESTED
    )
    outcome = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["episode", "status"], name="referral_episode_status")]

    def __str__(self) -> str:
        return f"{self.get_specialty_display()} referral"


class MeasureSchedule(models.Model):
    """How often an instrument is due in an episode's treatment (days), when it differs
    from the program's default (``settings.MEASUREMENT_SCHEDULE_DAYS``)."""

    episode = models.ForeignKey(
        EpisodeOfCare, on_delete=models.PROTECT, related_name="measure_schedules"
    )
    code = models.CharField(max_length=32)
    interval_days = models.PositiveSmallIntegerField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "code"], name="schedule_episode_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} every {self.interval_days} days"


class DischargeSummary(models.Model):
    """An episode's discharge summary; signing it closes the episode.

    ``scores`` keeps the last scores with their trend as they stood at discharge, and
    ``risk_level``/``safety_plan_version`` the suicide-risk picture; against advice,
    ``risks_explained`` and ``crisis_resources_given`` must both be recorded.
    ``aftercare_text`` holds the first aftercare appointments until the aftercare plan
    exists.
    """

    episode = models.OneToOneField(
        EpisodeOfCare, on_delete=models.PROTECT, related_name="discharge_summary"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="discharges")
    reason = models.CharField(max_length=16, choices=DischargeReason.choices)
    course = models.TextField("course of treatment")
    scores = models.JSONField(default=list, blank=True)
    medications = models.TextField("medications at discharge", blank=True)
    risk_level = models.CharField(max_length=16, blank=True)
    safety_plan_version = models.PositiveIntegerField(null=True, blank=True)
    aftercare_text = models.TextField("first aftercare appointments", blank=True)
    risks_explained = models.BooleanField(default=False)
    crisis_resources_given = models.BooleanField(default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    created_at = models.DateTimeField()
    signed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"discharge summary for episode {self.episode_id}"
