"""The demo data command: staff per role, fictional patients, idempotence, bulk loads."""

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import RequestFactory, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.accounts.mfa import totp_secret_base32
from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.audit.verification import audit_verify
from openrecovery.chart.selectors import dashboard_groups
from openrecovery.records.choices import DischargeType, Stage
from openrecovery.records.demo import DEMO_STAFF, _People
from openrecovery.records.models import (
    CareTeamMember,
    EpisodeOfCare,
    Patient,
    StageTransition,
    TimelineEvent,
)

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
PASSWORD_ENV = "OPENRECOVERY_DEMO_PASSWORD"


def signs_in(username: str, password: str) -> bool:
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="127.0.0.1")
    request.user = AnonymousUser()  # a failed sign-in is audited from the request
    return authenticate(request, username=username, password=password) is not None


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_data", *args, verbosity=0, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "devices": TOTPDevice.objects.count(),
        "patients": Patient.objects.count(),
        "episodes": EpisodeOfCare.objects.count(),
        "transitions": StageTransition.objects.count(),
        "care_team": CareTeamMember.objects.count(),
        "timeline": TimelineEvent.objects.count(),
    }


@pytest.fixture
def demo(db, monkeypatch) -> str:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    return run()


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


def test_clinical_roles_find_patients_on_their_dashboards(demo):
    for username in ("counselor", "nurse", "physician"):
        groups, _ = dashboard_groups(User.objects.get(username=username))
        assert sum(len(g.episodes) for g in groups) >= 10, username
    _, covered = dashboard_groups(User.objects.get(username="admissions"))
    assert covered


def test_demo_people_are_fictional_and_seeded(demo):
    names = list(Patient.objects.values_list("legal_family_name", flat=True))
    assert len(set(names)) > 20
    assert all(p.endswith("@example.com") for p in Patient.objects.values_list("email", flat=True))
    assert all(
        re.fullmatch(r"\d{3}-555-01\d\d", phone)
        for phone in Patient.objects.values_list("phone_mobile", flat=True)
    )
    # The same seed gives the same people, so reruns on a fresh database match.
    assert _People(7).patient_fields() == _People(7).patient_fields()
    assert _People(7).patient_fields() != _People(8).patient_fields()


def test_running_twice_adds_nothing(demo):
    before = row_counts()
    again = run()
    assert row_counts() == before
    assert "already exist" in again
    assert "Existing passwords were kept" in again


def test_password_from_environment_is_used_and_reset_on_rerun(db, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "fictional demo passphrase 1")
    out = run()
    assert "fictional demo passphrase 1" in out
    assert signs_in("nurse", "fictional demo passphrase 1")
    monkeypatch.setenv(PASSWORD_ENV, "another demo passphrase 2")
    out = run()
    assert "reset" in out
    assert signs_in("nurse", "another demo passphrase 2")
    assert not signs_in("nurse", "fictional demo passphrase 1")


def test_bulk_load_creates_patients_with_episodes_and_timelines(db, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    out = run("--patients", "500", "--events-per-patient", "3")
    assert "Created 500 patients" in out
    assert Patient.objects.count() == 500
    assert not Patient.objects.filter(episodes__isnull=True).exists()
    assert EpisodeOfCare.objects.filter(ended_at__isnull=True).count() > 200
    assert set(EpisodeOfCare.objects.values_list("stage", flat=True)) == set(Stage)
    assert not Patient.objects.filter(search_family="").exists()
    sample = Patient.objects.first()
    assert sample.search_family == sample.legal_family_name.lower()
    assert sample.timeline.filter(kind__in=["note", "contact", "observation"]).exists()
    notes = TimelineEvent.objects.exclude(kind__in=["registered", "episode_opened"])
    assert notes.exclude(kind="stage_changed").count() == 500 * 3
    # Realistic caseload for the demo counselor, and one audit event for the load.
    counselor = User.objects.get(username="counselor")
    groups, _ = dashboard_groups(counselor)
    assert 15 <= sum(len(g.episodes) for g in groups) <= 45
    load = AuditEvent.objects.get(object_type="demo_data")
    assert load.action == "create" and load.detail["patients"] == 500
    assert audit_verify().ok
    # Running again with the same target adds nothing.
    before = row_counts()
    run("--patients", "500")
    assert row_counts() == before


def test_demo_totp_prints_the_current_code(demo):
    device = TOTPDevice.objects.get(user__username="counselor")
    out = io.StringIO()
    call_command("demo_totp", "counselor", stdout=out)
    expected = {
        f"{totp(device.bin_key, device.step, device.t0, device.digits, d):06d}" for d in (0, -1)
    }
    assert out.getvalue().strip() in expected


def test_demo_totp_refuses_other_users_and_production(demo):
    User.objects.create_user(username="someone", password="fictional pass 12345")
    with pytest.raises(CommandError):
        call_command("demo_totp", "someone")
    with override_settings(SETTINGS_MODULE="openrecovery.settings.production"):
        with pytest.raises(CommandError):
            call_command("demo_totp", "counselor")
