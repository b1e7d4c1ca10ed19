"""The demo data command's stories: staff per role, fictional patients over every stage,
instrument histories, intakes, idempotence and the demo sign-in codes.

The demo is loaded once for the module (``conftest.demo_loaded``); each test reads it in a
savepoint of its own.
"""

import datetime as dt
import io
import re
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.accounts.mfa import totp_secret_base32
from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.assessment.choices import WITHDRAWAL_LEVELS, AssessmentStatus, ProblemStatus
from openrecovery.assessment.models import IntakeAssessment, Problem
from openrecovery.assessment.prompts import placement_prompts
from openrecovery.audit.models import AuditEvent
from openrecovery.audit.verification import audit_verify
from openrecovery.chart.selectors import dashboard_groups
from openrecovery.demo.histories import CARE_TEAM
from openrecovery.demo.people import People
from openrecovery.demo.staff import DEMO_STAFF, EVERYONE
from openrecovery.helpline.choices import DispositionKind
from openrecovery.helpline.models import Inquiry
from openrecovery.instruments.engine import score
from openrecovery.instruments.models import Administration
from openrecovery.instruments.registry import instrument_get
from openrecovery.records.choices import AlertSeverity, CareTeamRole, DischargeType, Stage
from openrecovery.records.models import (
    CareTeamMember,
    ClinicalAlert,
    EpisodeOfCare,
    Patient,
    StageTransition,
    TimelineEvent,
)
from tests.support.auth import totp_code
from tests.support.demo import run, signs_in
from tests.support.factories import verified_client

EXPECTED_ROLES = {
    "admissions": Role.ADMISSIONS_COORDINATOR,
    "nurse": Role.NURSE,
    "physician": Role.PHYSICIAN,
    "counselor": Role.COUNSELOR,
    "director": Role.CLINICAL_DIRECTOR,
    "editor": Role.CONTENT_EDITOR,
    "reviewer": Role.MEDICAL_REVIEWER,
    "admin": Role.ADMINISTRATOR,
}
DEMO_USERNAMES = {s.username for s in EVERYONE}


def row_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "devices": TOTPDevice.objects.count(),
        "patients": Patient.objects.count(),
        "episodes": EpisodeOfCare.objects.count(),
        "transitions": StageTransition.objects.count(),
        "care_team": CareTeamMember.objects.count(),
        "timeline": TimelineEvent.objects.count(),
        "administrations": Administration.objects.count(),
        "alerts": ClinicalAlert.objects.count(),
        "intakes": IntakeAssessment.objects.count(),
        "problems": Problem.objects.count(),
        "inquiries": Inquiry.objects.count(),
    }


def open_patients(*stages: str) -> list[int]:
    """Return the patients whose open episode is at one of ``stages``."""
    return list(
        EpisodeOfCare.objects.filter(ended_at__isnull=True, stage__in=stages).values_list(
            "patient_id", flat=True
        )
    )


def urgent_unresolved():
    # The suicide-risk pathway's; withdrawal alerts are tests/demo/test_demo_withdrawal.py's.
    return ClinicalAlert.objects.filter(
        severity=AlertSeverity.URGENT, resolved_at__isnull=True, kind="suicide_risk_high"
    )


def test_every_role_has_its_demo_user_with_a_confirmed_totp_device(demo):
    assert {u for u, *_ in DEMO_STAFF} == set(EXPECTED_ROLES)
    assert {r for _, r, *_ in DEMO_STAFF} == set(Role)
    for username, role in EXPECTED_ROLES.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert list(user.groups.values_list("name", flat=True)) == [role]
        device = TOTPDevice.objects.get(user=user)
        assert device.confirmed
        assert totp_secret_base32(device) in demo  # the table prints each secret


def test_generated_password_is_printed_and_works(demo):
    password = re.search(r"Password for new demo staff \(generated\): (\S+)", demo).group(1)
    assert len(password) >= 16
    assert signs_in("counselor", password)
    assert signs_in("admin", password)


def test_demo_patients_cover_every_stage_with_histories(demo):
    assert 45 <= Patient.objects.count() <= 55
    open_stages = set(
        EpisodeOfCare.objects.filter(ended_at__isnull=True).values_list("stage", flat=True)
    )
    assert open_stages == set(Stage) - {Stage.CLOSED}
    closed = EpisodeOfCare.objects.filter(stage=Stage.CLOSED)
    assert closed.filter(ended_at__isnull=False).count() == closed.count() > 0
    assert closed.filter(discharge_type=DischargeType.AGAINST_ADVICE).count() == 1
    assert EpisodeOfCare.objects.filter(previous_episode__isnull=False).count() >= 3
    # Every episode's recorded path follows the stage machine from its first contact.
    for episode in EpisodeOfCare.objects.all():
        moves = list(episode.transitions.order_by("moved_at", "pk"))
        assert moves[0].from_stage == ""
        assert moves[-1].to_stage == episode.stage
        assert [m.from_stage for m in moves[1:]] == [m.to_stage for m in moves[:-1]]
    # Histories are backdated, and each patient has more than the registration entries.
    assert TimelineEvent.objects.filter(kind="observation").exists()
    per_patient = Patient.objects.annotate(n=Count("timeline")).values_list("n", flat=True)
    assert min(per_patient) >= 3
    oldest = TimelineEvent.objects.order_by("occurred_at").first().occurred_at
    newest = TimelineEvent.objects.order_by("-occurred_at").first().occurred_at
    assert (newest - oldest).days > 60
    # The services audited the load, and the chain still verifies.
    assert AuditEvent.objects.filter(object_type="patient", action="create").count() == (
        Patient.objects.count()
    )
    assert AuditEvent.objects.filter(action="stage_change").exists()
    assert audit_verify().ok


def test_care_teams_follow_the_table_of_who_joins_at_each_stage(demo):
    users = {u.pk: (u.role, u.username) for u in User.objects.all()}
    for episode in EpisodeOfCare.objects.filter(previous_episode__isnull=True).select_related(
        "patient"
    ):
        current = episode.patient.episodes.order_by("-started_at").first()
        active = {
            (users[m.user_id][0], m.team_role)
            for m in episode.patient.care_team.filter(active=True)
        }
        seats = CARE_TEAM[current.stage] if current.ended_at is None else ()
        assert active == {(s.staff_role, s.team_role) for s in seats}, current
        # Each seat went to one of the demo staff of its role.
        assert {users[m.user_id][1] for m in episode.patient.care_team.all()} <= DEMO_USERNAMES
    # Places of people who left stay, inactive, with the audited change.
    left = CareTeamMember.objects.filter(active=False)
    assert left.filter(team_role=CareTeamRole.ADMISSIONS).exists()
    assert AuditEvent.objects.filter(action="care_team_change").count() == (
        CareTeamMember.objects.count() + left.count()
    )


def test_clinical_roles_find_patients_on_their_dashboards(demo):
    for username in ("counselor", "nurse", "physician"):
        groups, _ = dashboard_groups(User.objects.get(username=username))
        assert sum(len(g.episodes) for g in groups) >= 10, username
    _, covered = dashboard_groups(User.objects.get(username="admissions"))
    assert covered


def test_instrument_histories_are_plausible_series_scored_by_the_engine(demo):
    # Treatment and aftercare: PHQ-9 and GAD-7 every few weeks, mostly improving.
    patients = open_patients(Stage.TREATMENT, Stage.AFTERCARE)
    assert len(patients) >= 15
    improving = 0
    for patient_id in patients:
        for code in ("phq9", "gad7"):
            series = list(
                Administration.objects.filter(patient_id=patient_id, code=code).order_by(
                    "administered_at"
                )
            )
            assert len(series) >= 2, (patient_id, code)
            gaps = [(b.administered_at - a.administered_at).days for a, b in pairwise(series)]
            assert all(0 <= gap <= 56 for gap in gaps)
            improving += series[-1].total < series[0].total
    assert improving >= len(patients)  # most of the 2 x N series improve
    # Every stored score is the engine's score of the stored answers.
    for administration in Administration.objects.all()[:200]:
        instrument = instrument_get(administration.code)
        result = score(instrument, administration.answers, administration.context)
        assert (result.total, result.band) == (administration.total, administration.band)
    # Withdrawal management: a CIWA-B every 4-8 hours, mild or moderate and falling.
    episodes = EpisodeOfCare.objects.filter(
        ended_at__isnull=True, stage=Stage.WITHDRAWAL_MANAGEMENT
    )
    falling = 0
    for episode in episodes:
        series = list(episode.administrations.filter(code="ciwab").order_by("administered_at"))
        assert len(series) >= 3
        assert all(1 <= a.total <= 40 and a.band in ("mild", "moderate") for a in series)
        assert series[0].administered_at >= episode.stage_changed_at
        hours = [
            (b.administered_at - a.administered_at).total_seconds() / 3600
            for a, b in pairwise(series)
        ]
        assert all(4 <= h <= 8 for h in hours)
        falling += series[-1].total < series[0].total
    assert falling == episodes.count() > 0
    assert Administration.objects.filter(code="dast10").count() >= 8
    assert Administration.objects.filter(code="taps1").count() >= 8
    # Backdated together with their timeline entries; audited at load time.
    oldest = Administration.objects.order_by("administered_at").first().administered_at
    newest = Administration.objects.order_by("-administered_at").first().administered_at
    assert (newest - oldest).days > 60
    entries = TimelineEvent.objects.filter(kind="assessment", summary__startswith="PHQ-9")
    assert entries.count() == Administration.objects.filter(code="phq9").count()
    times = set(
        Administration.objects.filter(code="phq9").values_list("administered_at", flat=True)
    )
    assert set(entries.values_list("occurred_at", flat=True)) == times
    # The audit log records the real writes (without answers), and still verifies.
    audited = AuditEvent.objects.filter(object_type="instrument_administration")
    assert audited.count() == Administration.objects.count()
    assert audit_verify().ok


def test_exactly_one_urgent_alert_waits_for_the_care_team(demo):
    screener = Administration.objects.get(code="cssrs", band="high")
    patient = screener.patient
    positive = [
        a
        for a in Administration.objects.filter(code="phq9", patient=patient)
        if a.answers[8] and a.answers[8] > 0
    ]
    assert len(positive) == 1
    assert patient.episodes.get(ended_at__isnull=True).stage == Stage.TREATMENT
    assert screener.administered_at > positive[0].administered_at
    sources = set(urgent_unresolved().values_list("patient_id", "source_type", "source_id"))
    assert sources == {(patient.pk, "instrument_administration", str(screener.pk))}
    assert not urgent_unresolved().filter(acknowledged_at__isnull=False).exists()
    team = set(patient.care_team.filter(active=True).values_list("user__username", flat=True))
    # Nobody on the team acknowledged it for hours: the clinical director was re-alerted.
    recipients = set(urgent_unresolved().values_list("recipient__username", flat=True))
    assert recipients == team | {"director"} and "director" not in team
    realert = urgent_unresolved().get(recipient__username="director")
    assert realert.message.startswith("Not acknowledged after 15 minutes")
    client = verified_client(User.objects.get(username="counselor"))
    response = client.get(reverse("chart:dashboard"))
    assert [a.patient_id for a in response.context["alerts"]] == [patient.pk]
    assert patient.mrn in response.content.decode()
    # The chart shows the banner and results panel; the trends page charts the series.
    chart = client.get(reverse("chart:chart", args=[patient.pk]))
    assert chart.status_code == 200
    body = chart.content.decode()
    assert "C-SSRS" in body and "PHQ-9" in body and "GAD-7" in body
    trends = client.get(reverse("instruments:trends", args=[patient.pk]))
    assert trends.status_code == 200
    shown = {t.instrument.code: len(t.rows) for t in trends.context["trends"]}
    assert shown["phq9"] >= 2 and shown["gad7"] >= 2 and shown["cssrs"] == 1
    assert "<svg" in trends.content.decode()


def test_intakes_are_drafts_at_assessment_and_signed_past_it(demo):
    open_ = EpisodeOfCare.objects.filter(ended_at__isnull=True)
    at_assessment = open_.filter(stage=Stage.ASSESSMENT)
    drafts = IntakeAssessment.objects.filter(status=AssessmentStatus.DRAFT)
    assert set(drafts.values_list("episode", flat=True)) == set(
        at_assessment.values_list("pk", flat=True)
    )
    assert all(d.sections.get("withdrawal_history") for d in drafts)
    prompts = [
        {p.code for p in placement_prompts(d)} for d in drafts.prefetch_related("substances")
    ]
    assert sum("complicated_withdrawal_history" in codes for codes in prompts) == 1
    past = open_.exclude(stage__in=[Stage.INQUIRY, Stage.ASSESSMENT])
    signed = IntakeAssessment.objects.filter(status=AssessmentStatus.SIGNED)
    assert set(signed.values_list("episode", flat=True)) == set(past.values_list("pk", flat=True))
    for intake in signed.select_related("episode"):
        assert not [r for r in intake.ratings.all() if r.rating is None]
        went_through_wm = intake.episode.transitions.filter(
            to_stage=Stage.WITHDRAWAL_MANAGEMENT
        ).exists()
        assert (intake.level_of_care in WITHDRAWAL_LEVELS) == went_through_wm
        # Signed during the Assessment stage, before the episode moved on.
        moved_on = intake.episode.transitions.get(from_stage=Stage.ASSESSMENT).moved_at
        assert intake.created_at < intake.signed_at < moved_on
    problems = Problem.objects.all()
    assert 3 <= problems.count() <= 10
    assert set(problems.values_list("icd10cm", flat=True)) <= {"F13.10", "F13.20"}
    confirmed = problems.filter(status=ProblemStatus.CONFIRMED)
    assert 0 < confirmed.count() < problems.count()
    assert set(confirmed.values_list("confirmed_by__username", flat=True)) == {"physician"}


def test_demo_people_are_fictional_and_seeded(demo):
    names = list(Patient.objects.values_list("legal_family_name", flat=True))
    assert len(set(names)) > 20
    # A conversion registers what the coordinator asked on the phone: no e-mail address.
    converted = Inquiry.objects.filter(disposition_kind=DispositionKind.SCHEDULE_ASSESSMENT)
    registered_by_conversion = {
        inquiry.patient_id
        for inquiry in converted.select_related("patient")
        if inquiry.patient.episodes.order_by("started_at").first().started_at == inquiry.closed_at
    }
    assert len(registered_by_conversion) >= 5
    assert set(Patient.objects.filter(email="").values_list("pk", flat=True)) == (
        registered_by_conversion
    )
    emails = Patient.objects.exclude(email="").values_list("email", flat=True)
    assert all(e.endswith("@example.com") for e in emails)
    assert all(
        re.fullmatch(r"\d{3}-555-01\d\d", phone)
        for phone in Patient.objects.values_list("phone_mobile", flat=True)
    )
    # The same seed gives the same people, so reruns on a fresh database match.
    assert People(7).patient_fields() == People(7).patient_fields()
    assert People(7).patient_fields() != People(8).patient_fields()


def test_running_twice_adds_nothing(demo):
    before = row_counts()
    again = run()
    assert row_counts() == before
    assert "already exist" in again
    assert "Existing passwords were kept" in again


def test_demo_totp_prints_the_current_code(demo):
    device = TOTPDevice.objects.get(user__username="counselor")
    out = io.StringIO()
    call_command("demo_totp", "counselor", stdout=out)
    expected = {totp_code(device, d) for d in (0, -1)}
    assert out.getvalue().strip() in expected


def test_demo_totp_refuses_other_users_and_production(demo):
    User.objects.create_user(username="someone", password="fictional pass 12345")
    with pytest.raises(CommandError):
        call_command("demo_totp", "someone")
    with override_settings(SETTINGS_MODULE="openrecovery.settings.production"):
        with pytest.raises(CommandError):
            call_command("demo_totp", "counselor")


def test_the_suicide_risk_pathway_is_at_work(demo):
    from django.utils import timezone

    from openrecovery.records.choices import TaskKind, TaskStatus
    from openrecovery.records.models import ClinicalTask
    from openrecovery.safety.models import PrecautionChecklist, SafetyPlan
    from openrecovery.safety.selectors import safety_summary

    now = timezone.now()
    nurse = User.objects.get(username="nurse")
    # High: the precautions checklist that level opened, partly done, the alert unseen.
    high = Administration.objects.get(code="cssrs", band="high")
    checklist = PrecautionChecklist.objects.get(patient=high.patient)
    assert not checklist.is_complete and checklist.opened_at == high.administered_at
    done = [s for s in checklist.steps.all() if s.is_done]
    assert [s.code for s in done] == ["observation"] and checklist.steps_left == 2
    assert checklist.opened_at < done[0].completed_at < now
    assert urgent_unresolved().filter(patient=high.patient, acknowledged_at__isnull=True).exists()
    # Moderate: a signed safety plan in this withdrawal episode; the consult still open.
    moderate = Administration.objects.get(code="cssrs", band="moderate")
    episode = moderate.patient.episodes.get(ended_at__isnull=True)
    assert episode.stage == Stage.WITHDRAWAL_MANAGEMENT
    assert nurse in [m.user for m in episode.patient.care_team.filter(active=True)]
    plan = SafetyPlan.objects.get(patient=moderate.patient)
    assert plan.is_signed and moderate.administered_at < plan.signed_at < now
    assert plan.signed_at >= episode.started_at  # the plan the stage move will find
    tasks = ClinicalTask.objects.filter(patient=moderate.patient)
    assert set(tasks.filter(status=TaskStatus.OPEN).values_list("kind", flat=True)) == {
        TaskKind.BH_CONSULT
    }
    assert tasks.get(kind=TaskKind.SAFETY_PLAN_OWED).closed_at == plan.signed_at
    # Owed: a positive PHQ-9 three hours ago and no C-SSRS since: overdue.
    owed = ClinicalTask.objects.get(kind=TaskKind.CSSRS_OWED, status=TaskStatus.OPEN)
    assert owed.due_at < now - dt.timedelta(hours=1)
    assert not Administration.objects.filter(code="cssrs", patient=owed.patient).exists()
    assert safety_summary(owed.patient).open_tasks == [owed]
    # The pages open for the demo counselor (high) and the demo nurse (moderate).
    counselor = verified_client(User.objects.get(username="counselor"))
    page = counselor.get(reverse("safety:precautions", args=[high.patient.pk]))
    assert page.status_code == 200 and "2 steps left" in page.content.decode()
    plan_page = verified_client(nurse).get(reverse("safety:plan", args=[moderate.patient.pk]))
    assert plan_page.status_code == 200 and "Version 1, signed" in plan_page.content.decode()
