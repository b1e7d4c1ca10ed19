"""Every public help page: crisis lines, the program's number, no database, no tracking."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.support.helpline import assert_crisis_resources
from tests.support.pages import collect

PAGES = ["/help/", "/help/self-check/", "/help/callback/", "/help/callback/sent/", "/help/privacy/"]
STATIC_PAGES = ["/help/", "/help/self-check/", "/help/privacy/"]


@pytest.mark.parametrize("url", PAGES)
def test_page_shows_crisis_lines_and_the_24_7_number(db, url):
    response = Client().get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert_crisis_resources(body)
    assert settings.PROGRAM_NAME in body
    assert f"tel:{settings.PROGRAM_PHONE}" in collect(body).links
    assert response["Cache-Control"] == "no-store"
    # The public layout: no staff navigation.
    assert 'aria-label="Main"' not in body
    assert "Sign out" not in body


@override_settings(PROGRAM_PHONE="1-800-555-0199", PROGRAM_NAME="Harbor Light Recovery")
def test_the_24_7_number_and_name_are_configurable(db):
    body = Client().get("/help/").content.decode()
    assert "tel:1-800-555-0199" in collect(body).links
    assert "Harbor Light Recovery" in body


def test_home_says_open_24_7_and_the_safety_facts_with_sources(db):
    body = Client().get("/help/").content.decode()
    assert "Recovery is possible. We are open 24/7." in body
    for fact in ("Do not stop suddenly; talk to a clinician.", "fentanyl", "naloxone", "Mixing"):
        assert fact in body, fact
    assert "Sources" in body and "DSM-5-TR" in body and "Tapering" in body
    links = collect(body).links
    for target in ("/help/self-check/", "/help/callback/", "/help/privacy/"):
        assert target in links, target


@pytest.mark.parametrize("url", STATIC_PAGES)
def test_static_pages_make_no_database_query(db, url, django_assert_num_queries):
    client = Client()
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_signed_in_staff_without_mfa_reach_the_public_pages(counselor, url):
    client = Client()
    client.force_login(counselor)
    assert client.get(url).status_code == 200


def test_privacy_notice_explains_collection_part_2_and_deletion(db):
    body = Client().get("/help/privacy/").content.decode()
    for phrase in (
        "The self-check stores nothing",
        "What the callback form collects",
        "Who sees it",
        "How long we keep it",
        "42 CFR Part 2",
        "No tracking",
        "delete",
    ):
        assert phrase in body, phrase


def test_staff_login_links_to_help_and_root_sends_visitors_to_help(db):
    client = Client()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/help/"
    login = client.get("/accounts/login/").content.decode()
    assert "/help/" in collect(login).links


def test_help_pages_never_diagnose(db):
    for url in PAGES:
        body = Client().get(url).content.decode().lower()
        for phrase in ("you have a", "you are addicted", "you have been diagnosed"):
            assert phrase not in body, (url, phrase)
