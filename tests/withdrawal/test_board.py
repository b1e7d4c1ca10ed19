"""The unit board (page and pinned API): who is on it, its order, the gate and the audit."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.privacy.services import break_glass_grant
from openrecovery.records.choices import Stage
from openrecovery.safety.choices import RiskLevel
from openrecovery.safety.services import risk_level_record
from openrecovery.withdrawal.models import CiwabJudgement, Unit
from openrecovery.withdrawal.selectors import unit_board
from openrecovery.withdrawal.services import seizure_precautions_set, unit_assign, vitals_record
from tests.support.factories import make_patient, make_staff, verified_client
from tests.support.queries import queries_of
from tests.support.withdrawal import ciwab_record

pytestmark = pytest.mark.django_db

API = "/api/v1/withdrawal/board"
PATIENT_KEYS = {
    "patient_id", "mrn", "display_name", "ciwab", "next_due_at", "overdue", "open_alerts",
    "seizure_precautions", "suicide_risk_level",
}  # fmt: skip
NORMAL = {
    "systolic": 120, "diastolic": 80, "heart_rate": 80, "temperature": "36.8",
    "respiratory_rate": 16, "spo2": 98,
}  # fmt: skip


def backdate(result, minutes):
    """Move a recorded CIWA-B (and its due time) ``minutes`` into the past."""
    judgement = CiwabJudgement.objects.get(administration=result.administration)
    delta = dt.timedelta(minutes=minutes)
    judgement.administered_at -= delta
    judgement.next_due_at -= delta
    judgement.save()
    return judgement


def in_withdrawal(director, nurse, unit, **fields):
    patient = make_patient(
        actor=director, stage=Stage.WITHDRAWAL_MANAGEMENT, team=[nurse], **fields
    )
    unit_assign(actor=director, patient=patient, unit=unit)
    return patient


def test_the_pinned_fields(patient, nurse, director):
    ciwab_record(patient, nurse, total=12, observer=3)
    seizure_precautions_set(actor=nurse, patient=patient, on=True)
    risk_level_record(
        patient=patient, level=RiskLevel.MODERATE, actor=director, source_type="test", source_id=1
    )
    response = verified_client(nurse).get(API)
    assert response.status_code == 200
    [row] = response.json()["patients"]
    assert set(row) == PATIENT_KEYS
    assert row["patient_id"] == patient.pk and row["mrn"] == patient.mrn
    assert row["display_name"] == patient.display_name
    assert set(row["ciwab"]) == {"total", "band", "patient", "observer", "administered_at"}
    assert (row["ciwab"]["total"], row["ciwab"]["band"]) == (12, "mild")
    assert (row["ciwab"]["patient"], row["ciwab"]["observer"]) == (9, 3)
    assert row["overdue"] is False and row["open_alerts"] == []
    assert row["seizure_precautions"] is True and row["suicide_risk_level"] == "moderate"
    given = dt.datetime.fromisoformat(row["ciwab"]["administered_at"])
    assert dt.datetime.fromisoformat(row["next_due_at"]) == given + dt.timedelta(hours=4)


def test_a_patient_never_assessed_is_overdue_with_no_due_time(patient, nurse):
    [row] = verified_client(nurse).get(API).json()["patients"]
    assert row["ciwab"] is None and row["next_due_at"] is None and row["overdue"] is True
    assert row["suicide_risk_level"] is None and row["seizure_precautions"] is False


def test_most_urgent_first(director, nurse, unit, on_call):
    calm = in_withdrawal(director, nurse, unit, family="Calm")
    soon = in_withdrawal(director, nurse, unit, family="Soon")
    late = in_withdrawal(director, nurse, unit, family="Late")
    alerting = in_withdrawal(director, nurse, unit, family="Alerting")
    ciwab_record(calm, nurse, total=0)  # due in 8 h
    backdate(ciwab_record(soon, nurse, total=5), 200)  # mild: due in 40 min
    backdate(ciwab_record(late, nurse, total=5), 250)  # mild: 10 min overdue
    ciwab_record(alerting, nurse, total=45)  # severe: alert, due in 1 h
    rows = verified_client(nurse).get(API).json()["patients"]
    assert [r["patient_id"] for r in rows] == [alerting.pk, late.pk, soon.pk, calm.pk]
    assert [r["overdue"] for r in rows] == [False, True, False, False]
    assert [a["kind"] for a in rows[0]["open_alerts"]] == ["withdrawal_ciwab"]


def test_one_alert_to_several_recipients_counts_once(patient, nurse, director, physician, on_call):
    second = make_staff(Role.PHYSICIAN, "second_on_call")
    on_call.pk = None
    on_call.physician = second
    on_call.save()
    ciwab_record(patient, nurse, total=45)
    [row] = verified_client(nurse).get(API).json()["patients"]
    assert len(row["open_alerts"]) == 1


def test_only_patients_in_withdrawal_management_are_listed(patient, director, nurse):
    make_patient(actor=director, stage=Stage.TREATMENT, team=[nurse])
    rows = verified_client(nurse).get(API).json()["patients"]
    assert [r["patient_id"] for r in rows] == [patient.pk]


def test_each_patient_passes_the_gate(patient, director, unit):
    counselor = make_staff(Role.COUNSELOR)  # covers no stage, on no team
    assert verified_client(counselor).get(API).json() == {"patients": []}
    break_glass_grant(user=counselor, patient=patient, reason="Patient collapsed in the hall.")
    rows = verified_client(counselor).get(API).json()["patients"]
    assert [r["patient_id"] for r in rows] == [patient.pk]
    editor = make_staff(Role.CONTENT_EDITOR)
    assert verified_client(editor).get(API).json() == {"patients": []}


def test_a_nurse_covering_the_stage_sees_the_unit_without_the_team(patient, unit):
    other_nurse = make_staff(Role.NURSE)
    rows = verified_client(other_nurse).get(API).json()["patients"]
    assert [r["patient_id"] for r in rows] == [patient.pk]


def test_the_read_is_audited_with_the_patients_shown(patient, nurse):
    verified_client(nurse).get(API)
    event = AuditEvent.objects.filter(object_type="withdrawal_board").latest("id")
    assert event.action == "list" and event.actor_id == nurse.pk
    assert event.detail == {"count": 1, "patients": [patient.pk], "via": "api"}
    verified_client(nurse).get(reverse("withdrawal:board"))
    event = AuditEvent.objects.filter(object_type="withdrawal_board").latest("id")
    assert event.detail["via"] == "page" and event.detail["patients"] == [patient.pk]


def test_a_unit_filter(director, nurse, unit, patient):
    other_unit = Unit.objects.create(code="detox-b", name="Detox B")
    elsewhere = in_withdrawal(director, nurse, other_unit)
    rows = verified_client(nurse).get(API, {"unit": "detox-b"}).json()["patients"]
    assert [r["patient_id"] for r in rows] == [elsewhere.pk]
    assert verified_client(nurse).get(API, {"unit": "nowhere"}).status_code == 404


def test_the_board_page_shows_what_the_station_needs(patient, nurse, director, on_call):
    ciwab_record(patient, nurse, total=45, observer=6)
    vitals_record(actor=nurse, patient=patient, values={**NORMAL, "heart_rate": 128})
    seizure_precautions_set(actor=nurse, patient=patient, on=True)
    page = verified_client(nurse).get(reverse("withdrawal:board")).content.decode()
    assert patient.display_name in page and "CIWA-B 45" in page and "Severe" in page
    assert "Patient-rated 39 · observer-rated 6" in page
    assert "Beyond limits: Heart rate" in page and "HR 128" in page
    assert "Seizure precautions" in page and "Suicide risk: not assessed" in page
    assert "Open alert" in page and "board-urgent" in page
    record = reverse("instruments:administer", args=[patient.pk, "ciwab"])
    assert f'href="{record}?next=%2Fwithdrawal%2Fboard%2F"' in page
    assert 'hx-trigger="every 30s"' in page and "X-Background-Refresh" in page


def test_overdue_stands_out_in_words_and_colour(patient, nurse):
    backdate(ciwab_record(patient, nurse, total=5), 300)  # due 4 h after, 1 h ago
    page = verified_client(nurse).get(reverse("withdrawal:board")).content.decode()
    assert "Overdue by 1 h" in page and "text-danger board-overdue" in page


def test_htmx_gets_only_the_rows(patient, nurse):
    response = verified_client(nurse).get(
        reverse("withdrawal:board"), headers={"HX-Request": "true", "X-Background-Refresh": "1"}
    )
    body = response.content.decode()
    assert body.startswith('<div id="board"') and "<html" not in body


def test_recording_from_the_board_reaches_the_form_in_one_click(patient, nurse):
    client = verified_client(nurse)
    page = client.get(reverse("withdrawal:board")).content.decode()
    record = reverse("instruments:administer", args=[patient.pk, "ciwab"])
    assert record in page
    form = client.get(record).content.decode()
    assert "data-subtotal-items" in form and "Patient-rated (items 1-17)" in form


def test_the_navbar_links_the_board_for_roles_that_use_it(patient, nurse, physician, director):
    board = f'href="{reverse("withdrawal:board")}"'
    for user in (nurse, physician):
        page = verified_client(user).get("/").content.decode()
        assert "Withdrawal board</a>" in page and board in page
    # The director's navigation row is full: their dashboard links the board instead.
    page = verified_client(director).get("/").content.decode()
    assert "Open the withdrawal board" in page and board in page
    counselor = make_staff(Role.COUNSELOR)
    assert "Withdrawal board" not in verified_client(counselor).get("/").content.decode()


def _world(director, nurse, unit, n):
    physician = make_staff(Role.PHYSICIAN)
    for i in range(n):
        p = in_withdrawal(director, nurse, unit)
        for total in (5, 12, 25)[: 1 + i % 3]:
            ciwab_record(p, nurse, total=total)
        vitals_record(actor=nurse, patient=p, values=NORMAL)
        if i % 2:
            seizure_precautions_set(actor=nurse, patient=p, on=True)
        if i % 3 == 0:
            risk_level_record(
                patient=p, level=RiskLevel.LOW, actor=director, source_type="test", source_id=i
            )
    return physician


@pytest.mark.parametrize("url", [reverse("withdrawal:board"), API])
def test_a_constant_number_of_queries_as_patients_grow(director, nurse, unit, url):
    _world(director, nurse, unit, 2)
    small, _ = queries_of(verified_client(nurse), url)
    _world(director, nurse, unit, 12)
    large, sql = queries_of(verified_client(nurse), url)
    assert small == large, sql


def test_the_page_stays_within_its_query_budget(
    director, nurse, unit, django_assert_max_num_queries
):
    _world(director, nurse, unit, 8)
    client = verified_client(nurse)
    client.get(reverse("withdrawal:board"))
    # Session, user, TOTP device; patients, CIWA-B, vitals, alerts, units; taper orders,
    # medication orders, dose records (the medication record); the audit event
    # (three statements on SQLite, one on PostgreSQL once the lane's head is known).
    with django_assert_max_num_queries(14):
        client.get(reverse("withdrawal:board"))


def test_the_selector_orders_by_due_time_without_alerts(director, nurse, unit):
    a = in_withdrawal(director, nurse, unit)
    b = in_withdrawal(director, nurse, unit)
    ciwab_record(a, nurse, total=0)  # due in 8 h
    ciwab_record(b, nurse, total=25)  # due in 2 h
    rows = unit_board(nurse, now=timezone.now())
    assert [r.patient.pk for r in rows] == [b.pk, a.pk]


def test_the_chart_links_the_observations_in_withdrawal_management(patient, nurse, director):
    page = verified_client(nurse).get(reverse("chart:chart", args=[patient.pk])).content.decode()
    assert reverse("withdrawal:patient", args=[patient.pk]) in page
    other = make_patient(actor=director, stage=Stage.TREATMENT, team=[nurse])
    page = verified_client(nurse).get(reverse("chart:chart", args=[other.pk])).content.decode()
    assert "Withdrawal observations" not in page


def test_past_the_limit_the_least_urgent_are_left_off(director, nurse, unit, on_call, monkeypatch):
    calm = in_withdrawal(director, nurse, unit)
    late = in_withdrawal(director, nurse, unit)
    alerting = in_withdrawal(director, nurse, unit)
    ciwab_record(calm, nurse, total=0)
    backdate(ciwab_record(late, nurse, total=5), 250)
    ciwab_record(alerting, nurse, total=45)
    monkeypatch.setattr("openrecovery.withdrawal.selectors.BOARD_LIMIT", 2)
    # The limit is part of the prepared SQL: prepare the query again.
    monkeypatch.setattr("openrecovery.withdrawal.selectors._BOARD_QUERIES", {})
    rows = unit_board(nurse)
    assert [r.patient.pk for r in rows] == [alerting.pk, late.pk]


@pytest.mark.parametrize("code", ["nowhere", "Sam\x00", "a b"])
def test_an_unknown_or_odd_unit_is_404_on_the_page(patient, nurse, code):
    response = verified_client(nurse).get(reverse("withdrawal:board"), {"unit": code})
    assert response.status_code == 404


def test_a_ciwab_recorded_from_the_board_returns_to_it(patient, nurse, unit):
    client = verified_client(nurse)
    board = f"{reverse('withdrawal:board')}?unit={unit.code}"
    page = client.get(board).content.decode()
    record = reverse("instruments:administer", args=[patient.pk, "ciwab"])
    link = f"{record}?next=%2Fwithdrawal%2Fboard%2F%3Funit%3D{unit.code}"
    assert f'href="{link}"' in page
    form = client.get(link).content.decode()
    assert f'name="next" value="{board}"' in form
    answers = {f"item_{n}": "1" for n in range(1, 21)}
    response = client.post(link, {**answers, "next": board})
    assert response.status_code == 302 and response.url == board
    assert CiwabJudgement.objects.get(patient=patient).total == 20
    # A return address off the site is ignored: back to the chart.
    response = client.post(record, {**answers, "next": "https://evil.example/"})
    assert response.url == reverse("chart:chart", args=[patient.pk])
