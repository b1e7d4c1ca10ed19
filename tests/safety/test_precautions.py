"""Immediate safety precautions: opened by a high level, each step timed, audited, once."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.roles import ROLE_PERMISSIONS, Role
from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.instruments.services import administration_recorded
from openrecovery.records.choices import TimelineKind
from openrecovery.records.models import TimelineEvent
from openrecovery.records.services import care_team_add
from openrecovery.safety.models import PrecautionChecklist, PrecautionStep
from openrecovery.safety.selectors import safety_summary
from openrecovery.safety.services import precaution_step_complete
from openrecovery.safety.triage import DEFAULT_PRECAUTIONS, PRECAUTIONS_SOURCE, PrecautionRule
from tests.support.factories import make_patient, make_staff, verified_client
from tests.support.instruments import CSSRS_HIGH, CSSRS_LOW, CSSRS_MODERATE

pytestmark = pytest.mark.django_db

STEPS = ["observation", "environment", "physician"]


def record(actor, patient, answers=CSSRS_HIGH):
    return administration_recorded(actor=actor, patient=patient, code="cssrs", answers=answers)


def checklist_notices(result, patient):
    """The notices that point to the checklist (each level also says what it calls for)."""
    return [n for n in result.follow_up.notices if n.url == url(patient)]


def url(patient):
    return reverse("safety:precautions", args=[patient.pk])


def test_a_high_level_opens_one_checklist_of_the_three_steps(patient, counselor):
    result = record(counselor, patient)
    checklist = PrecautionChecklist.objects.get()
    assert (checklist.patient, checklist.episode) == (patient, result.administration.episode)
    assert checklist.assessment.source_id == str(result.administration.pk)
    assert checklist.opened_at == result.administration.administered_at
    assert [s.code for s in checklist.steps.all()] == STEPS
    assert [s.label for s in checklist.steps.all()] == [r.label for r in DEFAULT_PRECAUTIONS]
    assert checklist.source == PRECAUTIONS_SOURCE and "Columbia" in checklist.source
    assert not checklist.is_complete and checklist.steps_left == 3
    [notice] = checklist_notices(result, patient)
    assert notice.url == url(patient) and "checklist opened" in notice.text
    opened = AuditEvent.objects.get(object_type="safety_precautions", action="create")
    assert opened.object_id == str(checklist.pk) and opened.detail["steps"] == STEPS
    assert TimelineEvent.objects.filter(
        patient=patient, kind=TimelineKind.TASK, summary__contains="precautions checklist opened"
    ).exists()


def test_a_second_high_level_while_one_is_open_finds_it(patient, counselor):
    record(counselor, patient)
    again = record(counselor, patient)
    assert PrecautionChecklist.objects.count() == 1
    assert checklist_notices(again, patient) == []  # nothing new was opened


@pytest.mark.parametrize("answers", [CSSRS_MODERATE, CSSRS_LOW])
def test_lower_levels_open_no_checklist(patient, counselor, answers):
    assert checklist_notices(record(counselor, patient, answers), patient) == []
    assert not PrecautionChecklist.objects.exists()


def test_each_step_records_who_and_when_and_the_last_completes(patient, counselor, nurse):
    record(counselor, patient)
    checklist = PrecautionChecklist.objects.get()
    before = timezone.now()
    step = precaution_step_complete(
        actor=nurse, checklist=checklist, code="observation", note="Sitter: J. Doe, bed 4"
    )
    assert (step.completed_by, step.note) == (nurse, "Sitter: J. Doe, bed 4")
    assert before <= step.completed_at <= timezone.now()
    precaution_step_complete(actor=nurse, checklist=checklist, code="environment")
    checklist.refresh_from_db()
    assert not checklist.is_complete
    last = precaution_step_complete(actor=counselor, checklist=checklist, code="physician")
    checklist.refresh_from_db()
    assert checklist.completed_at == last.completed_at
    done = AuditEvent.objects.filter(object_type="safety_precautions", action="update")
    assert [e.detail["step"] for e in done.order_by("pk")] == STEPS
    assert [e.detail["complete"] for e in done.order_by("pk")] == [False, False, True]
    assert "Doe" not in str(list(done.values_list("detail", flat=True)))  # no free text
    summaries = TimelineEvent.objects.filter(patient=patient, kind=TimelineKind.TASK)
    assert summaries.filter(summary="Safety precaution done: Physician notified").exists()
    assert summaries.filter(summary__contains="checklist complete").exists()


def test_a_complete_checklist_lets_the_next_high_level_open_a_new_one(patient, counselor):
    record(counselor, patient)
    checklist = PrecautionChecklist.objects.get()
    for code in STEPS:
        precaution_step_complete(actor=counselor, checklist=checklist, code=code)
    record(counselor, patient)
    assert PrecautionChecklist.objects.filter(completed_at__isnull=True).count() == 1
    assert PrecautionChecklist.objects.count() == 2


def test_completing_a_done_step_or_an_unknown_one_conflicts(patient, counselor):
    record(counselor, patient)
    checklist = PrecautionChecklist.objects.get()
    precaution_step_complete(actor=counselor, checklist=checklist, code="observation")
    with pytest.raises(StateConflict):
        precaution_step_complete(actor=counselor, checklist=checklist, code="observation")
    with pytest.raises(ValidationError):
        precaution_step_complete(actor=counselor, checklist=checklist, code="restraints")
    for code in STEPS[1:]:
        precaution_step_complete(actor=counselor, checklist=checklist, code=code)
    with pytest.raises(StateConflict):
        precaution_step_complete(actor=counselor, checklist=checklist, code="physician")
    assert AuditEvent.objects.filter(object_type="safety_precautions", action="update").count() == 3


def test_only_clinical_roles_may_complete_steps(patient, counselor, coordinator):
    allowed = {r for r, perms in ROLE_PERMISSIONS.items() if "safety.complete_precautions" in perms}
    assert allowed == {Role.NURSE, Role.PHYSICIAN, Role.COUNSELOR, Role.CLINICAL_DIRECTOR}
    record(counselor, patient)
    checklist = PrecautionChecklist.objects.get()
    with pytest.raises(Forbidden):
        precaution_step_complete(actor=coordinator, checklist=checklist, code="observation")
    assert not PrecautionStep.objects.filter(completed_at__isnull=False).exists()


def test_a_program_may_set_its_own_steps(patient, counselor, settings):
    settings.SAFETY_PRECAUTIONS = [PrecautionRule("sitter", "Sitter at the bedside")]
    settings.SAFETY_PRECAUTIONS_SOURCE = "Unit procedure 7.2"
    record(counselor, patient)
    checklist = PrecautionChecklist.objects.get()
    assert [s.code for s in checklist.steps.all()] == ["sitter"]
    assert checklist.source == "Unit procedure 7.2"
    precaution_step_complete(actor=counselor, checklist=checklist, code="sitter")
    checklist.refresh_from_db()
    assert checklist.is_complete


def test_the_summary_holds_the_open_checklist(patient, counselor):
    assert safety_summary(patient).precautions is None
    record(counselor, patient)
    summary = safety_summary(patient)
    assert summary.precautions == PrecautionChecklist.objects.get()
    assert summary.precautions.steps_left == 3
    for code in STEPS:
        precaution_step_complete(actor=counselor, checklist=summary.precautions, code=code)
    assert safety_summary(patient).precautions is None


def test_the_link_partial_counts_the_steps_left(patient, counselor):
    from django.template.loader import render_to_string

    assert (
        render_to_string(
            "safety/partials/precautions_link.html", {"patient_id": patient.pk}
        ).strip()
        == ""
    )
    record(counselor, patient)
    checklist = PrecautionChecklist.objects.get()
    precaution_step_complete(actor=counselor, checklist=checklist, code="observation")
    summary = safety_summary(patient)
    html = render_to_string(
        "safety/partials/precautions_link.html",
        {"patient_id": patient.pk, "steps_left": summary.precautions.steps_left},
    )
    assert url(patient) in html and "2 steps left" in html


# --- the page ---------------------------------------------------------------------------


def test_the_page_shows_each_step_and_marks_it_done_without_js(patient, nurse, counselor):
    client = verified_client(nurse)
    empty = client.get(url(patient)).content.decode()
    assert "No safety precautions checklist has been opened" in empty
    assert 'href="tel:988"' in empty and 'href="tel:911"' in empty  # crisis resources
    record(counselor, patient)
    page = client.get(url(patient)).content.decode()
    assert "3 steps left" in page and page.count("Mark done:") == 3
    response = client.post(url(patient), {"step": "observation", "note": "Sitter: bed 4"})
    assert response.status_code == 302 and response["Location"] == url(patient)
    page = client.get(url(patient)).content.decode()
    assert "Done: One-to-one observation ordered." in page
    step = PrecautionStep.objects.get(code="observation")
    local = timezone.localtime(step.completed_at)
    assert f'Done at <time datetime="{local:%Y-%m-%dT%H:%M:%S}' in page
    assert f"{local:%H:%M}</time>" in page and "Sitter: bed 4" in page
    assert page.count("Mark done:") == 2 and "2 steps left" in page
    again = client.post(url(patient), {"step": "observation"})
    assert again.status_code == 409 and "already done" in again.content.decode()
    unknown = client.post(url(patient), {"step": "restraints"})
    assert unknown.status_code == 422 and "no such step" in unknown.content.decode()
    reads = AuditEvent.objects.filter(
        action="view", patient_id=patient.pk, object_type="safety_precautions"
    )
    assert reads.count() >= 3


def test_htmx_gets_the_card_alone(patient, counselor):
    record(counselor, patient)
    client = verified_client(counselor)
    response = client.post(url(patient), {"step": "environment"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<section class="card')
    assert 'id="precautions-card"' in body and "<html" not in body and "2 steps left" in body


def test_who_may_see_and_complete(patient, counselor, coordinator):
    record(counselor, patient)
    outsider = make_staff(Role.COUNSELOR)
    assert verified_client(outsider).get(url(patient)).status_code == 404
    care_team_add(actor=None, patient=patient, user=coordinator, team_role="admissions")
    client = verified_client(coordinator)
    page = client.get(url(patient))
    assert page.status_code == 200 and "Mark done:" not in page.content.decode()
    assert client.post(url(patient), {"step": "observation"}).status_code == 403
    assert not PrecautionStep.objects.filter(completed_at__isnull=False).exists()


def test_a_post_without_an_open_checklist_conflicts(patient, counselor):
    response = verified_client(counselor).post(url(patient), {"step": "observation"})
    assert response.status_code == 409


def test_the_page_reads_in_constant_queries(director, counselor, nurse):
    patient = make_patient(actor=director, team=[counselor, nurse])

    def count():
        client = verified_client(counselor)
        client.get(url(patient))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(patient)).status_code == 200
        return len(queries)

    record(counselor, patient)
    checklist = PrecautionChecklist.objects.get()
    precaution_step_complete(actor=nurse, checklist=checklist, code="observation")
    few = count()
    for code in STEPS[1:]:
        precaution_step_complete(actor=counselor, checklist=checklist, code=code)
    for _ in range(3):  # older checklists, completed
        record(counselor, patient)
        newer = PrecautionChecklist.objects.filter(completed_at__isnull=True).get()
        for code in STEPS:
            precaution_step_complete(actor=nurse, checklist=newer, code=code)
    record(counselor, patient)
    newest = PrecautionChecklist.objects.filter(completed_at__isnull=True).get()
    precaution_step_complete(actor=counselor, checklist=newest, code="observation")
    assert count() == few


def test_the_latest_complete_checklist_shows_when_none_is_open(patient, counselor):
    record(counselor, patient)
    checklist = PrecautionChecklist.objects.get()
    PrecautionChecklist.objects.filter(pk=checklist.pk).update(
        opened_at=checklist.opened_at - dt.timedelta(days=1)
    )
    for code in STEPS:
        precaution_step_complete(actor=counselor, checklist=checklist, code=code)
    page = verified_client(counselor).get(url(patient)).content.decode()
    assert "Complete" in page and "Mark done:" not in page and page.count("data-step-done") == 3


def test_htmx_conflicts_show_in_the_card(patient, counselor):
    record(counselor, patient)
    client = verified_client(counselor)
    client.post(url(patient), {"step": "physician"}, HTTP_HX_REQUEST="true")
    again = client.post(url(patient), {"step": "physician"}, HTTP_HX_REQUEST="true")
    body = again.content.decode()
    assert again.status_code == 200  # htmx swaps only 2xx: the error is shown in the card
    assert 'id="precautions-error"' in body and "already done" in body and "2 steps left" in body
    missing = client.post(url(patient), {"note": "no step named"})
    assert missing.status_code == 422 and 'id="precautions-error"' in missing.content.decode()
