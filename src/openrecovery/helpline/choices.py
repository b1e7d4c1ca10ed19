"""Choices for helpline inquiries: sources, statuses, urgency, call outcomes, dispositions."""

from django.db import models


class InquirySource(models.TextChoices):
    WEB = "web", "Web callback form"
    PHONE = "phone", "Phone call logged by staff"
    API = "api", "API"


class InquiryStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLAIMED = "claimed", "Claimed"
    CLOSED = "closed", "Closed"


class Urgency(models.IntegerChoices):
    """Queue order: the lowest value is worked first."""

    URGENT = 1, "Urgent"
    HIGH = 2, "High"
    NORMAL = 3, "Normal"


class ForWhom(models.TextChoices):
    MYSELF = "myself", "Myself"
    SOMEONE_ELSE = "someone_else", "Someone I care about"


class CallOutcome(models.TextChoices):
    REACHED = "reached", "Reached"
    VOICEMAIL = "voicemail", "Left a voicemail"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"


class DispositionKind(models.TextChoices):
    SCHEDULE_ASSESSMENT = "schedule_assessment", "Assessment scheduled"
    REFERRED = "referred", "Referred elsewhere"
    NOT_A_FIT = "not_a_fit", "Not a fit"
    LOST_CONTACT = "lost_contact", "Lost contact"
    MERGED = "merged", "Merged into another inquiry"


class ReferralTarget(models.TextChoices):
    FINDTREATMENT_GOV = "findtreatment_gov", "FindTreatment.gov"
    SAMHSA_HELPLINE = "samhsa_helpline", "SAMHSA National Helpline (1-800-662-4357)"
    OTHER_PROVIDER = "other_provider", "Another provider"


class ReferralSource(models.TextChoices):
    """How the person heard of the program (no per-referral payment is ever recorded)."""

    WEB_SEARCH = "web_search", "Web search"
    PHYSICIAN = "physician", "Physician or prescriber"
    HOSPITAL = "hospital", "Hospital or emergency department"
    THERAPIST = "therapist", "Therapist or counselor"
    FAMILY_FRIEND = "family_friend", "Family or friend"
    FORMER_PATIENT = "former_patient", "Former patient"
    INSURANCE = "insurance", "Insurance plan"
    EMPLOYER = "employer", "Employer or EAP"
    COURT = "court", "Court or legal system"
    OTHER = "other", "Other"


class Pregnancy(models.TextChoices):
    NO = "no", "No"
    YES = "yes", "Yes"
    UNKNOWN = "unknown", "Unknown or not asked"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class RuleSeverity(models.TextChoices):
    """How a danger rule's banner is shown; ``EMERGENCY`` and ``URGENT`` raise urgency."""

    EMERGENCY = "emergency", "Emergency"
    URGENT = "urgent", "Urgent"
    HIGH = "high", "High"
    INFO = "info", "Information"
