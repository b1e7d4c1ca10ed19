"""Search without dead ends: birth dates as typed, Back keeps results, break-glass offered."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from openrecovery.audit.models import AuditEvent
from openrecovery.chart.selectors import patient_search
from openrecovery.privacy.forms import ERROR_SEARCH_NEEDS
from openrecovery.privacy.models import BreakGlassGrant, BreakGlassSearch
from openrecovery.privacy.services import SEARCHES_PER_HOUR
from openrecovery.records.identifiers import birth_date_parse
from tests.support.audit import audit_mark
from tests.support.factories import make_patient, verified_client

BORN = dt.date(1967, 5, 6)
REASON = "Found unresponsive in the lobby, needs her medication list now"


@pytest.fixture
def people(director, counselor):
    mine = make_patient(
        actor=director, team=[counselor], given="Dana", family="Whitlock", date_of_birth=BORN
    )
    hidden = make_patient(
        actor=director,
        given="Rosalind",
        family="Okonkwo",
        date_of_birth=dt.date(1977, 7, 14),
        phone_mobile="(555) 010-4477",
    )
    return mine, hidden


@pytest.mark.parametrize("typed", ["05061967", "05/06/67", "5/6/1967", "05/06/1967", "1967-05-06"])
def test_birth_dates_as_staff_type_them(counselor, people, typed):
    assert list(patient_search(counselor, typed)) == [people[0]]


def test_a_two_digit_year_is_never_in_the_future():
    today = dt.date(2026, 12, 2)
    assert birth_date_parse("05/06/67", today) == dt.date(1967, 5, 6)
    assert birth_date_parse("05/06/21", today) == dt.date(2021, 5, 6)
    assert birth_date_parse("12/25/26", today) == dt.date(1926, 12, 25)
    assert birth_date_parse("02/29/01", today) is None
    assert birth_date_parse("13/01/67", today) is None


def test_back_to_the_search_shows_the_results_again_without_storing_the_query(counselor, people):
    client = verified_client(counselor)
    response = client.post(reverse("chart:search"), {"q": "whitlock"})
    assert response.status_code == 302 and response["Location"] == reverse("chart:search")
    assert "whitlock" not in response["Location"].lower()
    first = client.get(reverse("chart:search"))
    assert [p.pk for p in first.context["results"]] == [people[0].pk]
    # The chart, then Back: the page is fetched again and shows the same results.
    client.get(reverse("chart:chart", args=[people[0].pk]))
    back = client.get(reverse("chart:search"))
    assert [p.pk for p in back.context["results"]] == [people[0].pk]
    assert 'id="search-restored"' in back.content.decode()
    assert "whitlock" not in str(dict(client.session)).lower()


def test_an_empty_search_offers_emergency_access_prefilled_and_discloses_nothing(counselor, people):
    client = verified_client(counselor)
    pages = {}
    for q in ("Rosalind Okonkwo", "Rosalind Okonkwa"):  # a hidden patient; nobody
        client.post(reverse("chart:search"), {"q": q})
        pages[q] = client.get(reverse("chart:search")).content.decode()
    hidden_page, nobody_page = pages.values()
    assert 'id="break-glass-search"' in hidden_page
    assert 'name="family_name" value="Okonkwo"' in hidden_page
    assert 'name="given_name" value="Rosalind"' in hidden_page
    assert people[1].mrn not in hidden_page
    # The two pages differ only in what was typed: nothing tells a hidden patient exists.
    strip = lambda page: re.sub(r'(value="[^"]*"|"X-CSRFToken": "[^"]*")', "", page)  # noqa: E731
    assert strip(hidden_page) == strip(nobody_page)
    htmx = client.post(reverse("chart:search"), {"q": "07141977"}, HTTP_HX_REQUEST="true")
    assert 'name="date_of_birth" value="07141977"' in htmx.content.decode()


def test_emergency_search_needs_a_reason_and_strong_details(counselor, people):
    client = verified_client(counselor)
    url = reverse("privacy:break_glass_search")
    no_reason = client.post(url, {"family_name": "Okonkwo", "date_of_birth": "07/14/77"})
    assert no_reason.status_code == 422 and people[1].mrn not in no_reason.content.decode()
    name_only = client.post(url, {"family_name": "Okonkwo", "reason": REASON})
    assert name_only.status_code == 422
    assert ERROR_SEARCH_NEEDS in name_only.content.decode()
    assert people[1].mrn not in name_only.content.decode()
    assert not BreakGlassSearch.objects.exists()
    assert client.get(url)["Location"] == reverse("chart:search")


def test_a_reasoned_emergency_search_shows_the_match_then_opens_it_flagged(counselor, people):
    hidden = people[1]
    client = verified_client(counselor)
    mark = audit_mark()
    response = client.post(
        reverse("privacy:break_glass_search"),
        {"family_name": "okonkwo", "date_of_birth": "07141977", "reason": REASON},
    )
    body = response.content.decode()
    assert response.status_code == 200 and hidden.mrn in body
    assert "Open with emergency access" in body
    search = BreakGlassSearch.objects.get()
    assert (search.user, search.reason, search.patient_ids) == (counselor, REASON, [hidden.pk])
    event = AuditEvent.objects.get(id__gt=mark, object_type="break_glass_search")
    assert event.flagged and event.purpose == "emergency"
    assert event.detail == {"basis": "name_and_birth_date", "results": 1, "patients": [hidden.pk]}
    assert REASON not in str(event.detail)
    assert not BreakGlassGrant.objects.exists()  # shown, not opened
    opened = client.post(reverse("privacy:break_glass"), {"mrn": hidden.mrn, "reason": REASON})
    assert opened["Location"] == reverse("chart:chart", args=[hidden.pk])
    assert BreakGlassGrant.objects.get().patient == hidden
    by_phone = client.post(
        reverse("privacy:break_glass_search"), {"phone": "555-010-4477", "reason": REASON}
    )
    assert hidden.mrn in by_phone.content.decode()


def test_emergency_searches_are_limited_and_listed_for_review(counselor, director, people):
    client = verified_client(counselor)
    data = {"family_name": "Nobody", "date_of_birth": "01/01/1950", "reason": REASON}
    for _ in range(SEARCHES_PER_HOUR):
        page = client.post(reverse("privacy:break_glass_search"), data)
        assert 'id="break-glass-none"' in page.content.decode()
    refused = client.post(reverse("privacy:break_glass_search"), data)
    assert refused.status_code == 422
    assert "emergency searches in the last hour" in refused.content.decode()
    review = verified_client(director).get(reverse("privacy:review_list")).content.decode()
    assert review.count(REASON) == SEARCHES_PER_HOUR
