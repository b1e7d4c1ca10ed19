"""Patient search by name, MRN or date of birth: visible patients only, query never stored."""

import datetime as dt

import pytest
from django.urls import reverse

from openrecovery.audit.models import AuditEvent
from openrecovery.chart.selectors import patient_search
from tests.support.audit import audit_mark
from tests.support.factories import make_patient, verified_client


@pytest.fixture
def people(director, counselor):
    mine = make_patient(
        actor=director,
        team=[counselor],
        given="Rosalind",
        family="Okonkwo-Hale",
        date_of_birth=dt.date(1977, 7, 14),
    )
    also = make_patient(actor=director, team=[counselor], given="Oscar", family="Okafor")
    hidden = make_patient(
        actor=director, given="Rosalind", family="Okonkwo", date_of_birth=dt.date(1977, 7, 14)
    )
    return mine, also, hidden


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("okonkwo", ["mine"]),
        ("OKO", ["mine"]),
        ("ok", ["also", "mine"]),
        ("rosalind okon", ["mine"]),
        ("Okonkwo-Hale, Rosalind", ["mine"]),
        ("1977-07-14", ["mine"]),
        ("07/14/1977", ["mine"]),
        ("zzz", []),
        ("   ", []),
    ],
)
def test_search_finds_only_visible_patients(counselor, people, query, expected):
    names = dict(zip(["mine", "also", "hidden"], people, strict=True))
    found = list(patient_search(counselor, query))
    assert found == [names[n] for n in expected]


def test_search_by_mrn_in_several_spellings(counselor, people):
    mine, _, hidden = people
    number = int(mine.mrn[3:])
    for spelling in (mine.mrn, mine.mrn.lower(), f"MRN-{number}", str(number)):
        assert list(patient_search(counselor, spelling)) == [mine]
    assert list(patient_search(counselor, hidden.mrn)) == []


def test_search_page_posts_and_stores_no_query(counselor, people):
    client = verified_client(counselor)
    mark = audit_mark()
    response = client.post(reverse("chart:search"), {"q": "Okonkwo"}, follow=True)
    assert response.redirect_chain == [(reverse("chart:search"), 302)]
    assert [p.pk for p in response.context["results"]] == [people[0].pk]
    stored = str(list(AuditEvent.objects.filter(id__gt=mark).values()))
    assert "okonkwo" not in stored.lower()
    assert "okonkwo" not in str(dict(client.session)).lower()


def test_htmx_search_returns_the_partial(counselor, people):
    response = verified_client(counselor).post(
        reverse("chart:search"), {"q": "okafor"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert people[1].mrn in body


def test_empty_or_overlong_query_is_a_field_error(counselor):
    client = verified_client(counselor)
    for q in ("", "x" * 101):
        response = client.post(reverse("chart:search"), {"q": q})
        assert response.context["search_form"].errors.keys() == {"q"}
        assert response.context["results"] is None
