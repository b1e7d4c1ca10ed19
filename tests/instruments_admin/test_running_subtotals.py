"""The administration form shows running subtotals only where the score is a plain sum."""

import pytest
from django.urls import reverse

from openrecovery.instruments.forms import AdministrationForm
from openrecovery.instruments.registry import INSTRUMENTS
from openrecovery.records.choices import Stage
from tests.support.factories import make_patient, verified_client


def test_ciwab_sums_each_rater_and_the_total():
    form = AdministrationForm(instrument=INSTRUMENTS["ciwab"])
    assert form.running_subtotals() == [
        ("Patient-rated (items 1-17)", ",".join(str(n) for n in range(1, 18))),
        ("Observer-rated (items 18-20)", "18,19,20"),
        ("Total score", ",".join(str(n) for n in range(1, 21))),
    ]


def test_a_reverse_scored_instrument_shows_none():
    # DAST-10 item 3 is reverse-scored: the chosen answers do not add up to the score.
    assert AdministrationForm(instrument=INSTRUMENTS["dast10"]).running_subtotals() == []


def test_an_instrument_without_subscales_shows_none():
    assert AdministrationForm(instrument=INSTRUMENTS["phq9"]).running_subtotals() == []


@pytest.mark.django_db
def test_the_ciwab_page_carries_the_running_subtotals(director, nurse):
    patient = make_patient(actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[nurse])
    url = reverse("instruments:administer", args=[patient.pk, "ciwab"])
    page = verified_client(nurse).get(url).content.decode()
    assert page.count("data-subtotal-items=") == 3
    assert 'data-subtotal-items="18,19,20"' in page
