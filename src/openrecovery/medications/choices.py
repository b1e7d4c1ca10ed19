"""The catalogue's vocabularies: drug classes, controlled-substance schedules, forms, tables."""

from django.db import models


class DrugClass(models.TextChoices):
    BENZODIAZEPINE = "benzodiazepine", "Benzodiazepine"
    Z_DRUG = "z_drug", "Z-drug (non-benzodiazepine hypnotic)"
    OPIOID = "opioid", "Opioid"
    OUD_MEDICATION = "oud_medication", "Opioid-use-disorder medication"
    OTHER_CNS_DEPRESSANT = "other_cns_depressant", "Other CNS depressant"


class Schedule(models.TextChoices):
    """US Controlled Substances Act schedule (21 CFR 1308), federal level."""

    I = "I", "Schedule I"  # noqa: E741 (the schedule's own name)
    II = "II", "Schedule II"
    III = "III", "Schedule III"
    IV = "IV", "Schedule IV"
    V = "V", "Schedule V"
    NOT_CONTROLLED = "not_controlled", "Not federally controlled"


class FormKind(models.TextChoices):
    TABLET = "tablet", "Tablet"
    ORALLY_DISINTEGRATING_TABLET = "odt", "Orally disintegrating tablet"
    EXTENDED_RELEASE_TABLET = "er_tablet", "Extended-release tablet"
    CAPSULE = "capsule", "Capsule"
    EXTENDED_RELEASE_CAPSULE = "er_capsule", "Extended-release capsule"
    SUBLINGUAL = "sublingual", "Sublingual tablet or film"
    ORAL_FILM = "oral_film", "Oral film"
    ORAL_LIQUID = "oral_liquid", "Oral solution, concentrate or suspension"
    INJECTION = "injection", "Injection"
    NASAL_SPRAY = "nasal_spray", "Nasal spray"
    RECTAL_GEL = "rectal_gel", "Rectal gel"
    IMPLANT_OR_DEPOT = "depot", "Extended-release injection or implant"
    TRANSDERMAL = "transdermal", "Transdermal patch"


class EquivalenceTableCode(models.TextChoices):
    ASHTON = "ashton", "Ashton"
    VA_DOD_2021 = "va_dod_2021", "VA/DoD 2021"
