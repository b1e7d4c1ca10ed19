"""The dashboard: my patients by stage, then the episodes my role covers."""

from django.urls import reverse

from openrecovery.accounts.roles import Role
from openrecovery.records.choices import DischargeType, Stage
from tests.support.factories import discharge, make_patient, make_staff, verified_client


def groups_of(response) -> dict[str, list[int]]:
    return {g.stage: [e.patient_id for e in g.episodes] for g in response.context["groups"]}


def test_my_patients_grouped_by_stage(director, counselor):
    inquiry = make_patient(actor=director, stage=Stage.INQUIRY, team=[counselor])
    treatment = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    aftercare = make_patient(actor=director, stage=Stage.AFTERCARE, team=[counselor])
    make_patient(actor=director, stage=Stage.TREATMENT)  # not mine
    response = verified_client(counselor).get(reverse("chart:dashboard"))
    assert response.status_code == 200
    assert groups_of(response) == {
        "inquiry": [inquiry.pk],
        "assessment": [],
        "withdrawal_management": [],
        "treatment": [treatment.pk],
        "aftercare": [aftercare.pk],
    }
    assert response.context["covered"] == []
    body = response.content.decode()
    for patient in (inquiry, treatment, aftercare):
        assert patient.mrn in body


def test_closed_episodes_leave_the_dashboard(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    discharge(patient, actor=director, reason="Completed", discharge_type=DischargeType.COMPLETED)
    response = verified_client(counselor).get(reverse("chart:dashboard"))
    assert all(not ids for ids in groups_of(response).values())
    assert patient.mrn not in response.content.decode()


def test_covered_episodes_are_listed_apart_from_mine(director):
    nurse = make_staff(Role.NURSE)
    mine = make_patient(actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[nurse])
    covered = make_patient(actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT)
    outside = make_patient(actor=director, stage=Stage.TREATMENT)
    response = verified_client(nurse).get(reverse("chart:dashboard"))
    assert groups_of(response)["withdrawal_management"] == [mine.pk]
    assert [e.patient_id for e in response.context["covered"]] == [covered.pk]
    assert outside.mrn not in response.content.decode()


def test_non_clinical_roles_see_an_empty_dashboard_and_no_list_is_audited(director):
    from openrecovery.audit.choices import Action
    from tests.support.audit import audit_mark, events_since

    make_patient(actor=director, stage=Stage.INQUIRY)
    editor = make_staff(Role.CONTENT_EDITOR)
    mark = audit_mark()
    response = verified_client(editor).get(reverse("chart:dashboard"))
    assert response.status_code == 200
    assert response.context["covered"] == []
    assert not events_since(mark, action=Action.LIST)


def test_dashboard_needs_sign_in(client):
    response = client.get(reverse("chart:dashboard"))
    assert response.status_code == 302


def test_a_visitor_at_the_root_gets_the_public_help_pages_not_a_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("helpline:public:home")
    home = client.get(response.url).content.decode()
    assert "988" in home and "1-800-662-4357" in home
    assert f'href="{reverse("accounts:login")}"' in home  # staff sign-in stays one link away


def test_signed_in_staff_still_get_their_dashboard_at_the_root(counselor):
    response = verified_client(counselor).get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "chart/dashboard.html"


def _alert_list_reads(captured) -> list[str]:
    # The list's own query reads the alerts table first (the cards only mention it in a
    # subquery of the episodes' query).
    return [q["sql"] for q in captured if q["sql"].startswith('SELECT "records_clinicalalert"')]


def test_my_alerts_are_listed_only_when_one_waits_and_the_next_view_shows_a_new_one(
    director, counselor
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.support.records import urgent_alert

    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    client = verified_client(counselor)
    with CaptureQueriesContext(connection) as captured:
        first = client.get(reverse("chart:dashboard"))
    assert first.context["alerts"] == []
    assert _alert_list_reads(captured.captured_queries) == []  # nothing waits: not read
    alert = urgent_alert(patient, counselor)
    with CaptureQueriesContext(connection) as captured:
        second = client.get(reverse("chart:dashboard"))
    assert [a.pk for a in second.context["alerts"]] == [alert.pk]
    assert len(_alert_list_reads(captured.captured_queries)) == 1
    assert 'id="alert-count">1<' in second.content.decode()
