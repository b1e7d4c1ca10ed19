"""Booking an assessment: only staff who take assessments, and a warning on double bookings."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openrecovery.accounts.roles import ASSESSMENT_PERMISSION, ROLE_PERMISSIONS, Role
from openrecovery.helpline.bookings import ASSESSMENT_LENGTH, ClinicianBooked
from openrecovery.helpline.models import Disposition
from openrecovery.helpline.services import ERROR_CLINICIAN
from openrecovery.records.models import Patient
from tests.support.factories import make_staff, verified_client
from tests.support.helpline import assessment_booked, callback

BASE = "/api/v1/helpline/inquiries"
TEN = dt.time(10, 0)


def _at(time: dt.time) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=3)
    return timezone.make_aware(dt.datetime.combine(day, time))


@pytest.fixture
def booked(coordinator, physician):
    """The physician's assessment at ten, three days from now."""
    return assessment_booked(coordinator, physician, _at(TEN), phone="(555) 010-1111")


def _api_body(clinician, when, **extra):
    return {
        "given_name": "Omar",
        "family_name": "Okafor",
        "date_of_birth": "1985-03-04",
        "sex_at_birth": "male",
        "scheduled_for": when.isoformat(),
        "clinician_id": clinician.pk,
        **extra,
    }


@pytest.mark.parametrize(
    "role",
    [r for r in Role if ASSESSMENT_PERMISSION not in ROLE_PERMISSIONS[r]],
)
def test_only_roles_that_take_assessments_may_be_booked(coordinator, role):
    with pytest.raises(ValidationError) as caught:
        assessment_booked(coordinator, make_staff(role), _at(TEN), phone="(555) 010-2222")
    assert caught.value.message_dict == {"clinician": [ERROR_CLINICIAN]}
    assert not Patient.objects.exists()


@pytest.mark.parametrize("minutes", [-59, 0, 30, 59])
def test_an_overlapping_booking_is_refused_until_confirmed(coordinator, physician, booked, minutes):
    when = _at(TEN) + dt.timedelta(minutes=minutes)
    with pytest.raises(ClinicianBooked) as caught:
        assessment_booked(coordinator, physician, when, phone="(555) 010-3333", given="Omar")
    assert caught.value.bookings == [booked.scheduled_for]
    assert str(physician) in caught.value.message
    assert Disposition.objects.get() == booked  # the refused inquiry stays unconverted
    assessment_booked(
        coordinator,
        physician,
        when,
        phone="(555) 010-3334",
        given="Omar",
        confirm_double_booking=True,
    )
    assert Disposition.objects.filter(clinician=physician).count() == 2


@pytest.mark.parametrize("minutes", [-60, 60, 24 * 60])
def test_back_to_back_or_other_days_are_not_double_bookings(
    coordinator, physician, booked, minutes
):
    assert ASSESSMENT_LENGTH == dt.timedelta(minutes=60)
    when = _at(TEN) + dt.timedelta(minutes=minutes)
    assessment_booked(coordinator, physician, when, phone="(555) 010-4444", given="Omar")
    assert Disposition.objects.filter(clinician=physician).count() == 2


def test_another_clinician_at_the_same_time_is_free(coordinator, counselor, booked):
    assessment_booked(coordinator, counselor, _at(TEN), phone="(555) 010-5555", given="Omar")
    assert Disposition.objects.filter(scheduled_for=_at(TEN)).count() == 2


def test_the_api_answers_409_with_the_bookings_until_confirmed(coordinator, physician, booked):
    client = verified_client(coordinator)
    inquiry = callback(phone="(555) 010-6666")
    url = f"{BASE}/{inquiry.reference}"
    assert client.post(f"{url}/claim", content_type="application/json").status_code == 200
    body = _api_body(physician, _at(dt.time(10, 30)))
    response = client.post(f"{url}/convert", body, content_type="application/json")
    assert response.status_code == 409
    [start] = response.json()["bookings"]
    assert dt.datetime.fromisoformat(start) == booked.scheduled_for
    assert str(physician) in response.json()["detail"]
    confirmed = {**body, "confirm_double_booking": True}
    response = client.post(f"{url}/convert", confirmed, content_type="application/json")
    assert response.status_code == 201, response.content


def test_the_api_refuses_a_nurse_as_the_assessing_clinician(coordinator, nurse):
    client = verified_client(coordinator)
    inquiry = callback(phone="(555) 010-7777")
    url = f"{BASE}/{inquiry.reference}"
    assert client.post(f"{url}/claim", content_type="application/json").status_code == 200
    response = client.post(
        f"{url}/convert", _api_body(nurse, _at(TEN)), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "clinician", "message": ERROR_CLINICIAN}]
