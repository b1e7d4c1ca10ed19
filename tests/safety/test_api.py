"""The pinned administrations and safety endpoints of the JSON API."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.accounts.tokens import api_token_create
from openrecovery.audit.models import AuditEvent
from openrecovery.instruments.models import Administration
from openrecovery.records.models import ClinicalTask
from tests.support.factories import make_staff
from tests.support.instruments import CSSRS_HIGH, PHQ9_ITEM9

pytestmark = pytest.mark.django_db


def bearer_client(user) -> tuple[Client, dict[str, str]]:
    _, token = api_token_create(actor=None, user=user, name="test")
    return Client(enforce_csrf_checks=True), {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post_administration(user, patient, body):
    client, auth = bearer_client(user)
    response = client.post(
        f"/api/v1/patients/{patient.pk}/administrations",
        json.dumps(body),
        content_type="application/json",
        **auth,
    )
    return response.status_code, response.json()


def test_a_positive_phq9_is_stored_and_says_what_it_opened(patient, nurse):
    mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    status, body = post_administration(nurse, patient, {"code": "phq9", "answers": PHQ9_ITEM9})
    assert status == 201
    saved = Administration.objects.get()
    task = ClinicalTask.objects.get()
    assert body == {
        "id": saved.pk, "code": "phq9", "total": 9, "band": "mild", "flags": ["suicide_risk"],
        "subscales": {}, "administered_at": body["administered_at"],
        "opened_tasks": [{"kind": "cssrs_owed", "id": task.pk}], "alerts": [],
    }  # fmt: skip
    given = dt.datetime.fromisoformat(body["administered_at"])
    assert abs(given - saved.administered_at) < dt.timedelta(milliseconds=1)
    created = AuditEvent.objects.filter(
        object_type="instrument_administration", object_id=str(saved.pk), action="create"
    )
    assert created.count() == 1
    assert AuditEvent.objects.filter(pk__gt=mark, action="view", patient_id=patient.pk).exists()


def test_a_high_cssrs_reports_its_alerts(patient, nurse, counselor):
    status, body = post_administration(counselor, patient, {"code": "cssrs", "answers": CSSRS_HIGH})
    assert status == 201
    assert {a["kind"] for a in body["alerts"]} == {"suicide_risk_high"}
    assert len(body["alerts"]) == 2  # one per care-team member
    assert [t["kind"] for t in body["opened_tasks"]] == ["safety_plan_owed"]


def test_administered_at_may_be_a_little_in_the_past_only(patient, nurse):
    earlier = timezone.now() - dt.timedelta(hours=3)
    body = {"code": "phq9", "answers": PHQ9_ITEM9, "administered_at": earlier.isoformat()}
    status, out = post_administration(nurse, patient, body)
    assert status == 201
    given = dt.datetime.fromisoformat(out["administered_at"])
    assert abs(given - earlier) < dt.timedelta(milliseconds=1)
    for when, fragment in [
        (timezone.now() + dt.timedelta(hours=1), "in the future"),
        (timezone.now() - dt.timedelta(hours=25), "at most 24 hours"),
    ]:
        body["administered_at"] = when.isoformat()
        status, out = post_administration(nurse, patient, body)
        assert status == 422 and fragment in out["detail"][0]["message"]
    body["administered_at"] = "2026-12-01T10:00:00"  # no time zone
    status, out = post_administration(nurse, patient, body)
    assert status == 422 and "administered_at" in out["detail"][0]["message"]
    assert Administration.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "item", "fragment"),
    [
        ({"code": "phq9", "answers": [0, 0, 4, 0, 0, 0, 0, 0, 0]}, "3", "not one of"),
        ({"code": "phq9", "answers": [0] * 8}, "", "expected 9 to 10 answers"),
        ({"code": "nope", "answers": [0]}, "", "code: No instrument has this code."),
        ({"answers": [0] * 9}, "", "code: Field required"),
        ({"code": "dsm5-sedative", "answers": [0] * 11}, "", "context.medically_supervised"),
        ({"code": "phq9", "answers": [0] * 9, "extra": 1}, "", "extra"),
    ],
)
def test_bad_answers_are_422_naming_the_item(patient, nurse, body, item, fragment):
    status, out = post_administration(nurse, patient, body)
    assert status == 422
    assert out["detail"][0]["item"] == item and fragment in out["detail"][0]["message"]
    assert not Administration.objects.exists() and not ClinicalTask.objects.exists()


def test_a_patient_outside_the_gate_is_404_and_a_role_without_the_permission_403(patient):
    outsider = make_staff(Role.COUNSELOR)
    status, _ = post_administration(outsider, patient, {"code": "phq9", "answers": PHQ9_ITEM9})
    assert status == 404
    editor = make_staff(Role.CONTENT_EDITOR)
    status, _ = post_administration(editor, patient, {"code": "phq9", "answers": PHQ9_ITEM9})
    assert status == 404  # no role without the permission may open charts today
    assert not Administration.objects.exists()


def test_a_role_that_sees_the_chart_but_may_not_administer_gets_403(patient, nurse, monkeypatch):
    from openrecovery.accounts.models import User

    allowed = User.has_perm
    monkeypatch.setattr(
        User,
        "has_perm",
        lambda self, perm, obj=None: (
            perm != "instruments.administer_instrument" and allowed(self, perm, obj)
        ),
    )
    status, out = post_administration(nurse, patient, {"code": "phq9", "answers": PHQ9_ITEM9})
    assert (status, out["detail"]) == (403, "Your role may not record instrument administrations.")
    assert not Administration.objects.exists()


def get_safety(user, patient):
    client, auth = bearer_client(user)
    response = client.get(f"/api/v1/patients/{patient.pk}/safety", **auth)
    return response.status_code, response.json()


def test_safety_before_any_screen(patient, nurse):
    assert get_safety(nurse, patient) == (
        200,
        {"risk_level": None, "assessed_at": None, "open_tasks": [], "open_alerts": [],
         "safety_plan": None},
    )  # fmt: skip


def test_safety_shows_the_level_tasks_and_alerts(patient, nurse, counselor):
    post_administration(nurse, patient, {"code": "phq9", "answers": PHQ9_ITEM9})
    status, body = get_safety(counselor, patient)
    assert [t["kind"] for t in body["open_tasks"]] == ["cssrs_owed"]
    task = body["open_tasks"][0]
    opened, due = (dt.datetime.fromisoformat(task[k]) for k in ("opened_at", "due_at"))
    assert due - opened == dt.timedelta(hours=1)
    _, high = post_administration(counselor, patient, {"code": "cssrs", "answers": CSSRS_HIGH})
    status, body = get_safety(nurse, patient)
    assert status == 200
    assert body["risk_level"] == "high"
    assert dt.datetime.fromisoformat(body["assessed_at"]) == dt.datetime.fromisoformat(
        high["administered_at"]
    )
    assert [t["kind"] for t in body["open_tasks"]] == ["safety_plan_owed"]  # C-SSRS closed it
    [alert] = body["open_alerts"]  # two copies (one per recipient), one alert
    assert (alert["kind"], alert["severity"]) == ("suicide_risk_high", "urgent")
    reads = AuditEvent.objects.filter(
        action="view", patient_id=patient.pk, object_type="suicide_risk_level"
    )
    assert reads.count() == 2


def test_safety_of_a_patient_outside_the_gate_is_404(patient):
    assert get_safety(make_staff(Role.COUNSELOR), patient)[0] == 404


@pytest.mark.django_db(transaction=True)
def test_refusals_and_bad_answers_keep_their_audit_event_and_store_nothing(patient, nurse):
    """The gate's event and the record share one commit; a failure keeps the event only."""
    outsider = make_staff(Role.COUNSELOR)
    status, _ = post_administration(outsider, patient, {"code": "phq9", "answers": PHQ9_ITEM9})
    assert status == 404
    assert AuditEvent.objects.filter(
        action="access_denied", actor_id=outsider.pk, object_id=str(patient.pk)
    ).exists()
    mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    bad = {"code": "phq9", "answers": [0, 0, 4, 0, 0, 0, 0, 0, 0]}
    status, _ = post_administration(nurse, patient, bad)
    assert status == 422
    read = AuditEvent.objects.filter(pk__gt=mark, actor_id=nurse.pk, patient_id=patient.pk)
    assert list(read.values_list("action", flat=True)) == ["view"]
    assert not Administration.objects.exists() and not ClinicalTask.objects.exists()
    status, _ = post_administration(nurse, patient, {"code": "phq9", "answers": PHQ9_ITEM9})
    assert status == 201
    assert Administration.objects.count() == 1 and ClinicalTask.objects.count() == 1


def _signed_plan(patient, counselor):
    from openrecovery.safety.services import safety_plan_draft, safety_plan_save, safety_plan_sign

    plan = safety_plan_draft(actor=counselor, patient=patient)
    safety_plan_save(actor=counselor, plan=plan, data=PLAN_COMPLETE)
    return safety_plan_sign(actor=counselor, plan=plan, patient_signed_name="Ada Lovelace")


PLAN_COMPLETE = {
    "warning_signs": "Not sleeping.",
    "coping_strategies": "Walk the dog.",
    "means_medications": "My sister holds my medication.",
}


def test_safety_plan_is_the_newest_signed_version_never_a_draft(patient, nurse, counselor):
    from openrecovery.safety.services import safety_plan_draft

    draft = safety_plan_draft(actor=counselor, patient=patient)
    assert get_safety(nurse, patient)[1]["safety_plan"] is None  # a draft is not a plan
    first = _signed_plan(patient, counselor)
    assert first.pk == draft.pk
    body = get_safety(nurse, patient)[1]
    assert body["safety_plan"]["version"] == 1
    signed_at = dt.datetime.fromisoformat(body["safety_plan"]["signed_at"])
    assert abs(signed_at - first.signed_at) < dt.timedelta(milliseconds=1)
    safety_plan_draft(actor=counselor, patient=patient)  # a revision, not signed yet
    assert get_safety(nurse, patient)[1]["safety_plan"]["version"] == 1
    second = _signed_plan(patient, counselor)
    body = get_safety(nurse, patient)[1]
    assert (body["safety_plan"]["version"], second.version) == (2, 2)
    signed_at = dt.datetime.fromisoformat(body["safety_plan"]["signed_at"])
    assert abs(signed_at - second.signed_at) < dt.timedelta(milliseconds=1)
    assert set(body) == {"risk_level", "assessed_at", "open_tasks", "open_alerts", "safety_plan"}


def test_safety_reads_in_constant_queries(patient, nurse, counselor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        client, auth = bearer_client(nurse)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/patients/{patient.pk}/safety", **auth).status_code == 200
        return len(queries)

    post_administration(nurse, patient, {"code": "phq9", "answers": PHQ9_ITEM9})
    post_administration(counselor, patient, {"code": "cssrs", "answers": CSSRS_HIGH})
    _signed_plan(patient, counselor)
    few = count()
    for _ in range(3):
        post_administration(counselor, patient, {"code": "cssrs", "answers": CSSRS_HIGH})
        _signed_plan(patient, counselor)
    post_administration(nurse, patient, {"code": "phq9", "answers": PHQ9_ITEM9})
    assert count() == few
