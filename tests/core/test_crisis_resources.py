"""Crisis resources are one click away from every page, and the page has the numbers."""

import pytest
from django.test import Client, override_settings

from tests.support.pages import collect

CRISIS_PATH = "/crisis/"
CRISIS_NUMBERS = {
    "911": "tel:911",
    "988": "tel:988",
    "1-800-662-4357": "tel:18006624357",  # SAMHSA National Helpline
    "1-800-222-1222": "tel:18002221222",  # Poison Help
}


def test_every_page_links_to_the_crisis_resources(toured_pages):
    pages = [page for page in toured_pages if page.is_document]
    assert len(pages) > 20
    missing = [page.label for page in pages if CRISIS_PATH not in collect(page.body).links]
    assert not missing, missing


@override_settings(ROOT_URLCONF="tests.core.urls_boom")
def test_the_500_page_links_to_the_crisis_resources(db):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert CRISIS_PATH in collect(response.content.decode()).links


@pytest.mark.parametrize("signed_in", [False, True])
def test_crisis_page_lists_the_numbers(counselor, signed_in):
    client = Client()
    if signed_in:
        client.force_login(counselor)  # before MFA too: the page is exempt
    response = client.get(CRISIS_PATH)
    assert response.status_code == 200
    body = response.content.decode()
    links = collect(body).links
    for number, tel in CRISIS_NUMBERS.items():
        assert number in body
        assert tel in links, tel


def test_crisis_page_is_public_and_shows_no_patient_data(db):
    response = Client().get(CRISIS_PATH)
    assert response.status_code == 200
    assert "Crisis resources" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_crisis_text_line_has_its_own_entry(db):
    body = Client().get(CRISIS_PATH).content.decode()
    cards = {
        card.split("</h2>")[0].split(">")[-1]: card
        for card in body.split('<div class="card-body">')[1:]
    }
    assert "741741" in cards["Crisis Text Line"] and "HOME" in cards["Crisis Text Line"]
    assert "741741" not in cards["Poison Help"]
    assert "sms:741741?&body=HOME" in collect(body).links
