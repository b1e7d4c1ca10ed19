"""The dashboard and chart run a constant number of queries as patients and events grow."""

import pytest
from django.urls import reverse

from openrecovery.accounts.roles import Role
from openrecovery.privacy.services import break_glass_grant
from tests.support.factories import make_staff, verified_client
from tests.support.queries import build_world, queries_of

SMALL = {"patients": 3, "events": 5}
LARGE = {"patients": 40, "events": 200}
# Session, user and TOTP device; then the page's own reads (the dashboard's include my
# patients' open tasks; the chart's the risk level, open tasks and precaution steps left,
# the treatment plan's panel, the session notes and the curriculum covered) and its audit
# event.
DASHBOARD_MAX_QUERIES = 9
CHART_MAX_QUERIES = 20


def test_dashboard_of_a_care_team_member(director, django_assert_max_num_queries):
    small_user, _ = build_world(director, **SMALL)
    large_user, _ = build_world(director, **LARGE)
    small, _ = queries_of(verified_client(small_user), reverse("chart:dashboard"))
    large, sql = queries_of(verified_client(large_user), reverse("chart:dashboard"))
    assert small == large, sql
    client = verified_client(large_user)
    client.get(reverse("chart:dashboard"))
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES):
        page = client.get(reverse("chart:dashboard"))
    assert page.content.decode().count("/patients/") >= LARGE["patients"]


@pytest.mark.parametrize("role", [Role.CLINICAL_DIRECTOR, Role.NURSE, Role.ADMISSIONS_COORDINATOR])
def test_dashboard_of_a_role_with_coverage(director, role):
    viewer = make_staff(role)
    build_world(director, **SMALL)
    small, _ = queries_of(verified_client(viewer), reverse("chart:dashboard"))
    build_world(director, **LARGE)
    large, sql = queries_of(verified_client(viewer), reverse("chart:dashboard"))
    assert small == large, sql


def test_chart_of_a_care_team_member(director, django_assert_max_num_queries):
    small_user, small_patient = build_world(director, **SMALL)
    large_user, large_patient = build_world(director, **LARGE)
    small, _ = queries_of(
        verified_client(small_user), reverse("chart:chart", args=[small_patient.pk])
    )
    url = reverse("chart:chart", args=[large_patient.pk])
    large, sql = queries_of(verified_client(large_user), url)
    assert small == large, sql
    client = verified_client(large_user)
    client.get(url)
    with django_assert_max_num_queries(CHART_MAX_QUERIES):
        client.get(url)


@pytest.mark.parametrize("name", ["chart:chart", "chart:print", "chart:timeline"])
def test_chart_pages_seen_by_the_director(director, name):
    _, small_patient = build_world(director, **SMALL)
    _, large_patient = build_world(director, **LARGE)
    client = verified_client(director)
    small, _ = queries_of(client, reverse(name, args=[small_patient.pk]))
    large, sql = queries_of(client, reverse(name, args=[large_patient.pk]))
    assert small == large, sql


def test_chart_under_break_glass(director):
    _, small_patient = build_world(director, **SMALL)
    _, large_patient = build_world(director, **LARGE)
    stranger = make_staff(Role.COUNSELOR)
    for patient in (small_patient, large_patient):
        break_glass_grant(user=stranger, patient=patient, reason="Emergency on the unit now")
    client = verified_client(stranger)
    small, _ = queries_of(client, reverse("chart:chart", args=[small_patient.pk]))
    large, sql = queries_of(client, reverse("chart:chart", args=[large_patient.pk]))
    assert small == large, sql
