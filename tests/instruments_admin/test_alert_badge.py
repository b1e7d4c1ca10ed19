"""The navbar's alert count is carried by the session and counted again when it changes."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openrecovery.accounts.roles import Role
from openrecovery.chart.context_processors import SESSION_ALERT_BADGE
from openrecovery.instruments.services import administration_record
from openrecovery.records.alerts import alert_acknowledge, alert_resolve
from openrecovery.records.choices import Stage
from openrecovery.records.models import ClinicalAlert
from tests.support.factories import make_patient, make_staff, verified_client
from tests.support.instruments import CSSRS_HIGH

BADGE = re.compile(r'id="alert-count">(\d+)<')


def _badge_and_counted(client) -> tuple[int, bool]:
    """Load the dashboard; return the badge's number (0 if none) and whether it was counted."""
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("chart:dashboard"))
    assert page.status_code == 200
    found = BADGE.search(page.content.decode())
    # The count itself (a dashboard card's subqueries also name the alerts and count tasks).
    counted = any(
        re.match(r'SELECT COUNT\(\*\) AS "__count" FROM "records_clinicalalert"', q["sql"])
        for q in captured.captured_queries
    )
    return (int(found.group(1)) if found else 0), counted


def _raise(counselor, patient) -> None:
    administration_record(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_HIGH)


def test_the_count_is_carried_until_an_alert_arrives(counselor, nurse, patient):
    client = verified_client(nurse)
    assert _badge_and_counted(client) == (0, True)
    assert _badge_and_counted(client) == (0, False)  # carried: no count query
    _raise(counselor, patient)
    assert _badge_and_counted(client) == (1, True)  # the new alert shows at once
    assert _badge_and_counted(client) == (1, False)
    _raise(counselor, patient)
    assert _badge_and_counted(client) == (2, True)


def test_acknowledging_counts_again(counselor, nurse, patient):
    client = verified_client(nurse)
    _raise(counselor, patient)
    assert _badge_and_counted(client) == (1, True)
    alert_acknowledge(actor=nurse, alert=ClinicalAlert.objects.get(recipient=nurse))
    assert _badge_and_counted(client) == (0, True)


def test_resolving_counts_again(counselor, nurse, patient):
    client = verified_client(nurse)
    _raise(counselor, patient)
    assert _badge_and_counted(client) == (1, True)
    alert = ClinicalAlert.objects.get(recipient=counselor)
    alert_resolve(actor=counselor, alert=alert, note="Safety plan made with the patient.")
    # Resolved but never acknowledged: still counted, as before the count was carried.
    assert _badge_and_counted(client) == (1, True)
    assert _badge_and_counted(client) == (1, False)


def test_someone_elses_alert_leaves_my_count_alone(director, counselor, nurse, patient):
    other_patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    nurse_client = verified_client(nurse)
    counselor_client = verified_client(counselor)
    assert _badge_and_counted(nurse_client) == (0, True)
    assert _badge_and_counted(counselor_client) == (0, True)
    _raise(counselor, other_patient)  # only the counselor is on that team
    assert _badge_and_counted(nurse_client) == (0, False)
    assert _badge_and_counted(counselor_client) == (1, True)


def test_each_session_carries_its_own_users_count(counselor, nurse, patient):
    colleague = make_staff(Role.NURSE)
    _raise(counselor, patient)
    nurse_client = verified_client(nurse)
    colleague_client = verified_client(colleague)
    assert _badge_and_counted(nurse_client) == (1, True)
    assert _badge_and_counted(colleague_client) == (0, True)
    assert nurse_client.session[SESSION_ALERT_BADGE][1] == 1
    assert colleague_client.session[SESSION_ALERT_BADGE][1] == 0


def test_a_forged_or_stale_carried_count_is_not_trusted(counselor, nurse, patient):
    client = verified_client(nurse)
    _raise(counselor, patient)
    nurse.refresh_from_db()
    session = client.session
    session[SESSION_ALERT_BADGE] = [nurse.alert_version - 1, 0]  # an older version
    session.save()
    assert _badge_and_counted(client) == (1, True)
    session = client.session
    session[SESSION_ALERT_BADGE] = "garbage"
    session.save()
    assert _badge_and_counted(client) == (1, True)
