"""Choices for the intake assessment, level of care and problem list.

Level-of-care codes follow the numbering of the ASAM Criteria, 3rd edition (2013), as
neutral codes with generic descriptions of our own; no ASAM text or decision logic is
reproduced here (ASAM requires a licence for that; see docs/clinical REFERENCE §7).
"""

from django.db import models


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class Substance(models.TextChoices):
    CLONAZEPAM = "clonazepam", "Clonazepam"
    ALPRAZOLAM = "alprazolam", "Alprazolam"
    LORAZEPAM = "lorazepam", "Lorazepam"
    DIAZEPAM = "diazepam", "Diazepam"
    OTHER_BENZODIAZEPINE = "other_benzodiazepine", "Other benzodiazepine"
    ALCOHOL = "alcohol", "Alcohol"
    OPIOIDS = "opioids", "Opioids"
    STIMULANTS = "stimulants", "Stimulants"
    CANNABIS = "cannabis", "Cannabis"
    OTHER = "other", "Other"


BENZODIAZEPINES = frozenset(
    {
        Substance.CLONAZEPAM,
        Substance.ALPRAZOLAM,
        Substance.LORAZEPAM,
        Substance.DIAZEPAM,
        Substance.OTHER_BENZODIAZEPINE,
    }
)
# Central nervous system depressants that raise overdose risk taken with a benzodiazepine.
CNS_DEPRESSANTS = frozenset({Substance.ALCOHOL, Substance.OPIOIDS})


class Route(models.TextChoices):
    ORAL = "oral", "Oral"
    SUBLINGUAL = "sublingual", "Sublingual"
    INTRANASAL = "intranasal", "Intranasal"
    SMOKED = "smoked", "Smoked or vaped"
    INJECTED = "injected", "Injected"
    OTHER = "other", "Other"


class Frequency(models.TextChoices):
    SEVERAL_DAILY = "several_daily", "Several times a day"
    DAILY = "daily", "Daily"
    MOST_DAYS = "most_days", "Most days (3-6 a week)"
    WEEKLY = "weekly", "Weekly or less"
    OCCASIONAL = "occasional", "Occasionally"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Unknown"


class WithdrawalSeverity(models.TextChoices):
    NONE = "none", "None now"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"
    COMPLICATED = "complicated", "Complicated (e.g. seizure, delirium, hallucinations)"


class Housing(models.TextChoices):
    STABLE = "stable", "Stable housing"
    UNSTABLE = "unstable", "Unstable or temporary"
    HOMELESS = "homeless", "Homeless"
    SUPPORTED = "supported", "Supported or recovery housing"
    INSTITUTION = "institution", "Institution (hospital, jail, other)"


class Employment(models.TextChoices):
    FULL_TIME = "full_time", "Employed full time"
    PART_TIME = "part_time", "Employed part time"
    UNEMPLOYED = "unemployed", "Unemployed"
    STUDENT = "student", "Student"
    RETIRED_DISABLED = "retired_disabled", "Retired or on disability"
    OTHER = "other", "Other"


class AsamDimension(models.IntegerChoices):
    """The six assessment dimensions, by number, with neutral names only."""

    ACUTE = 1, "Acute intoxication and/or withdrawal potential"
    BIOMEDICAL = 2, "Biomedical conditions and complications"
    EMOTIONAL = 3, "Emotional, behavioral, or cognitive conditions and complications"
    READINESS = 4, "Readiness to change"
    RELAPSE = 5, "Relapse, continued use, or continued problem potential"
    ENVIRONMENT = 6, "Recovery/living environment"


class LevelOfCare(models.TextChoices):
    """Level codes (3rd edition numbering) with generic descriptions written for this project."""

    L0_5 = "0.5", "Level 0.5 — early intervention"
    L1 = "1", "Level 1 — outpatient services"
    L2_1 = "2.1", "Level 2.1 — intensive outpatient services"
    L2_5 = "2.5", "Level 2.5 — partial hospitalization"
    L3_1 = "3.1", "Level 3.1 — clinically managed low-intensity residential"
    L3_3 = "3.3", "Level 3.3 — clinically managed population-specific high-intensity residential"
    L3_5 = "3.5", "Level 3.5 — clinically managed high-intensity residential"
    L3_7 = "3.7", "Level 3.7 — medically monitored intensive inpatient"
    L4 = "4", "Level 4 — medically managed intensive inpatient"
    OTP = "OTP", "Opioid treatment program (OTP)"
    L1_WM = (
        "1-WM",
        "Level 1-WM — ambulatory withdrawal management without extended on-site monitoring",
    )
    L2_WM = "2-WM", "Level 2-WM — ambulatory withdrawal management with extended on-site monitoring"
    L3_2_WM = "3.2-WM", "Level 3.2-WM — clinically managed residential withdrawal management"
    L3_7_WM = "3.7-WM", "Level 3.7-WM — medically monitored inpatient withdrawal management"
    L4_WM = "4-WM", "Level 4-WM — medically managed intensive inpatient withdrawal management"


WITHDRAWAL_LEVELS = frozenset(level for level in LevelOfCare if level.value.endswith("-WM"))
# Early intervention is not an admission to this program's treatment: signing records the
# level but leaves the episode where it is (the clinician refers out or closes in the chart).
LEVELS_WITHOUT_ADMISSION = frozenset({LevelOfCare.L0_5})


class ProblemStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Unconfirmed"
    CONFIRMED = "confirmed", "Confirmed"
    RESOLVED = "resolved", "Resolved"
    REPLACED = "replaced", "Replaced"


class ProblemSource(models.TextChoices):
    DSM5_CHECKLIST = "dsm5_checklist", "DSM-5-TR checklist administration"
    CLINICIAN = "clinician", "Entered by a clinician"
