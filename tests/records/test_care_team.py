"""Care teams: who may change them, what each change leaves behind, and bad input."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.records.choices import CareTeamRole, Stage, TimelineKind
from openrecovery.records.models import CareTeamMember
from openrecovery.records.services import ERROR_ALREADY_ON_TEAM, care_team_add, care_team_remove
from tests.support.audit import audit_mark, events_since
from tests.support.factories import make_patient, make_staff, verified_client


@pytest.fixture
def patient(director):
    return make_patient(actor=director, stage=Stage.TREATMENT)


def add(client, patient, **data):
    return client.post(reverse("chart:care_team_add", args=[patient.pk]), data)


def test_add_and_remove_through_the_chart(director, counselor, patient):
    client = verified_client(director)
    mark = audit_mark()
    response = add(client, patient, user=counselor.pk, team_role=CareTeamRole.PRIMARY_COUNSELOR)
    assert response.status_code == 302
    member = CareTeamMember.objects.get(patient=patient, user=counselor, active=True)
    assert member.team_role == CareTeamRole.PRIMARY_COUNSELOR
    assert patient.timeline.filter(kind=TimelineKind.CARE_TEAM).count() == 1
    response = client.post(reverse("chart:care_team_remove", args=[patient.pk, member.pk]))
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.active  # kept for history
    assert patient.timeline.filter(kind=TimelineKind.CARE_TEAM).count() == 2
    changes = events_since(mark, action=Action.CARE_TEAM_CHANGE)
    assert [e.detail for e in changes] == [
        {"added_user": counselor.pk, "team_role": "primary_counselor"},
        {"removed_user": counselor.pk},
    ]


def test_a_removed_member_can_rejoin(director, counselor, patient):
    member = care_team_add(
        actor=director, patient=patient, user=counselor, team_role="psychiatrist"
    )
    care_team_remove(actor=director, member=member)
    again = care_team_add(actor=director, patient=patient, user=counselor, team_role="case_manager")
    assert again.pk != member.pk
    assert CareTeamMember.objects.filter(patient=patient, user=counselor).count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"team_role": "primary_nurse"}, "user"),
        ({"user": "987654321", "team_role": "primary_nurse"}, "user"),
        ({"user": "abc", "team_role": "primary_nurse"}, "user"),
        ({"user": "COUNSELOR", "team_role": "chief"}, "team_role"),
    ],
)
def test_bad_input_shows_field_errors_and_changes_nothing(
    director, counselor, patient, data, field
):
    data = {k: (str(counselor.pk) if v == "COUNSELOR" else v) for k, v in data.items()}
    mark = audit_mark()
    response = add(verified_client(director), patient, **data)
    assert response.status_code == 422
    assert list(response.context["care_team_form"].errors) == [field]
    assert not CareTeamMember.objects.filter(patient=patient).exists()
    assert not events_since(mark, action=Action.CARE_TEAM_CHANGE)


def test_duplicate_member_is_a_field_error(director, counselor, patient):
    care_team_add(actor=director, patient=patient, user=counselor, team_role="primary_counselor")
    response = add(verified_client(director), patient, user=counselor.pk, team_role="case_manager")
    assert response.status_code == 422
    assert response.context["care_team_form"].errors == {"user": [ERROR_ALREADY_ON_TEAM]}
    assert CareTeamMember.objects.filter(patient=patient).count() == 1
    with pytest.raises(ValidationError):
        care_team_add(actor=director, patient=patient, user=counselor, team_role="case_manager")


def test_inactive_staff_cannot_be_added(director, counselor, patient):
    counselor.is_active = False
    counselor.save()
    response = add(verified_client(director), patient, user=counselor.pk, team_role="case_manager")
    assert response.status_code == 422
    assert "user" in response.context["care_team_form"].errors


def test_foreign_or_unknown_member_ids_give_404(director, counselor, patient):
    other = make_patient(actor=director, stage=Stage.TREATMENT)
    foreign = care_team_add(actor=director, patient=other, user=counselor, team_role="case_manager")
    client = verified_client(director)
    for patient_id, member_id in [(patient.pk, foreign.pk), (patient.pk, 987654321)]:
        url = reverse("chart:care_team_remove", args=[patient_id, member_id])
        assert client.post(url).status_code == 404
    assert CareTeamMember.objects.get(pk=foreign.pk).active


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.NURSE, Role.ADMINISTRATOR])
def test_roles_without_manage_care_team_get_403(role, counselor, patient):
    user = make_staff(role)
    response = add(verified_client(user), patient, user=counselor.pk, team_role="case_manager")
    assert response.status_code == 403
    assert not CareTeamMember.objects.filter(patient=patient).exists()


def test_physician_manages_only_teams_of_patients_they_see(director, counselor, patient):
    physician = make_staff(Role.PHYSICIAN)
    client = verified_client(physician)
    response = add(client, patient, user=counselor.pk, team_role="case_manager")
    assert response.status_code == 404  # treatment is outside a physician's coverage
    care_team_add(actor=director, patient=patient, user=physician, team_role="attending_physician")
    response = add(client, patient, user=counselor.pk, team_role="case_manager")
    assert response.status_code == 302
    assert CareTeamMember.objects.filter(patient=patient, user=counselor, active=True).exists()
