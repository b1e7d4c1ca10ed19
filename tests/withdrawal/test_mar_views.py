"""The taper order and MAR pages: gated, audited, signing by physicians, dose recording by
nurses, a constant number of queries however many doses."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.audit.models import AuditEvent
from openrecovery.withdrawal.mar import taper_doses_on
from openrecovery.withdrawal.models import DoseRecord, TaperOrder
from openrecovery.withdrawal.services.orders import medication_order_create
from tests.support.auth import totp_code
from tests.support.factories import PASSWORD, verified_client

from .test_taper_orders import _sign

FORM = {
    "medication": "clonazepam",
    "daily_dose_mg": "2",
    "equivalence_table": "va_dod_2021",
    "switch_to": "",
    "reduction_percent": "10",
    "interval_days": "14",
    "target_dose_mg": "0",
    "times": "08:00, 20:00",
}


def test_physician_previews_adjusts_and_signs(physician, patient):
    client = verified_client(physician)
    url = reverse("withdrawal:taper", args=[patient.pk])
    page = client.post(url, {**FORM, "action": "preview", "adjustments": "[]"})
    assert page.status_code == 200 and b"taper-preview" in page.content
    adjusted = client.post(
        url, {**FORM, "action": "adjust", "adjustments": "[]", "op": "hold", "step": "3"}
    )
    assert b"On hold at step 3" in adjusted.content
    held = adjusted.context["adjustments_json"]
    review = timezone.localdate() + dt.timedelta(days=80)
    signed = client.post(
        url, {**FORM, "action": "sign", "adjustments": held, "review_by": review.isoformat()}
    )
    assert signed.status_code == 302
    order = TaperOrder.objects.get(patient=patient)
    assert len(order.steps) == 3 and order.adjustments == [{"op": "hold", "step": 2}]
    shown = client.get(url)
    assert b"In force: version 1" in shown.content and review.isoformat().encode() in shown.content


def test_faster_plan_without_reason_is_not_signed(physician, patient):
    client = verified_client(physician)
    url = reverse("withdrawal:taper", args=[patient.pk])
    review = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    page = client.post(
        url, {**FORM, "interval_days": "7", "action": "sign", "adjustments": "[]",
              "review_by": review},
    )  # fmt: skip
    assert page.status_code == 422 and b"override_reason" in page.content
    assert not TaperOrder.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"review_by": "not-a-date"}, b"Enter a valid date."),
        ({"review_by": ""}, b"This field is required."),
        ({"times": ""}, b"This field is required."),
    ],
)
def test_signing_with_a_bad_field_says_which_and_signs_nothing(physician, patient, fields, message):
    review = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    page = verified_client(physician).post(
        reverse("withdrawal:taper", args=[patient.pk]),
        {**FORM, "action": "sign", "adjustments": "[]", "review_by": review, **fields},
    )
    assert page.status_code == 422 and message in page.content
    assert not TaperOrder.objects.exists()


def test_nurse_may_read_but_not_sign(nurse, patient):
    client = verified_client(nurse)
    url = reverse("withdrawal:taper", args=[patient.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {**FORM, "action": "preview"}).status_code == 403


def test_print_says_not_to_stop_and_whom_to_call(physician, patient, settings):
    _sign(physician, patient)
    client = verified_client(physician)
    page = client.get(reverse("withdrawal:taper_print", args=[patient.pk]))
    text = page.content.decode()
    assert "Do not stop this medicine suddenly" in text
    assert settings.PROGRAM_PHONE in text and "988" in text and "911" in text
    assert AuditEvent.objects.filter(action="print", object_type="taper_order").exists()


def test_nurse_records_a_refused_dose_and_a_witnessed_one(nurse, physician, patient):
    order = _sign(physician, patient)
    doses = taper_doses_on(order, timezone.localdate())
    client = verified_client(nurse)
    url = reverse("withdrawal:mar", args=[patient.pk])
    missing = client.post(url, {"action": "dose", "dose": doses[0].key, "status": "refused"})
    assert missing.status_code == 422 and b"Say why the dose was refused" in missing.content
    ok = client.post(
        url, {"action": "dose", "dose": doses[0].key, "status": "refused", "reason": "Nausea"}
    )
    assert ok.status_code == 302
    device = TOTPDevice.objects.get(user=physician)
    given = client.post(
        url,
        {
            "action": "dose", "dose": doses[1].key, "status": "given",
            "witness_username": physician.username, "witness_password": PASSWORD,
            "witness_code": totp_code(device),
        },
    )  # fmt: skip
    assert given.status_code == 302
    assert DoseRecord.objects.get(scheduled_for=doses[1].scheduled_for).witness == physician
    page = client.get(url)
    assert b"Refused" in page.content and b"Nausea" in page.content


def test_late_dose_stands_out(nurse, physician, patient):
    from openrecovery.withdrawal.mar import local_moment
    from openrecovery.withdrawal.mar_views import mar_context

    _sign(physician, patient, times=["08:00", "20:00"])
    today = timezone.localdate()
    at_nine = mar_context(patient, today, local_moment(today, "09:00"))
    assert [line.late for line in at_nine["lines"]] == ["", ""]
    at_ten = mar_context(patient, today, local_moment(today, "10:05"))
    assert [line.late for line in at_ten["lines"]] == ["Late by 2 h 5 min", ""]


@pytest.mark.django_db
def test_mar_page_queries_do_not_grow_with_doses(nurse, physician, patient):
    client = verified_client(nurse)
    url = reverse("withdrawal:mar", args=[patient.pk])
    _sign(physician, patient, times=["08:00"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    medication_order_create(
        actor=physician, patient=patient, medication="gabapentin", dose_mg="300",
        as_needed=False, times=["06:00", "12:00", "18:00", "22:00"],
    )  # fmt: skip
    prn = medication_order_create(
        actor=physician, patient=patient, medication="gabapentin", dose_mg="100",
        as_needed=True, max_daily_mg="900", min_interval_minutes=15,
    )  # fmt: skip
    from openrecovery.withdrawal.services.doses import prn_dose_record

    start = timezone.localtime().replace(hour=0, minute=1)
    for n in range(4):
        when = max(start, timezone.now() - dt.timedelta(hours=20)) + dt.timedelta(minutes=20 * n)
        if when <= timezone.now():
            prn_dose_record(actor=nurse, patient=patient, order=prn, occurred_at=when)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_board_shows_taper_step_doses_review_and_effect_check(nurse, physician, patient):
    from openrecovery.withdrawal.services.doses import prn_dose_record

    order = _sign(physician, patient)
    prn = medication_order_create(
        actor=physician, patient=patient, medication="gabapentin", dose_mg="100",
        as_needed=True, max_daily_mg="900", min_interval_minutes=15,
    )  # fmt: skip
    prn_dose_record(
        actor=nurse, patient=patient, order=prn,
        occurred_at=timezone.now() - dt.timedelta(minutes=75),
    )  # fmt: skip
    page = verified_client(nurse).get(reverse("withdrawal:board")).content.decode()
    assert "Taper step 1 of" in page and "2 mg clonazepam/day" in page
    assert f"review by {order.review_by.isoformat()}" in page
    assert "Doses today: 0 of 2 given" in page
    assert "As-needed dose effect check: Overdue by 15 min" in page


def test_board_api_answer_keeps_its_fields(nurse, physician, patient):
    _sign(physician, patient)
    row = verified_client(nurse).get("/api/v1/withdrawal/board").json()["patients"][0]
    assert set(row) == {
        "patient_id", "mrn", "display_name", "ciwab", "next_due_at", "overdue",
        "open_alerts", "seizure_precautions", "suicide_risk_level",
    }  # fmt: skip


def test_chart_shows_the_taper_review_date(nurse, physician, patient):
    order = _sign(physician, patient)
    page = verified_client(nurse).get(reverse("chart:chart", args=[patient.pk])).content.decode()
    assert f"review by {order.review_by.isoformat()}" in page
    assert reverse("withdrawal:taper", args=[patient.pk]) in page


def test_nurse_may_not_sign_a_medication_order(nurse, patient):
    response = verified_client(nurse).post(
        reverse("withdrawal:mar", args=[patient.pk]),
        {"action": "order", "medication": "gabapentin", "dose_mg": "300", "times": "08:00"},
    )
    assert response.status_code == 403


def test_prn_over_the_maximum_shows_why_and_saves_nothing(nurse, physician, patient):
    prn = medication_order_create(
        actor=physician, patient=patient, medication="gabapentin", dose_mg="300",
        as_needed=True, max_daily_mg="300", min_interval_minutes=15,
    )  # fmt: skip
    client = verified_client(nurse)
    url = reverse("withdrawal:mar", args=[patient.pk])
    when = (timezone.localtime() - dt.timedelta(minutes=30)).strftime("%H:%M")
    if timezone.localtime().hour == 0:
        when = ""  # just after midnight: now (the time field is today's clock)
    assert client.post(url, {"action": "prn", "order": prn.pk, "status": "given",
                             "time": when}).status_code == 302  # fmt: skip
    refused = client.post(url, {"action": "prn", "order": prn.pk, "status": "given"})
    assert refused.status_code == 422
    assert b"above the order&#x27;s maximum of 300 mg" in refused.content
    assert DoseRecord.objects.count() == 1


def test_a_dose_recorded_over_an_hour_after_its_time_says_so(nurse, physician, patient):
    from openrecovery.withdrawal.mar import local_moment
    from openrecovery.withdrawal.mar_views import mar_context

    order = _sign(physician, patient, times=["08:00"])
    today = timezone.localdate()
    dose = taper_doses_on(order, today)[0]
    DoseRecord.objects.create(
        patient=patient, taper_order=order, medication=dose.medication, dose_mg=dose.dose_mg,
        scheduled_for=dose.scheduled_for, status="held", reason="Drowsy",
        occurred_at=local_moment(today, "09:30"), recorded_by=nurse,
        recorded_at=local_moment(today, "09:31"),
    )  # fmt: skip
    line = mar_context(patient, today, local_moment(today, "12:00"))["lines"][0]
    assert line.record is not None and line.late == "Late by 1 h 30 min"
    page = verified_client(nurse).get(reverse("withdrawal:mar", args=[patient.pk])).content
    assert b"when given or recorded" in page and b"table-danger" not in page


def test_a_physician_ends_an_order_and_its_doses_stop(nurse, physician, patient):
    order = medication_order_create(
        actor=physician, patient=patient, medication="gabapentin", dose_mg="300",
        as_needed=False, times=["23:59"],
    )  # fmt: skip
    url = reverse("withdrawal:mar", args=[patient.pk])
    assert b"End this order" in verified_client(physician).get(url).content
    assert b"End this order" not in verified_client(nurse).get(url).content
    forbidden = verified_client(nurse).post(url, {"action": "end_order", "order": order.pk})
    assert forbidden.status_code == 403
    ended = verified_client(physician).post(url, {"action": "end_order", "order": order.pk})
    assert ended.status_code == 302
    order.refresh_from_db()
    assert order.ended_at is not None
    assert b"gabapentin 300 mg" not in verified_client(nurse).get(url).content
    assert AuditEvent.objects.filter(
        object_type="medication_order", object_id=str(order.pk), action="update"
    ).exists()
