"""The chart, trends, form and dashboard run the same number of queries as results grow."""

import datetime as dt

import pytest
from django.urls import reverse

from openrecovery.instruments.models import Administration
from openrecovery.instruments.services import administration_record
from tests.support.factories import verified_client
from tests.support.instruments import CSSRS_HIGH
from tests.support.queries import queries_of

MAX_QUERIES = 35


def give(counselor, patient, times: int) -> None:
    """Give the PHQ-9 and a high-risk C-SSRS ``times`` times, on different days."""
    for n in range(times):
        administration_record(actor=counselor, patient=patient, code="phq9", answers=[n % 4] * 9)
        administration_record(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_HIGH)
    for n, a in enumerate(Administration.objects.filter(patient=patient).order_by("pk")):
        Administration.objects.filter(pk=a.pk).update(
            administered_at=a.administered_at - dt.timedelta(days=n)
        )


@pytest.mark.parametrize(
    "name", ["chart:chart", "instruments:trends", "instruments:administer", "chart:print"]
)
def test_patient_pages_stay_constant(counselor, patient, name):
    args = [patient.pk, "cssrs"] if name == "instruments:administer" else [patient.pk]
    client = verified_client(counselor)
    give(counselor, patient, 1)
    small, _ = queries_of(client, reverse(name, args=args))
    give(counselor, patient, 12)
    large, sql = queries_of(client, reverse(name, args=args))
    assert small == large, "\n".join(sql)
    assert large <= MAX_QUERIES


def test_dashboard_stays_constant_as_alerts_grow(counselor, nurse, patient):
    client = verified_client(nurse)
    give(counselor, patient, 1)
    small, _ = queries_of(client, reverse("chart:dashboard"))
    give(counselor, patient, 12)
    large, sql = queries_of(client, reverse("chart:dashboard"))
    assert small == large, "\n".join(sql)
    page = client.get(reverse("chart:dashboard")).content.decode()
    assert page.count("Acknowledge the alert about") == 13
    assert 'id="alert-count">13<' in page
