"""The session, user and MFA device reads of every staff request (prepared queries)
refuse exactly what Django's and django-otp's own reads refuse."""

import datetime as dt

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.accounts.roles import Role
from tests.support.factories import make_staff, verified_client

STAFF_PAGE = "/patients/search/"


def _set_device(client, persistent_id: str) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = persistent_id
    session.save()


def test_a_verified_session_reaches_a_staff_page_with_three_sign_in_reads(counselor):
    client = verified_client(counselor)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(STAFF_PAGE).status_code == 200
    tables = [q["sql"].split(" FROM ", 1)[1].split()[0] for q in captured.captured_queries[:3]]
    assert tables == ['"django_session"', '"accounts_user"', '"otp_totp_totpdevice"']


def test_an_expired_session_row_is_no_session_and_gets_a_new_key(counselor):
    client = verified_client(counselor)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(1))
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.cookies["sessionid"].value != key


def test_an_unknown_session_key_is_no_session(counselor):
    client = verified_client(counselor)
    client.cookies["sessionid"] = "x" * 32
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_deactivated_user_is_signed_out(counselor):
    client = verified_client(counselor)
    type(counselor).objects.filter(pk=counselor.pk).update(is_active=False)
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_missing_foreign_or_malformed_device_is_not_verified(counselor):
    other = make_staff(Role.NURSE)
    others_device = TOTPDevice.objects.get(user=other)
    for persistent_id in (
        f"otp_totp.totpdevice/{others_device.pk + 1000}",  # no such device
        others_device.persistent_id,  # someone else's
        "otp_totp.totpdevice/not-a-number",
        "accounts.user/1",  # not a device model
        "nosuchapp.nosuchmodel/1",
        "garbage",
    ):
        client = verified_client(counselor)
        _set_device(client, persistent_id)
        response = client.get(STAFF_PAGE)
        assert response.status_code == 302, persistent_id
        assert "/accounts/mfa/" in response["Location"], persistent_id


def test_an_unconfirmed_device_is_not_verified(counselor):
    client = verified_client(counselor)
    TOTPDevice.objects.filter(user=counselor).update(confirmed=False)
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302 and "/accounts/mfa/" in response["Location"]


def test_the_three_reads_are_the_prepared_ones(counselor):
    from django.db import connections

    from openrecovery.accounts import backends, middleware, sessions
    from openrecovery.core.prepared import _CONNECTION_CACHE

    verified_client(counselor).get(STAFF_PAGE)
    prepared = connections["default"].__dict__.get(_CONNECTION_CACHE, {})
    device_read = middleware._DEVICE_READS[TOTPDevice]
    assert {sessions._SESSION, backends._USER, device_read} <= set(prepared)
