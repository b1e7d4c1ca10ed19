"""The care-team picker offers only staff whose role cares for patients, named with it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from openrecovery.accounts.roles import CARE_TEAM_PERMISSION, ROLE_PERMISSIONS, Role
from openrecovery.records.models import CareTeamMember
from openrecovery.records.services import ERROR_NOT_CARE_STAFF, care_team_add
from tests.support.factories import make_patient, make_staff, staff_per_role, verified_client
from tests.support.pages import select_options
from tests.support.queries import queries_of

NOT_CARE = [r for r in Role if CARE_TEAM_PERMISSION not in ROLE_PERMISSIONS[r]]


@pytest.fixture
def team(db):
    return staff_per_role("team")


@pytest.fixture
def patient(director):
    return make_patient(actor=director, stage="treatment")


def test_picker_lists_carers_with_their_role_and_leaves_out_the_others(director, team, patient):
    body = verified_client(director).get(reverse("chart:chart", args=[patient.pk]))
    options = select_options(body.content.decode(), "user")
    offered = {role for role, user in team.items() if user.pk in options}
    assert offered == {r for r in Role if r not in NOT_CARE}
    assert not {Role.CONTENT_EDITOR, Role.MEDICAL_REVIEWER, Role.ADMINISTRATOR} & offered
    assert options[team[Role.NURSE].pk] == "Dana Nurse — Nurse"


@pytest.mark.parametrize("role", NOT_CARE)
def test_the_service_refuses_staff_who_cannot_open_charts(director, patient, role):
    with pytest.raises(ValidationError) as caught:
        care_team_add(
            actor=director, patient=patient, user=make_staff(role), team_role="case_manager"
        )
    assert caught.value.message_dict == {"user": [ERROR_NOT_CARE_STAFF]}
    assert not CareTeamMember.objects.filter(patient=patient).exists()


def test_the_form_refuses_an_administrator_posted_by_hand(director, team, patient):
    url = reverse("chart:care_team_add", args=[patient.pk])
    data = {"user": team[Role.ADMINISTRATOR].pk, "team_role": "case_manager"}
    response = verified_client(director).post(url, data)
    assert response.status_code == 422
    assert not CareTeamMember.objects.filter(patient=patient).exists()


def test_chart_queries_do_not_grow_with_the_staff(director, patient):
    client = verified_client(director)
    url = reverse("chart:chart", args=[patient.pk])
    few, _ = queries_of(client, url)
    for n in range(12):
        make_staff(Role.COUNSELOR if n % 2 else Role.ADMINISTRATOR, f"more{n}")
    many, sql = queries_of(client, url)
    assert many == few, sql
