"""The schedule form's clinician picker: who takes assessments, named with their role, and
the warning when the clinician is already booked at that time."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.helpline.models import Disposition
from openrecovery.records.models import Patient
from tests.support.factories import make_staff, staff_per_role
from tests.support.helpline import CONVERTED_PERSON, assessment_booked
from tests.support.pages import select_options
from tests.support.queries import queries_of

DAY = timezone.localdate() + dt.timedelta(days=3)


def url(inquiry, action=""):
    return f"/admissions/inquiries/{inquiry.reference}/" + (f"{action}/" if action else "")


def clinician_options(body: str) -> dict[int, str]:
    return select_options(body, "clinician")


def schedule_data(who, time="10:30", **overrides):
    return {
        **CONVERTED_PERSON,
        "date": DAY.isoformat(),
        "time": time,
        "clinician": str(who.pk),
        **overrides,
    }


@pytest.fixture
def team(db):
    return staff_per_role("pick")


@pytest.fixture
def booked(coordinator, team):
    """The physician already sees someone at ten on DAY."""
    when = timezone.make_aware(dt.datetime.combine(DAY, dt.time(10, 0)))
    return assessment_booked(coordinator, team[Role.PHYSICIAN], when, phone="(555) 010-8181")


def test_picker_offers_only_those_who_take_assessments_with_their_role(client_c, claimed, team):
    options = clinician_options(client_c.get(url(claimed)).content.decode())
    offered = {team_role for team_role, user in team.items() if user.pk in options}
    assert offered == {Role.PHYSICIAN, Role.COUNSELOR, Role.CLINICAL_DIRECTOR}
    counselor = team[Role.COUNSELOR]
    assert options[counselor.pk] == "Dana Counselor — Counselor"


def test_a_nurse_cannot_be_booked_for_the_assessment(client_c, claimed, team):
    response = client_c.post(url(claimed, "schedule"), schedule_data(team[Role.NURSE]))
    assert response.status_code == 422
    assert not Patient.objects.exists()


def test_double_booking_warns_and_books_once_acknowledged(client_c, claimed, team, booked):
    physician = team[Role.PHYSICIAN]
    warned = client_c.post(url(claimed, "schedule"), schedule_data(physician))
    assert warned.status_code == 409
    body = warned.content.decode()
    assert 'id="double-booking"' in body
    assert "Dana Physician — Physician is already booked then" in body
    assert "10:00–11:00" in body
    assert "Marcus" not in body  # whom the clinician sees is not the coordinator's business
    assert Disposition.objects.count() == 1
    slot = re.search(r'name="booking_slot" value="([^"]+)"', body).group(1)
    data = schedule_data(physician, booking_slot=slot, confirm_double_booking="on")
    done = client_c.post(url(claimed, "schedule"), data)
    assert done.status_code == 302
    assert Disposition.objects.filter(clinician=physician).count() == 2


def test_an_acknowledgment_holds_only_for_the_slot_it_was_given_for(
    client_c, claimed, team, booked
):
    physician = team[Role.PHYSICIAN]
    body = client_c.post(url(claimed, "schedule"), schedule_data(physician)).content.decode()
    slot = re.search(r'name="booking_slot" value="([^"]+)"', body).group(1)
    moved = schedule_data(physician, time="09:30", booking_slot=slot, confirm_double_booking="on")
    again = client_c.post(url(claimed, "schedule"), moved)
    assert again.status_code == 409
    assert 'name="confirm_double_booking" checked' not in again.content.decode()
    assert not Patient.objects.filter(legal_given_name=CONVERTED_PERSON["given_name"]).exists()


def test_the_warning_stays_while_other_errors_are_fixed(client_c, claimed, team, booked):
    data = schedule_data(team[Role.PHYSICIAN], given_name="")
    response = client_c.post(url(claimed, "schedule"), data)
    assert response.status_code == 422
    assert 'id="double-booking"' in response.content.decode()


def test_another_time_books_without_a_warning(client_c, claimed, team, booked):
    done = client_c.post(url(claimed, "schedule"), schedule_data(team[Role.PHYSICIAN], "11:00"))
    assert done.status_code == 302


def test_inquiry_page_queries_do_not_grow_with_the_staff(client_c, claimed):
    few, _ = queries_of(client_c, url(claimed))
    for n in range(12):
        make_staff(Role.COUNSELOR if n % 2 else Role.NURSE, f"more{n}")
    many, sql = queries_of(client_c, url(claimed))
    assert many == few, sql
    assert len(clinician_options(client_c.get(url(claimed)).content.decode())) == 6


def test_the_form_asks_about_bookings_when_the_slot_changes(client_c, claimed, team):
    body = client_c.get(url(claimed)).content.decode()
    for name in ("date", "time", "clinician"):
        field = re.search(rf'<(input|select)[^>]*name="{name}"[^>]*>', body).group(0)
        assert 'hx-get="/admissions/bookings/"' in field, name
        assert 'hx-target="#booking-warning"' in field
    assert 'id="booking-warning"' in body


def test_the_booking_check_warns_before_the_form_is_sent(client_c, team, booked):
    physician = team[Role.PHYSICIAN]
    query = {"date": DAY.isoformat(), "time": "10:45", "clinician": physician.pk}
    warned = client_c.get("/admissions/bookings/", query).content.decode()
    assert "Dana Physician — Physician is already booked then" in warned
    assert 'name="booking_slot"' in warned and 'name="confirm_double_booking"' in warned
    free = client_c.get("/admissions/bookings/", {**query, "time": "11:00"})
    assert free.status_code == 200
    assert "already booked" not in free.content.decode()
    unfinished = client_c.get("/admissions/bookings/", {"clinician": physician.pk})
    assert unfinished.status_code == 200 and not unfinished.content.decode().strip()
