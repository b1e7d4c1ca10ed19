"""Choices for treatment: plans, sessions and notes, measurement-based care, discharge."""

from django.db import models


class CareSetting(models.TextChoices):
    """Where treatment happens; it sets how often the plan is reviewed by default."""

    RESIDENTIAL = "residential", "Residential"
    OUTPATIENT = "outpatient", "Outpatient"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    SUPERSEDED = "superseded", "Superseded"


class PatientAgreement(models.TextChoices):
    AGREED = "agreed", "Agreed and signed"
    DECLINED = "declined", "Declined to sign"


class ObjectiveProgress(models.TextChoices):
    """A plan review's finding for one objective."""

    MET = "met", "Met"
    PROGRESSING = "progressing", "Progressing"
    NOT_PROGRESSING = "not_progressing", "Not progressing"
    REVISED = "revised", "Revised"


class ReviewTrigger(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled review"
    MEASUREMENT = "measurement", "Measurement not on track"
    OTHER = "other", "Clinical change"


class Modality(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video"
    PHONE = "phone", "Phone"


class InterventionKind(models.TextChoices):
    """Counseling approaches a session or a plan's intervention names (neutral codes)."""

    CBT = "cbt", "Cognitive behavioral therapy"
    MI = "mi", "Motivational interviewing"
    DBT_SKILLS = "dbt_skills", "DBT skills"
    RELAPSE_PREVENTION = "relapse_prevention", "Relapse-prevention skills"
    PSYCHOEDUCATION = "psychoeducation", "Psychoeducation"
    CONTINGENCY = "contingency", "Contingency management"
    FAMILY = "family", "Family involvement"
    CASE_MANAGEMENT = "case_management", "Case management"
    MEDICATION_MANAGEMENT = "medication_management", "Medication management"
    PEER_SUPPORT = "peer_support", "Peer support"


class SessionKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    GROUP = "group", "Group"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class NoteFormat(models.TextChoices):
    """The program's note format: DAP (data, assessment, plan) or BIRP (behavior,
    intervention, response, plan)."""

    DAP = "dap", "DAP"
    BIRP = "birp", "BIRP"


class NoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class Attendance(models.TextChoices):
    PRESENT = "present", "Present"
    LATE = "late", "Late"
    LEFT_EARLY = "left_early", "Left early"
    ABSENT = "absent", "Absent"


ATTENDED = frozenset({Attendance.PRESENT, Attendance.LATE, Attendance.LEFT_EARLY})


class ReferralSpecialty(models.TextChoices):
    PSYCHIATRY = "psychiatry", "Psychiatry"
    PRIMARY_CARE = "primary_care", "Primary care"
    PSYCHOLOGY = "psychology", "Psychology"
    OTHER = "other", "Other"


class ReferralStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    SCHEDULED = "scheduled", "Appointment booked"
    ATTENDED = "attended", "Attended"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


class DischargeReason(models.TextChoices):
    COMPLETED = "completed", "Completed treatment"
    AGAINST_ADVICE = "against_advice", "Left against clinical advice"
    ADMINISTRATIVE = "administrative", "Administrative discharge"
    TRANSFERRED = "transferred", "Transferred to another provider"


class MeasurementStatus(models.TextChoices):
    """A patient's course on one instrument (REFERENCE section 10), in reporting order."""

    REMISSION = "remission", "Remission"
    RESPONSE = "response", "Response"
    RELIABLE_DETERIORATION = "reliable_deterioration", "Reliable deterioration"
    NOT_ON_TRACK = "not_on_track", "Not on track"
    RELIABLE_IMPROVEMENT = "reliable_improvement", "Reliable improvement"
    NO_RELIABLE_CHANGE = "no_reliable_change", "No reliable change"
    INSUFFICIENT_DATA = "insufficient_data", "Insufficient data"
