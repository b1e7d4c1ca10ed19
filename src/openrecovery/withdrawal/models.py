"""Withdrawal management: versioned protocols, units, the on-call rota and observations."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from openrecovery.instruments.models import Administration
from openrecovery.records.models import EpisodeOfCare, Patient

from .choices import DoseStatus, EscalationReason


class WithdrawalProtocol(models.Model):
    """One version of the program's withdrawal monitoring protocol; never edited.

    It says how often a CIWA-B is due for each of the instrument's bands
    (``intervals``: band code -> minutes; the bands and their scoring are the
    instrument's, ``instruments/definitions/ciwab.py``), how soon after an as-needed
    dose to reassess, the vital-sign limits beyond which the physician is alerted
    (``vital_limits``: sign -> ``{"low", "high"}``, inclusive) and the escalation rules
    (a rise between consecutive assessments of ``rise_threshold`` points or more; an
    alert nobody acknowledged within ``reescalate_minutes`` goes further). A clinical
    director's change is a new version; the newest is in force, and every judgement,
    due time and alert keeps the version it was made under.
    """

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=100)
    instrument_version = models.CharField("CIWA-B definition version", max_length=64)
    intervals = models.JSONField(help_text="CIWA-B band code -> minutes until the next one.")
    prn_reassess_minutes = models.PositiveIntegerField(
        "reassess within (minutes) after an as-needed dose", default=60
    )
    vital_limits = models.JSONField(help_text='Sign -> {"low": n, "high": n}, inclusive.')
    rise_threshold = models.PositiveIntegerField(
        "CIWA-B rise between assessments that alerts (points)", default=10
    )
    reescalate_minutes = models.PositiveIntegerField(
        "minutes before an unacknowledged alert goes further", default=15
    )
    sources = models.TextField(help_text="Where the intervals and limits come from.")
    change_reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Unit(models.Model):
    """A ward or unit where patients in withdrawal management are monitored."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UnitAssignment(models.Model):
    """A patient's place on a unit, from ``assigned_at`` until ``ended_at`` (one open)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="unit_stays")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(ended_at__isnull=True), name="one_open_unit_stay"
            )
        ]

    def __str__(self) -> str:
        return f"patient {self.patient_id} on {self.unit_id}"


class OnCallShift(models.Model):
    """A physician on call for a unit from ``starts_at`` until (not including) ``ends_at``."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="on_call")
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_shifts"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["unit", "starts_at", "ends_at"], name="oncall_unit_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="oncall_ends"
            )
        ]

    def __str__(self) -> str:
        return f"{self.physician_id} on call for {self.unit_id}"


class CiwabJudgement(models.Model):
    """What the protocol in force made of one CIWA-B: its band, the next due time, the rise.

    The score itself is the instrument's (``administration``); the subtotals are copied
    so the board reads one row per patient.
    """

    administration = models.OneToOneField(
        Administration, on_delete=models.PROTECT, related_name="withdrawal_judgement"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    protocol = models.ForeignKey(WithdrawalProtocol, on_delete=models.PROTECT, related_name="+")
    total = models.IntegerField()
    band = models.CharField(max_length=32)
    patient_rated = models.IntegerField()
    observer_rated = models.IntegerField()
    administered_at = models.DateTimeField()
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    next_due_at = models.DateTimeField()
    rise = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-administered_at", "-id"]
        indexes = [
            models.Index(
                fields=["patient", "-administered_at", "-id"], name="ciwab_patient_recent"
            ),
            models.Index(fields=["administered_at"], name="ciwab_given_at"),
        ]

    def __str__(self) -> str:
        return f"CIWA-B {self.total} for {self.patient_id} (protocol v{self.protocol_id})"


class VitalSigns(models.Model):
    """One set of vital signs taken from a patient; ``beyond_limits`` names the signs outside
    the protocol's limits (accepted and flagged). Temperature in degrees Celsius."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="vital_signs")
    episode = models.ForeignKey(
        EpisodeOfCare, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    protocol = models.ForeignKey(WithdrawalProtocol, on_delete=models.PROTECT, related_name="+")
    systolic = models.PositiveSmallIntegerField("systolic blood pressure (mmHg)")
    diastolic = models.PositiveSmallIntegerField("diastolic blood pressure (mmHg)")
    heart_rate = models.PositiveSmallIntegerField("heart rate (beats per minute)")
    temperature = models.DecimalField("temperature (°C)", max_digits=3, decimal_places=1)
    respiratory_rate = models.PositiveSmallIntegerField("respiratory rate (breaths per minute)")
    spo2 = models.PositiveSmallIntegerField("SpO2 (%)")
    beyond_limits = models.JSONField(default=list, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-recorded_at", "-id"], name="vitals_patient_recent")
        ]

    def __str__(self) -> str:
        return f"vitals of {self.patient_id} at {self.recorded_at:%Y-%m-%d %H:%M}"


class SeizurePrecautions(models.Model):
    """Seizure precautions ordered for a patient, from ``started_at`` until ``ended_at``."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="seizure_precautions"
    )
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(ended_at__isnull=True),
                name="one_open_seizure_order",
            )
        ]

    def __str__(self) -> str:
        return f"seizure precautions for {self.patient_id}"


class Escalation(models.Model):
    """Why the physician on call was alerted, under which protocol, and whether the alert
    went further. Its ClinicalAlert copies name it as their source."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    protocol = models.ForeignKey(WithdrawalProtocol, on_delete=models.PROTECT, related_name="+")
    reasons = models.JSONField(help_text="EscalationReason codes.")
    judgement = models.ForeignKey(
        CiwabJudgement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    vitals = models.ForeignKey(
        VitalSigns, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fallback = models.BooleanField(
        "sent to the clinical directors (no physician on call)", default=False
    )
    raised_at = models.DateTimeField()
    reescalated_at = models.DateTimeField(null=True, blank=True)
    # Once acknowledged, addressed or sent further, the re-escalation stops watching it.
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(
                fields=["raised_at"],
                condition=Q(settled_at__isnull=True),
                name="escalation_pending",
            )
        ]

    def __str__(self) -> str:
        return f"escalation {self.pk} for {self.patient_id}"

    @property
    def reason_labels(self) -> list[str]:
        return [str(EscalationReason(r).label) for r in self.reasons]


class TaperOrder(models.Model):
    """One signed version of a patient's benzodiazepine taper order; never edited.

    ``inputs`` are the planner's (``medications.taper.taper_plan_preview``) and
    ``adjustments`` the clinician's operations on its plan (pause, slow, hold, resume;
    ``withdrawal.tapering``); ``steps`` is the result as signed, each step's doses as
    text (exact decimals). Step days count from ``start_date``; the doses of a day are
    given at ``times`` (local clock times in the program's time zone). A change after
    signing is a new version of the same ``series`` with a reason; the newest version
    not ended is in force.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="taper_orders")
    series = models.PositiveIntegerField(help_text="The first version's id.", null=True)
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    medication = models.CharField(max_length=64, help_text="Catalogue code tapered.")
    equivalence_table = models.CharField(max_length=32)
    inputs = models.JSONField()
    adjustments = models.JSONField(default=list, blank=True)
    steps = models.JSONField()
    warnings = models.JSONField(default=list, blank=True)
    overrides = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)
    start_date = models.DateField()
    times = models.JSONField(help_text='Local clock times of the day\'s doses: ["08:00", ...].')
    review_by = models.DateField("review by (at most 3 months after signing)")
    change_reason = models.TextField(blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["patient", "-signed_at"], name="taper_patient_recent")]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="taper_series_version"),
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(superseded_at__isnull=True),
                name="one_taper_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"taper order {self.series}v{self.version} for {self.patient_id}"


class MedicationOrder(models.Model):
    """A scheduled or as-needed (PRN) order of one catalogue medication.

    Scheduled: ``dose_mg`` at each of ``times`` (local clock times). As needed: ``dose_mg``
    when needed, at least ``min_interval_minutes`` apart and never more than
    ``max_daily_mg`` in any 24 hours.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="medication_orders")
    medication = models.CharField(max_length=64, help_text="Catalogue code.")
    dose_mg = models.DecimalField(max_digits=8, decimal_places=3)
    as_needed = models.BooleanField("as needed (PRN)", default=False)
    times = models.JSONField(default=list, blank=True)
    max_daily_mg = models.DecimalField(
        "maximum in 24 hours (mg)", max_digits=8, decimal_places=3, null=True, blank=True
    )
    min_interval_minutes = models.PositiveIntegerField(null=True, blank=True)
    indication = models.CharField(max_length=200, blank=True)
    start_date = models.DateField()
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ordered_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-ordered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(as_needed=False)
                | Q(max_daily_mg__isnull=False, min_interval_minutes__isnull=False),
                name="prn_has_limits",
            )
        ]

    def __str__(self) -> str:
        return f"order {self.pk} of {self.medication} for {self.patient_id}"


class DoseRecord(models.Model):
    """What happened to one dose: given, held, missed or refused, when and by whom.

    Scheduled doses name their order and ``scheduled_for``; an as-needed dose has no
    scheduled time and keeps the CIWA-B and vitals latest when it was given, and when its
    effect check (a reassessment) is due. A correction is a new row (``corrects``) with a
    reason, never an edit. A controlled substance given names its ``witness``.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="dose_records")
    taper_order = models.ForeignKey(
        TaperOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="doses"
    )
    medication_order = models.ForeignKey(
        MedicationOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="doses"
    )
    medication = models.CharField(max_length=64)
    dose_mg = models.DecimalField(max_digits=8, decimal_places=3)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=DoseStatus.choices)
    reason = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ciwab = models.ForeignKey(
        CiwabJudgement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    vitals = models.ForeignKey(
        VitalSigns, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    effect_check_due_at = models.DateTimeField(null=True, blank=True)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="addenda"
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["patient", "occurred_at"], name="dose_patient_time"),
            models.Index(fields=["patient", "scheduled_for"], name="dose_patient_scheduled"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(taper_order__isnull=True, medication_order__isnull=False)
                | Q(taper_order__isnull=False, medication_order__isnull=True),
                name="dose_one_order",
            ),
            models.UniqueConstraint(
                fields=["taper_order", "medication", "scheduled_for"],
                condition=Q(corrects__isnull=True, taper_order__isnull=False),
                name="one_taper_dose_record",
            ),
            models.UniqueConstraint(
                fields=["medication_order", "scheduled_for"],
                condition=Q(
                    corrects__isnull=True,
                    medication_order__isnull=False,
                    scheduled_for__isnull=False,
                ),
                name="one_scheduled_dose_record",
            ),
        ]

    def __str__(self) -> str:
        return f"dose {self.pk} ({self.status}) for {self.patient_id}"
