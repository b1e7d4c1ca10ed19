"""TOTP is required before any patient data; enrolment, recovery codes and replay protection."""

from urllib.parse import urlencode

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.accounts.mfa import (
    ERROR_BAD_CODE,
    RECOVERY_CODE_COUNT,
    RECOVERY_DEVICE_NAME,
    recovery_codes_issue,
    totp_secret_base32,
)
from openrecovery.accounts.models import StaffSession
from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.models import AuditEvent
from openrecovery.chart.views import chart
from openrecovery.records.choices import Stage
from tests.support.auth import MFA_URL, sign_in, totp_code
from tests.support.factories import make_patient, make_staff


@pytest.fixture
def patient(director, counselor):
    return make_patient(
        actor=director, stage=Stage.TREATMENT, team=[counselor], family="Zimmerwaldt"
    )


def _device(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user)


def _is_verified(client: Client) -> bool:
    response = client.get(reverse("chart:dashboard"))
    return response.status_code == 200


@pytest.mark.parametrize("page", ["dashboard", "chart", "print", "search"])
def test_password_only_session_is_sent_to_mfa_and_sees_no_patient(page, patient, password_client):
    args = [patient.pk] if page in ("chart", "print") else []
    url = reverse(f"chart:{page}", args=args)
    response = password_client.get(url, follow=True)
    # The MFA step remembers where the user was going (a path, never PHI).
    expected = MFA_URL if url == "/" else f"{MFA_URL}?{urlencode({'next': url})}"
    assert response.redirect_chain[0] == (expected, 302)
    body = response.content.decode()
    assert "Enter your code" in body
    assert patient.legal_family_name not in body
    assert patient.mrn not in body


def test_password_only_session_gets_401_from_the_api(patient, password_client):
    for response in (
        password_client.get("/api/v1/me"),
        password_client.get(f"/api/v1/patients/{patient.pk}"),
        password_client.post(
            "/api/v1/patients/search", {"q": "Zimmer"}, content_type="application/json"
        ),
    ):
        assert response.status_code == 401
        assert patient.legal_family_name not in response.content.decode()


def test_staff_views_refuse_an_unverified_user_even_without_the_middleware(rf, patient, counselor):
    request = rf.get(reverse("chart:chart", args=[patient.pk]))
    request.user = counselor
    counselor.is_verified = lambda: False  # what django-otp sets before MFA
    with pytest.raises(PermissionDenied):
        chart(request, patient_id=patient.pk)


def test_enrolment_shows_a_qr_code_and_secret_then_ten_recovery_codes(db):
    user = make_staff(Role.NURSE, "newnurse", totp=False)
    client = Client()
    sign_in(client, user.username)
    page = client.get(MFA_URL)
    device = _device(user)
    body = page.content.decode()
    assert "<svg" in body
    assert totp_secret_base32(device) in body
    assert not device.confirmed

    done = client.post(MFA_URL, {"code": totp_code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == len(set(codes)) == RECOVERY_CODE_COUNT == 10
    for code in codes:
        assert code in done.content.decode()
    assert _device(user).confirmed
    static = StaticDevice.objects.get(user=user, name=RECOVERY_DEVICE_NAME)
    assert sorted(static.token_set.values_list("token", flat=True)) == sorted(codes)
    assert AuditEvent.objects.filter(action=Action.MFA_ENROLLED, actor_id=user.pk).exists()
    assert AuditEvent.objects.filter(action=Action.RECOVERY_CODES_ISSUED, actor_id=user.pk).exists()
    assert _is_verified(client)


def test_enrolment_with_a_wrong_code_leaves_the_device_unconfirmed(db):
    user = make_staff(Role.NURSE, "newnurse", totp=False)
    client = Client()
    sign_in(client, user.username)
    client.get(MFA_URL)
    device = _device(user)
    wrong = f"{(int(totp_code(device)) + 1) % 10**6:06d}"
    response = client.post(MFA_URL, {"code": wrong})
    assert response.status_code == 200
    assert ERROR_BAD_CODE in response.content.decode()
    assert not _device(user).confirmed
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert AuditEvent.objects.filter(action=Action.MFA_FAILED, outcome=Outcome.FAILURE).exists()
    assert not _is_verified(client)
    # The enrolment page is shown again with the same secret, so the user can retry.
    assert totp_secret_base32(device) in client.get(MFA_URL).content.decode()


def test_a_right_code_verifies_the_session_and_is_audited(patient, counselor, password_client):
    response = password_client.post(MFA_URL, {"code": totp_code(_device(counselor))})
    assert response.status_code == 302
    assert response.url == reverse("chart:dashboard")
    event = AuditEvent.objects.get(action=Action.MFA_VERIFIED)
    assert (event.actor_id, event.detail) == (counselor.pk, {"method": "totp"})
    chart = password_client.get(reverse("chart:chart", args=[patient.pk]))
    assert chart.status_code == 200
    assert patient.legal_family_name in chart.content.decode()
    assert password_client.get("/api/v1/me").json()["username"] == counselor.username


def test_a_wrong_code_is_refused_and_audited(counselor, password_client):
    device = _device(counselor)
    wrong = f"{(int(totp_code(device)) + 1) % 10**6:06d}"
    response = password_client.post(MFA_URL, {"code": wrong})
    assert ERROR_BAD_CODE in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.MFA_FAILED, actor_id=counselor.pk).exists()
    assert not _is_verified(password_client)


def test_a_totp_code_cannot_be_used_twice(counselor, password_client):
    code = totp_code(_device(counselor))
    assert password_client.post(MFA_URL, {"code": code}).status_code == 302
    password_client.post(reverse("accounts:logout"))

    replay = Client()
    sign_in(replay, counselor.username)
    response = replay.post(MFA_URL, {"code": code})
    assert response.status_code == 200
    assert ERROR_BAD_CODE in response.content.decode()
    assert not _is_verified(replay)
    # The previous step's code is refused too: only codes newer than the last one count.
    device = _device(counselor)
    device.throttle_reset()
    assert replay.post(MFA_URL, {"code": totp_code(device, drift=-1)}).status_code == 200
    assert not _is_verified(replay)


def test_a_recovery_code_works_once(counselor):
    codes = recovery_codes_issue(user=counselor)
    first = Client()
    sign_in(first, counselor.username)
    response = first.post(MFA_URL, {"code": f"  {codes[3].upper()} "})
    assert response.status_code == 302
    assert _is_verified(first)
    event = AuditEvent.objects.get(action=Action.MFA_VERIFIED)
    assert event.detail == {"method": "recovery_code"}
    remaining = StaticToken.objects.filter(device__user=counselor)
    assert remaining.count() == RECOVERY_CODE_COUNT - 1
    assert not remaining.filter(token=codes[3]).exists()

    for device in (*TOTPDevice.objects.all(), *StaticDevice.objects.all()):
        device.throttle_reset()
    second = Client()
    sign_in(second, counselor.username)
    response = second.post(MFA_URL, {"code": codes[3]})
    assert ERROR_BAD_CODE in response.content.decode()
    assert not _is_verified(second)


def test_reissuing_recovery_codes_invalidates_the_old_ones(counselor):
    old = recovery_codes_issue(user=counselor)
    new = recovery_codes_issue(user=counselor)
    tokens = set(StaticToken.objects.filter(device__user=counselor).values_list("token", flat=True))
    assert tokens == set(new)
    assert not tokens & set(old)


def test_after_mfa_the_user_lands_where_they_were_going(patient, counselor, password_client):
    chart_url = reverse("chart:chart", args=[patient.pk])
    mfa_url = password_client.get(chart_url).url
    response = password_client.post(mfa_url, {"code": totp_code(_device(counselor))})
    assert response.status_code == 302
    assert response.url == chart_url


def test_the_session_key_changes_when_the_session_is_verified(counselor, password_client):
    before = password_client.cookies["sessionid"].value
    response = password_client.post(MFA_URL, {"code": totp_code(_device(counselor))})
    assert response.status_code == 302
    after = password_client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert StaffSession.objects.get(user=counselor).session_key == after
    # The old key no longer signs anyone in; the new one does, and logout ends it.
    stale = Client()
    stale.cookies["sessionid"] = before
    assert stale.get(reverse("chart:dashboard")).status_code == 302
    assert _is_verified(password_client)
    password_client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=after).exists()
