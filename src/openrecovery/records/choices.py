"""Choices for the patient record: stages, discharge types, team roles, timeline kinds."""

from django.db import models


class Stage(models.TextChoices):
    INQUIRY = "inquiry", "Inquiry"
    ASSESSMENT = "assessment", "Assessment"
    WITHDRAWAL_MANAGEMENT = "withdrawal_management", "Withdrawal management"
    TREATMENT = "treatment", "Treatment"
    AFTERCARE = "aftercare", "Aftercare"
    CLOSED = "closed", "Closed"


class DischargeType(models.TextChoices):
    COMPLETED = "completed", "Completed care"
    AGAINST_ADVICE = "against_advice", "Left against clinical advice"
    REFERRED_OUT = "referred_out", "Referred to another provider"
    LOST_CONTACT = "lost_contact", "Lost contact"
    NOT_ADMITTED = "not_admitted", "Not admitted"
    ADMINISTRATIVE = "administrative", "Administrative discharge"


class SexAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown"
    DECLINED = "declined", "Declined to answer"


class CareTeamRole(models.TextChoices):
    PRIMARY_COUNSELOR = "primary_counselor", "Primary counselor"
    ATTENDING_PHYSICIAN = "attending_physician", "Attending physician"
    PRIMARY_NURSE = "primary_nurse", "Primary nurse"
    ADMISSIONS = "admissions", "Admissions coordinator"
    PSYCHIATRIST = "psychiatrist", "Psychiatrist"
    CASE_MANAGER = "case_manager", "Case manager"
    CLINICAL_SUPERVISOR = "clinical_supervisor", "Clinical supervisor"


class TimelineKind(models.TextChoices):
    REGISTERED = "registered", "Registered"
    EPISODE_OPENED = "episode_opened", "Episode opened"
    STAGE_CHANGED = "stage_changed", "Stage changed"
    CARE_TEAM = "care_team", "Care team"
    NOTE = "note", "Note"
    CONTACT = "contact", "Contact"
    ASSESSMENT = "assessment", "Assessment"
    OBSERVATION = "observation", "Observation"
    MEDICATION = "medication", "Medication"
    TASK = "task", "Task"


class AlertSeverity(models.TextChoices):
    URGENT = "urgent", "Urgent"
    WARNING = "warning", "Warning"


class AlertKind(models.TextChoices):
    SUICIDE_RISK_HIGH = "suicide_risk_high", "High suicide risk"
    # Withdrawal management (``withdrawal``): a clinician review, never a dose.
    WITHDRAWAL_CIWAB = "withdrawal_ciwab", "CIWA-B: clinician review"
    WITHDRAWAL_VITALS = "withdrawal_vitals", "Vital signs beyond protocol limits"
    # Treatment (``treatment``): the golden thread from plan objectives to session notes.
    TREATMENT_THREAD = "treatment_thread", "Treatment plan thread"


class HandoffSource(models.TextChoices):
    """Which earlier step recorded what an episode's next step starts from."""

    PRESCREEN = "prescreen", "Pre-screen"


class TaskKind(models.TextChoices):
    """Work owed on a patient. The suicide-risk pathway (``safety``) opens the first four."""

    CSSRS_OWED = "cssrs_owed", "C-SSRS owed"
    BH_CONSULT = "bh_consult", "Behavioral-health consult"
    SAFETY_PLAN_OWED = "safety_plan_owed", "Safety plan owed"
    CARING_CONTACT = "caring_contact", "Caring-contact follow-up"
    # Treatment: a measure not on track (or reliably worse) asks for a plan review.
    PLAN_REVIEW = "plan_review", "Treatment plan review"


class TaskOutcome(models.TextChoices):
    """How a contact task ended (caring contacts): the person was reached or not."""

    REACHED = "reached", "Reached"
    NOT_REACHED = "not_reached", "Not reached"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    NOT_DONE = "not_done", "Could not be done"
