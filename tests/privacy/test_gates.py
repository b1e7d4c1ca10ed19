"""The access gates: who sees which patient, and what everyone else sees instead."""

import pytest
from django.http import Http404
from django.urls import reverse

from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action, Outcome
from openrecovery.privacy.choices import AccessBasis
from openrecovery.privacy.gates import access_basis, access_patient_by_id, patients_visible_to
from openrecovery.records.choices import Stage
from openrecovery.records.models import Patient
from openrecovery.records.services import care_team_remove
from tests.support.audit import audit_mark, events_since
from tests.support.factories import make_patient, make_staff, verified_client
from tests.support.pages import page_text

UNKNOWN_ID = 987_654_321


def chart(client, patient_id: int):
    return client.get(reverse("chart:chart", args=[patient_id]))


def test_care_team_member_sees_the_chart(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    response = chart(verified_client(counselor), patient.pk)
    assert response.status_code == 200
    assert patient.legal_family_name in response.content.decode()
    assert access_basis(counselor, patient) == AccessBasis.CARE_TEAM


def test_non_member_gets_the_same_404_as_an_unknown_id(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT)
    client = verified_client(counselor)
    hidden, unknown, huge = (
        chart(client, patient.pk),
        chart(client, UNKNOWN_ID),
        chart(client, 2**64),
    )
    assert hidden.status_code == unknown.status_code == huge.status_code == 404
    assert page_text(hidden) == page_text(unknown) == page_text(huge)
    assert patient.legal_family_name not in hidden.content.decode()
    assert patient.mrn not in hidden.content.decode()


@pytest.mark.parametrize("name", ["chart:chart", "chart:print", "chart:timeline"])
def test_every_patient_page_is_gated(director, counselor, name):
    patient = make_patient(actor=director, stage=Stage.TREATMENT)
    response = verified_client(counselor).get(reverse(name, args=[patient.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("chart:stage_move", {"to_stage": "aftercare", "reason": "Done"}),
        ("chart:care_team_add", {"team_role": "primary_nurse"}),
    ],
)
def test_every_patient_write_is_gated(director, name, data):
    physician = make_staff(Role.PHYSICIAN)
    patient = make_patient(actor=director, stage=Stage.TREATMENT)
    before = patient.episodes.get().stage, patient.care_team.count()
    response = verified_client(physician).post(reverse(name, args=[patient.pk]), data)
    assert response.status_code == 404
    assert (patient.episodes.get().stage, patient.care_team.count()) == before


COVERAGE = [
    (Role.ADMISSIONS_COORDINATOR, {Stage.INQUIRY, Stage.ASSESSMENT}),
    (Role.NURSE, {Stage.WITHDRAWAL_MANAGEMENT}),
    (Role.PHYSICIAN, {Stage.WITHDRAWAL_MANAGEMENT}),
    (Role.COUNSELOR, set()),
    (Role.CLINICAL_DIRECTOR, set(Stage)),
]


@pytest.mark.parametrize(("role", "covered"), COVERAGE)
def test_role_covers_the_stages_of_its_program(patients_by_stage, role, covered):
    user = make_staff(role)
    client = verified_client(user)
    for stage, patient in patients_by_stage.items():
        expected = 200 if stage in covered else 404
        assert chart(client, patient.pk).status_code == expected, (role, stage)
        basis = AccessBasis.COVERAGE if stage in covered else None
        assert access_basis(user, patient) == basis
    visible = set(patients_visible_to(user).values_list("pk", flat=True))
    assert visible & {p.pk for p in patients_by_stage.values()} == {
        patients_by_stage[s].pk for s in covered
    }


def test_coverage_follows_the_episode_when_it_moves(director, admissions):
    from openrecovery.records.services import episode_move_stage

    patient = make_patient(actor=director, stage=Stage.ASSESSMENT)
    client = verified_client(admissions)
    assert chart(client, patient.pk).status_code == 200
    episode_move_stage(
        actor=director, episode=patient.episodes.get(), to_stage=Stage.TREATMENT, reason="Ready"
    )
    assert chart(client, patient.pk).status_code == 404


@pytest.mark.parametrize("role", [Role.CONTENT_EDITOR, Role.ADMINISTRATOR, Role.MEDICAL_REVIEWER])
def test_non_clinical_roles_never_see_charts(patients_by_stage, role):
    user = make_staff(role)
    client = verified_client(user)
    patient = patients_by_stage[Stage.INQUIRY]
    for name in ("chart:chart", "chart:print", "chart:timeline"):
        response = client.get(reverse(name, args=[patient.pk]))
        assert response.status_code == 403
        body = response.content.decode()
        assert patient.legal_family_name not in body
        assert patient.mrn not in body
    assert client.post(reverse("chart:search"), {"q": patient.mrn}).status_code == 403
    api = client.get(f"/api/v1/patients/{patient.pk}")
    assert api.status_code == 404
    assert patient.mrn not in api.content.decode()
    assert not patients_visible_to(user).exists()
    with pytest.raises(Http404):
        access_patient_by_id(user, patient.pk)


def test_403_page_carries_no_patient_data(director, administrator):
    patient = make_patient(
        actor=director, stage=Stage.TREATMENT, given="Zebedee", family="Quillfeather"
    )
    response = verified_client(administrator).get(reverse("chart:print", args=[patient.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    for value in ("Zebedee", "Quillfeather", patient.mrn, str(patient.date_of_birth)):
        assert value not in body


def test_removed_member_loses_access(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    client = verified_client(counselor)
    assert chart(client, patient.pk).status_code == 200
    care_team_remove(actor=director, member=patient.care_team.get(user=counselor, active=True))
    assert chart(client, patient.pk).status_code == 404
    assert patient not in patients_visible_to(counselor)
    dashboard = client.get(reverse("chart:dashboard")).content.decode()
    assert patient.legal_family_name not in dashboard


def test_lists_and_search_show_only_visible_patients(director, counselor):
    mine = make_patient(
        actor=director, stage=Stage.TREATMENT, team=[counselor], family="Sharedname"
    )
    other = make_patient(actor=director, stage=Stage.TREATMENT, family="Sharedname")
    client = verified_client(counselor)
    dashboard = client.get(reverse("chart:dashboard")).content.decode()
    assert mine.mrn in dashboard
    assert other.mrn not in dashboard
    found = client.post(reverse("chart:search"), {"q": "sharedname"}, follow=True)
    assert [p.pk for p in found.context["results"]] == [mine.pk]
    by_mrn = client.post(reverse("chart:search"), {"q": other.mrn}, follow=True)
    assert by_mrn.context["results"] == []
    assert other.legal_given_name not in by_mrn.content.decode()
    api = client.post(
        "/api/v1/patients/search", {"q": "Sharedname"}, content_type="application/json"
    )
    assert [p["id"] for p in api.json()] == [mine.pk]


def test_gate_audits_the_refusal_and_the_read(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    stranger = make_patient(actor=director, stage=Stage.TREATMENT)
    mark = audit_mark()
    assert access_patient_by_id(counselor, patient.pk, purpose="operations") == patient
    with pytest.raises(Http404):
        access_patient_by_id(counselor, stranger.pk)
    with pytest.raises(Http404):
        access_patient_by_id(counselor, UNKNOWN_ID)
    events = events_since(mark)
    assert [(e.action, e.patient_id, e.outcome, e.purpose) for e in events] == [
        (Action.VIEW, patient.pk, Outcome.SUCCESS, "operations"),
        (Action.ACCESS_DENIED, stranger.pk, Outcome.DENIED, "treatment"),
        (Action.ACCESS_DENIED, None, Outcome.DENIED, "treatment"),
    ]
    assert events[2].object_id == str(UNKNOWN_ID)


class TestApiPatient:
    """GET /api/v1/patients/{id} follows the same rules as the chart."""

    def test_member_gets_the_patient(self, director, counselor):
        patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
        response = verified_client(counselor).get(f"/api/v1/patients/{patient.pk}")
        assert response.status_code == 200
        body = response.json()
        assert (body["id"], body["mrn"]) == (patient.pk, patient.mrn)
        assert body["current_episode"]["stage"] == "treatment"

    def test_others_get_the_same_404_as_unknown(self, director, counselor):
        patient = make_patient(actor=director, stage=Stage.TREATMENT)
        client = verified_client(counselor)
        hidden = client.get(f"/api/v1/patients/{patient.pk}")
        unknown = client.get(f"/api/v1/patients/{UNKNOWN_ID}")
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.json() == unknown.json() == {"detail": "Not found."}

    def test_coverage_applies(self, patients_by_stage, nurse):
        client = verified_client(nurse)
        for stage, patient in patients_by_stage.items():
            expected = 200 if stage == Stage.WITHDRAWAL_MANAGEMENT else 404
            assert client.get(f"/api/v1/patients/{patient.pk}").status_code == expected

    @pytest.mark.parametrize("bad", ["abc", "0", "-1", str(2**63), "1.5", "true"])
    def test_malformed_ids_are_rejected_without_a_500(self, counselor, bad):
        response = verified_client(counselor).get(f"/api/v1/patients/{bad}")
        assert response.status_code in (404, 422)

    def test_anonymous_is_refused(self, client, director):
        patient = make_patient(actor=director)
        assert client.get(f"/api/v1/patients/{patient.pk}").status_code == 401


def test_patients_visible_to_matches_access_basis(patients_by_stage, counselor, director):
    team_patient = make_patient(actor=director, stage=Stage.AFTERCARE, team=[counselor])
    for role in (Role.NURSE, Role.ADMISSIONS_COORDINATOR, Role.CLINICAL_DIRECTOR):
        user = make_staff(role)
        visible = set(patients_visible_to(user).values_list("pk", flat=True))
        for patient in Patient.objects.all():
            assert (patient.pk in visible) == (access_basis(user, patient) is not None)
    assert set(patients_visible_to(counselor)) == {team_patient}
