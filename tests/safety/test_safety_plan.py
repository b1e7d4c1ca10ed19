"""The safety plan: drafted with the patient, signed by both, versioned, printable."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import StateConflict
from openrecovery.instruments.services import administration_recorded
from openrecovery.records.choices import TaskKind, TaskStatus
from openrecovery.records.models import ClinicalTask
from openrecovery.records.services import care_team_add
from openrecovery.safety.models import SafetyPlan
from openrecovery.safety.services import safety_plan_draft, safety_plan_save, safety_plan_sign
from tests.support.factories import make_staff, verified_client
from tests.support.instruments import CSSRS_MODERATE

pytestmark = pytest.mark.django_db

COMPLETE = {
    "warning_signs": "Not sleeping; pulling away from my sister.",
    "coping_strategies": "Walk the dog; breathing exercise.",
    "means_medications": "My sister holds my clonazepam and gives me each day's dose.",
}


def plan_url(patient, name="plan"):
    return reverse(f"safety:{name}", args=[patient.pk])


def form_body(**fields):
    body = {
        "crisis_1_name": "OpenRecovery Demo Program (24/7)", "crisis_1_phone": "1-800-555-0100",
        "crisis_2_name": "988 Suicide & Crisis Lifeline", "crisis_2_phone": "988",
    }  # fmt: skip
    return body | fields


def test_a_first_draft_starts_with_the_crisis_lines(patient, counselor):
    plan = safety_plan_draft(actor=counselor, patient=patient)
    assert plan.version == 1 and not plan.is_signed
    phones = [c["phone"] for c in plan.crisis_contacts]
    assert phones[1:] == ["988", "911"] and phones[0]  # the program's own line first
    assert safety_plan_draft(actor=counselor, patient=patient) == plan  # one draft at a time


def test_signing_needs_each_part_and_the_patients_signature(patient, counselor):
    plan = safety_plan_draft(actor=counselor, patient=patient)
    with pytest.raises(ValidationError) as error:
        safety_plan_sign(actor=counselor, plan=plan, patient_signed_name=" ")
    assert set(error.value.message_dict) == {
        "warning_signs", "coping_strategies", "means_medications", "patient_signed_name",
    }  # fmt: skip
    safety_plan_save(actor=counselor, plan=plan, data=COMPLETE)
    signed = safety_plan_sign(actor=counselor, plan=plan, patient_signed_name="Ada Lovelace")
    assert (signed.signed_by, signed.patient_signed_name) == (counselor, "Ada Lovelace")
    with pytest.raises(StateConflict):
        safety_plan_save(actor=counselor, plan=signed, data={"warning_signs": "changed"})
    audited = AuditEvent.objects.filter(object_type="safety_plan", object_id=str(plan.pk))
    assert audited.count() == 3  # created, saved, signed
    assert "sister" not in str(list(audited.values_list("detail", flat=True)))


def test_a_revision_is_a_new_version_copied_from_the_last(patient, counselor):
    first = safety_plan_draft(actor=counselor, patient=patient)
    safety_plan_save(actor=counselor, plan=first, data=COMPLETE)
    safety_plan_sign(actor=counselor, plan=first, patient_signed_name="Ada Lovelace")
    second = safety_plan_draft(actor=counselor, patient=patient)
    assert second.version == 2 and second.warning_signs == COMPLETE["warning_signs"]
    first.refresh_from_db()
    assert first.is_signed and first.warning_signs == COMPLETE["warning_signs"]


def test_signing_closes_the_owed_safety_plan(patient, nurse, counselor):
    administration_recorded(actor=nurse, patient=patient, code="cssrs", answers=CSSRS_MODERATE)
    plan = safety_plan_draft(actor=counselor, patient=patient)
    safety_plan_save(actor=counselor, plan=plan, data=COMPLETE)
    safety_plan_sign(actor=counselor, plan=plan, patient_signed_name="Ada Lovelace")
    owed = ClinicalTask.objects.get(kind=TaskKind.SAFETY_PLAN_OWED)
    assert (owed.status, owed.closed_source_type, owed.closed_source_id) == (
        TaskStatus.DONE, "safety_plan", str(plan.pk),
    )  # fmt: skip
    consult = ClinicalTask.objects.get(kind=TaskKind.BH_CONSULT)
    assert consult.status == TaskStatus.OPEN  # a plan is not a consult


def test_the_page_drafts_saves_signs_and_prints(patient, counselor):
    client = verified_client(counselor)
    page = client.get(plan_url(patient)).content.decode()
    assert "No signed safety plan yet." in page and "Start a safety plan" in page
    unsigned_print = client.get(plan_url(patient, "plan_print")).content.decode()
    assert 'id="no-plan"' in unsigned_print and 'href="tel:988"' in unsigned_print
    assert client.post(plan_url(patient), {"action": "start"}).status_code == 302
    page = client.get(plan_url(patient)).content.decode()
    assert "Draft: version 1" in page and 'value="988"' in page and 'value="911"' in page
    missing_phone = client.post(
        plan_url(patient), form_body(action="save", help_1_name="My sister")
    )
    assert missing_phone.status_code == 422
    assert "Add a phone number for My sister, or clear the name." in missing_phone.content.decode()
    unsigned = client.post(plan_url(patient), form_body(action="sign", **COMPLETE))
    assert unsigned.status_code == 422
    assert "This field is required." in unsigned.content.decode()
    body = form_body(
        action="sign", patient_signed_name="Ada Lovelace", help_1_name="My sister",
        help_1_phone="555-0142", **COMPLETE,
    )  # fmt: skip
    assert client.post(plan_url(patient), body).status_code == 302
    plan = SafetyPlan.objects.get()
    assert plan.is_signed and plan.help_contacts == [{"name": "My sister", "phone": "555-0142"}]
    printed = client.get(plan_url(patient, "plan_print")).content.decode()
    assert "My safety plan" in printed and "Walk the dog" in printed
    assert 'href="tel:988"' in printed and 'href="tel:911"' in printed
    assert "stopping a benzodiazepine suddenly can cause seizures" in printed
    assert "Revise the plan (new version)" in client.get(plan_url(patient)).content.decode()


def test_who_may_see_and_write_plans(patient, coordinator):
    outsider = make_staff(Role.COUNSELOR)
    assert verified_client(outsider).get(plan_url(patient)).status_code == 404
    care_team_add(actor=None, patient=patient, user=coordinator, team_role="admissions")
    client = verified_client(coordinator)
    page = client.get(plan_url(patient))
    assert page.status_code == 200 and "Start a safety plan" not in page.content.decode()
    assert client.post(plan_url(patient), {"action": "start"}).status_code == 403
    assert not SafetyPlan.objects.exists()
    assert verified_client(outsider).get(plan_url(patient, "plan_print")).status_code == 404
