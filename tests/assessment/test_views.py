"""Intake and problem-list pages: gates, autosave, errors, signing and read-only records."""

import re

import pytest
from django.urls import reverse

from openrecovery.assessment.choices import AssessmentStatus, ProblemStatus
from openrecovery.assessment.models import IntakeAssessment, Problem, SubstanceUse
from openrecovery.assessment.services import (
    ERROR_ALREADY_LISTED,
    ERROR_EPISODE_CLOSED,
    ERROR_NOT_AT_ASSESSMENT,
    ERROR_NOT_UNCONFIRMED,
    assessment_sign,
    problem_record_from_dsm,
)
from openrecovery.audit.models import AuditEvent
from openrecovery.records.choices import Stage
from tests.support.assessment import dsm5_score, fill
from tests.support.factories import discharge, make_patient, verified_client

pytestmark = pytest.mark.django_db


def checklist(*met: int, supervised: str | None = "false") -> dict[str, str]:
    """Return the DSM-5-TR checklist form's POST data with criteria ``met`` marked met."""
    data = {f"item_{n}": "1" if n in met else "0" for n in range(1, 12)}
    if supervised is not None:
        data["context_medically_supervised"] = supervised
    return data


HTMX = {"HX-Request": "true"}


def url(name, patient, *args):
    return reverse(f"assessment:{name}", args=[patient.pk, *args])


def test_a_counselor_starts_the_intake_from_the_page(patient, counselor):
    client = verified_client(counselor)
    page = client.get(url("intake", patient))
    assert "Start intake assessment" in page.content.decode()
    response = client.post(url("start", patient))
    assert response.status_code == 302
    assessment = IntakeAssessment.objects.get(episode__patient=patient)
    page = client.get(url("intake", patient)).content.decode()
    assert 'id="section-withdrawal_history"' in page
    assert f'hx-post="/patients/{patient.pk}/assessment/save/"' in page
    assert "Sign assessment" in page
    assert AuditEvent.objects.filter(
        object_type="intake_assessment", action="view", patient_id=patient.pk
    ).exists()
    assert assessment.author == counselor


def test_no_start_button_away_from_the_assessment_stage(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    page = verified_client(counselor).get(url("intake", patient)).content.decode()
    assert "Start intake assessment" not in page
    assert "No intake assessment for this episode yet" in page


def test_autosave_answers_with_saved_and_the_prompts(draft, patient, counselor):
    data = {"section": "withdrawal_history", "withdrawal_history-withdrawal_seizures": "yes"}
    response = verified_client(counselor).post(url("save", patient), data, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert re.match(r"Saved at \d\d:\d\d", body)
    assert 'id="placement-prompts" class="card mb-3" aria-labelledby="prompts-h" hx-swap-oob' in (
        body
    )
    assert "History of withdrawal seizures recorded." in body
    draft.refresh_from_db()
    assert draft.sections["withdrawal_history"]["withdrawal_seizures"] == "yes"


def test_autosave_with_bad_input_shows_field_errors_in_place(draft, patient, counselor):
    data = {"section": "social", "social-housing": "castle", "social-legal": "none"}
    response = verified_client(counselor).post(url("save", patient), data, headers=HTMX)
    assert response["HX-Retarget"] == "#section-social"
    assert response["HX-Reswap"] == "outerHTML"
    body = response.content.decode()
    assert "Not saved: correct the marked answers." in body
    assert "Select a valid choice. castle is not one of the available choices." in body
    assert 'aria-invalid="true"' in body
    draft.refresh_from_db()
    assert (draft.sections, draft.version) == ({}, 1)


def test_a_form_post_without_htmx_redirects_or_shows_errors(draft, patient, counselor):
    client = verified_client(counselor)
    ok = client.post(url("save", patient), {"section": "level", "level-level_of_care": "2.1"})
    assert ok.status_code == 302
    bad = client.post(url("save", patient), {"section": "level", "level-level_of_care": "9"})
    assert bad.status_code == 422
    assert "Select a valid choice." in bad.content.decode()
    draft.refresh_from_db()
    assert draft.level_of_care == "2.1"


def test_substance_rows_through_the_page(draft, patient, counselor):
    client = verified_client(counselor)
    bad = client.post(url("substance_add", patient), {"substance": "", "age_first_use": "0"})
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "This field is required." in body
    assert "Ensure this value is greater than or equal to 1." in body
    assert not SubstanceUse.objects.exists()
    client.post(url("substance_add", patient), {"substance": "alprazolam", "route": "oral"})
    row = SubstanceUse.objects.get()
    assert "Alprazolam" in client.get(url("intake", patient)).content.decode()
    assert client.post(url("substance_remove", patient, row.pk)).status_code == 302
    assert not SubstanceUse.objects.exists()


def test_signing_through_the_page_moves_the_stage(draft, patient, counselor):
    fill(draft, counselor)
    client = verified_client(counselor)
    unconfirmed = client.post(url("sign", patient), {})
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm" in unconfirmed.content.decode()
    response = client.post(url("sign", patient), {"confirm": "on"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SIGNED
    assert patient.episodes.get().stage == Stage.WITHDRAWAL_MANAGEMENT
    chart = client.get(reverse("chart:chart", args=[patient.pk])).content.decode()
    assert 'id="current-stage">Withdrawal management<' in chart
    level = "Level 3.7-WM — medically monitored inpatient withdrawal management"
    assert f"Level of care: <strong>{level}</strong>" in chart


def test_signing_an_incomplete_draft_lists_what_is_missing(draft, patient, counselor):
    response = verified_client(counselor).post(url("sign", patient), {"confirm": "on"})
    assert response.status_code == 422
    assert "Record at least one substance in the use history." in response.content.decode()
    assert patient.episodes.get().stage == Stage.ASSESSMENT


def test_a_nurse_drafts_but_may_not_sign(draft, patient, nurse):
    client = verified_client(nurse)
    page = client.get(url("intake", patient)).content.decode()
    assert "Sign assessment" not in page
    assert 'id="section-medical"' in page
    assert client.post(url("sign", patient), {"confirm": "on"}).status_code == 403


def test_a_signed_intake_is_read_only_with_addenda(draft, patient, counselor):
    fill(draft, counselor)
    assessment_sign(actor=counselor, assessment=draft)
    client = verified_client(counselor)
    page = client.get(url("intake", patient)).content.decode()
    assert 'id="section-' not in page
    assert "Level 3.7-WM — medically monitored inpatient withdrawal management" in page
    assert "Add addendum" in page
    version = IntakeAssessment.objects.get().version
    edit = client.post(url("save", patient), {"section": "medical", "medical-conditions": "x"})
    assert edit.status_code == 302
    assert IntakeAssessment.objects.get().version == version
    assert client.post(url("addendum_add", patient), {"text": ""}).status_code == 422
    client.post(url("addendum_add", patient), {"text": "Family meeting booked."})
    assert "Family meeting booked." in client.get(url("intake", patient)).content.decode()


def test_foreign_ids_are_404(draft, patient, counselor, director):
    stranger = make_patient(actor=director, stage=Stage.ASSESSMENT)
    client = verified_client(counselor)
    for name in ("intake", "problems"):
        assert client.get(url(name, stranger)).status_code == 404
    for name in ("start", "save", "sign", "substance_add", "addendum_add", "problem_record"):
        assert client.post(url(name, stranger)).status_code == 404, name
    # A row or problem of another patient, through my own patient's URL.
    other_team = make_patient(actor=director, stage=Stage.ASSESSMENT, team=[counselor])
    client.post(url("start", other_team))
    client.post(url("substance_add", other_team), {"substance": "alcohol"})
    row = SubstanceUse.objects.get()
    assert client.post(url("substance_remove", patient, row.pk)).status_code == 404
    problem = problem_record_from_dsm(actor=director, patient=stranger, score=dsm5_score())
    response = verified_client(director).post(url("problem_confirm", other_team, problem.pk))
    assert response.status_code == 404
    assert client.post(url("substance_remove", patient, 2**63)).status_code == 404


def test_the_checklist_records_an_unconfirmed_problem(patient, nurse, physician):
    client = verified_client(nurse)
    page = client.get(url("problems", patient)).content.decode()
    assert "Score and record" in page
    assert "Tolerance (needing more for the same effect" in page  # paraphrased item text
    answers = checklist(1, 2, 3, 4)
    response = client.post(url("problem_record", patient), answers)
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert (problem.icd10cm, problem.status) == ("F13.20", ProblemStatus.UNCONFIRMED)
    page = client.get(url("problems", patient)).content.decode()
    assert "F13.20" in page and "Confirm</button>" not in page
    doctor = verified_client(physician)
    assert "Confirm</button>" in doctor.get(url("problems", patient)).content.decode()
    assert doctor.post(url("problem_confirm", patient, problem.pk)).status_code == 302
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CONFIRMED


def test_the_checklist_asks_whether_it_is_taken_as_prescribed(patient, nurse):
    # An unticked box used to mean "no": tolerance and withdrawal then counted for a
    # prescribed patient nobody asked about. It is a required yes/no now.
    client = verified_client(nurse)
    page = client.get(url("problems", patient)).content.decode()
    assert 'name="context_medically_supervised" value="true"' in page
    assert 'name="context_medically_supervised" value="false"' in page
    unasked = client.post(url("problem_record", patient), checklist(1, 2, 3, 4, supervised=None))
    assert unasked.status_code == 422
    assert "Answer yes or no: Taking it as prescribed under medical supervision?" in (
        unasked.content.decode()
    )
    assert not Problem.objects.exists()
    supervised = client.post(
        url("problem_record", patient), checklist(1, 10, 11, supervised="true")
    )
    assert supervised.status_code == 422  # 1 criterion counted once 10 and 11 are left out
    assert not Problem.objects.exists()
    assert client.post(url("problem_record", patient), checklist(1, 10, 11)).status_code == 302


def test_the_checklist_with_missing_answers_or_below_threshold(patient, nurse):
    client = verified_client(nurse)
    missing = client.post(url("problem_record", patient), {"item_1": "1"})
    assert missing.status_code == 422
    # Each beside its item and in the summary at the top of the form (the supervision
    # question has its own message).
    assert missing.content.decode().count("This field is required.") == 20
    below = client.post(url("problem_record", patient), checklist(1))
    assert below.status_code == 422
    assert "Fewer than two criteria counted" in below.content.decode()
    assert not Problem.objects.exists()


def test_confirm_needs_the_permission(patient, counselor):
    problem = problem_record_from_dsm(actor=counselor, patient=patient, score=dsm5_score())
    assert (
        verified_client(counselor).post(url("problem_confirm", patient, problem.pk)).status_code
        == 403
    )


def test_the_chart_panel_links_to_the_intake_and_problems(patient, counselor):
    client = verified_client(counselor)
    chart = client.get(reverse("chart:chart", args=[patient.pk])).content.decode()
    assert 'id="intake-panel"' in chart
    assert "Open intake assessment" in chart
    assert f'href="/patients/{patient.pk}/problems/"' in chart
    client.post(url("start", patient))
    problem_record_from_dsm(actor=counselor, patient=patient, score=dsm5_score())
    chart = client.get(reverse("chart:chart", args=[patient.pk])).content.decode()
    assert "Continue intake assessment" in chart
    assert (
        "<strong>F13.20</strong> Sedative, hypnotic, or anxiolytic use disorder, moderate" in chart
    )


def test_a_problem_listed_already_is_refused_on_the_checklist(patient, nurse):
    client = verified_client(nurse)
    answers = checklist(1, 2, 3, 4)
    assert client.post(url("problem_record", patient), answers).status_code == 302
    again = client.post(url("problem_record", patient), answers)
    assert again.status_code == 422
    listed = ERROR_ALREADY_LISTED % {"code": "F13.20"}
    assert again.context["checklist"].non_field_errors() == [listed]
    assert listed in again.content.decode()
    assert Problem.objects.count() == 1


def test_confirming_a_confirmed_problem_says_why(patient, nurse, physician):
    problem = problem_record_from_dsm(actor=nurse, patient=patient, score=dsm5_score())
    client = verified_client(physician)
    assert client.post(url("problem_confirm", patient, problem.pk)).status_code == 302
    response = client.post(url("problem_confirm", patient, problem.pk), follow=True)
    assert ERROR_NOT_UNCONFIRMED in response.content.decode()


def test_starting_an_intake_outside_assessment_says_why(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    response = verified_client(counselor).post(url("start", patient), follow=True)
    assert ERROR_NOT_AT_ASSESSMENT in response.content.decode()
    assert not IntakeAssessment.objects.exists()


def test_signing_after_the_episode_closed_says_why_on_the_form(
    complete_draft, patient, counselor, director
):
    discharge(
        patient, actor=director, reason="Left before admission", discharge_type="not_admitted"
    )
    response = verified_client(counselor).post(url("sign", patient), {"confirm": "on"})
    assert response.status_code == 422
    assert response.context["sign_form"].non_field_errors() == [ERROR_EPISODE_CLOSED]
    assert ERROR_EPISODE_CLOSED in response.content.decode()
    complete_draft.refresh_from_db()
    assert complete_draft.status == AssessmentStatus.DRAFT
