"""Placement prompts: open sources only, cited, never derived from the dimension ratings."""

import pytest

from openrecovery.assessment.prompts import CONSIDER_INPATIENT, placement_prompts, prompts_from
from openrecovery.assessment.services import assessment_save_draft
from tests.support.assessment import COMPLETE_SECTIONS


def _codes(sections, substances=()):
    return [p.code for p in prompts_from(sections, substances)]


def test_nothing_recorded_means_no_prompts():
    assert prompts_from({}, []) == []


def test_a_calm_complete_intake_without_benzodiazepines_has_no_prompts():
    assert _codes(COMPLETE_SECTIONS, ["cannabis"]) == []


@pytest.mark.parametrize("field", ["withdrawal_seizures", "withdrawal_delirium"])
def test_withdrawal_seizure_or_delirium_history(field):
    [prompt] = prompts_from({"withdrawal_history": {field: "yes"}}, [])
    assert prompt.code == "complicated_withdrawal_history"
    assert prompt.consider == CONSIDER_INPATIENT
    assert "rec. 5 and 12" in prompt.source
    assert "Brunner E et al., J Gen Intern Med 2025" in prompt.source


def test_both_histories_are_named_in_one_prompt():
    [prompt] = prompts_from(
        {"withdrawal_history": {"withdrawal_seizures": "yes", "withdrawal_delirium": "yes"}}, []
    )
    assert prompt.finding == "History of withdrawal seizures and withdrawal delirium recorded."


@pytest.mark.parametrize(("severity", "shown"), [("severe", True), ("complicated", True),
                                                 ("moderate", False), ("none", False)])  # fmt: skip
def test_severe_or_complicated_withdrawal(severity, shown):
    codes = _codes({"withdrawal_history": {"current_withdrawal": severity}})
    assert ("severe_withdrawal" in codes) is shown


def test_unknown_history_prompts_nothing():
    history = {"withdrawal_seizures": "unknown", "withdrawal_delirium": "no"}
    assert _codes({"withdrawal_history": history}) == []


@pytest.mark.parametrize("field", ["suicidal_thoughts", "overdose_past_year", "falls_recent"])
def test_imminent_harm(field):
    [prompt] = prompts_from({"psychiatric": {field: "yes"}}, [])
    assert prompt.code == "imminent_harm"
    assert "rec. 5" in prompt.consider


@pytest.mark.parametrize("section", ["medical", "psychiatric"])
def test_complicating_comorbidity(section):
    [prompt] = prompts_from({section: {"complicating_condition": True}}, [])
    assert prompt.code == "complicating_comorbidity"
    assert section in prompt.finding


def test_any_benzodiazepine_brings_the_never_stop_abruptly_safety_fact():
    [prompt] = prompts_from({}, ["lorazepam"])
    assert prompt.safety
    assert "Never stop a benzodiazepine abruptly" in prompt.consider


def test_benzodiazepine_with_opioids_offers_naloxone():
    prompts = {p.code: p for p in prompts_from({}, ["alprazolam", "opioids"])}
    assert "naloxone" in prompts["cns_depressants"].consider
    assert "rec. 17" in prompts["cns_depressants"].source
    with_alcohol = {p.code: p for p in prompts_from({}, ["alprazolam", "alcohol"])}
    assert "naloxone" not in with_alcohol["cns_depressants"].consider


def test_prompt_wording_never_diagnoses_or_decides():
    sections = {
        "withdrawal_history": {"withdrawal_seizures": "yes", "current_withdrawal": "severe"},
        "psychiatric": {"suicidal_thoughts": "yes", "complicating_condition": True},
    }
    for prompt in prompts_from(sections, ["clonazepam", "opioids"]):
        text = f"{prompt.finding} {prompt.consider}".lower()
        assert "diagnos" not in text
        assert "asam" not in text
        assert prompt.consider.startswith(("Consider", "Never", "Combined"))


@pytest.mark.django_db
def test_dimension_ratings_never_raise_prompts(draft, counselor):
    ratings = {f"rating_{d}": 4 for d in range(1, 7)}
    assessment_save_draft(actor=counselor, assessment=draft, section="dimensions", answers=ratings)
    assert placement_prompts(draft) == []


@pytest.mark.django_db
def test_placement_prompts_read_the_assessment(draft, counselor):
    assessment_save_draft(
        actor=counselor,
        assessment=draft,
        section="withdrawal_history",
        answers={"withdrawal_seizures": "yes"},
    )
    draft.refresh_from_db()
    assert [p.code for p in placement_prompts(draft)] == ["complicated_withdrawal_history"]
