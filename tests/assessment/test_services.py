"""Intake services: start, autosave, signing (which moves the stage), addenda not edits."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openrecovery.assessment import services
from openrecovery.assessment.choices import AssessmentStatus
from openrecovery.assessment.models import IntakeAssessment, SubstanceUse
from openrecovery.assessment.services import (
    addendum_add,
    assessment_missing,
    assessment_save_draft,
    assessment_sign,
    assessment_start,
    stage_after_signing,
    substance_use_add,
    substance_use_remove,
)
from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import StateConflict
from openrecovery.records.choices import Stage, TimelineKind
from openrecovery.records.models import StageTransition, TimelineEvent
from openrecovery.records.services import episode_move_stage
from tests.support.assessment import CLONAZEPAM, COMPLETE_SECTIONS, RATINGS, fill
from tests.support.factories import make_patient

pytestmark = pytest.mark.django_db


def _episode(patient):
    return patient.episodes.get(ended_at__isnull=True)


def test_start_opens_a_draft_with_six_unrated_dimensions(patient, counselor):
    assessment = assessment_start(actor=counselor, patient=patient)
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.episode == _episode(patient)
    assert [r.dimension for r in assessment.ratings.all()] == [1, 2, 3, 4, 5, 6]
    assert all(r.rating is None for r in assessment.ratings.all())
    assert AuditEvent.objects.filter(object_type="intake_assessment", action="create").count() == 1
    assert TimelineEvent.objects.filter(patient=patient, kind=TimelineKind.ASSESSMENT).exists()


def test_start_twice_returns_the_same_draft(patient, counselor):
    first = assessment_start(actor=counselor, patient=patient)
    assert assessment_start(actor=counselor, patient=patient) == first
    assert IntakeAssessment.objects.count() == 1


@pytest.mark.parametrize("stage", [Stage.INQUIRY, Stage.TREATMENT])
def test_start_refuses_an_episode_not_at_assessment(director, counselor, stage):
    patient = make_patient(actor=director, stage=stage)
    with pytest.raises(StateConflict) as error:
        assessment_start(actor=counselor, patient=patient)
    assert error.value.message == services.ERROR_NOT_AT_ASSESSMENT
    assert not IntakeAssessment.objects.exists()


LEVEL = {"level_of_care": "2.1", "level_rationale": "Structured counseling."}


@pytest.mark.parametrize(
    ("section", "answers", "change"),
    [
        ("medical", COMPLETE_SECTIONS["medical"], {"conditions": "Asthma"}),
        ("dimensions", RATINGS, {"rating_1": "3"}),
        ("level", LEVEL, {"level_of_care": "1"}),
    ],
)
def test_saving_the_answers_the_draft_holds_changes_nothing(
    draft, counselor, section, answers, change
):
    """The autosave sends a field's answers on input and again on change: one version."""
    for _ in range(3):
        saved = assessment_save_draft(
            actor=counselor, assessment=draft, section=section, answers=answers
        )
    assert saved.version == IntakeAssessment.objects.get().version == draft.version + 1
    updates = AuditEvent.objects.filter(object_type="intake_assessment", action="update")
    assert updates.count() == 1
    changed = assessment_save_draft(
        actor=counselor, assessment=draft, section=section, answers={**answers, **change}
    )
    assert changed.version == draft.version + 2


def test_save_draft_stores_a_section_and_counts_the_version(draft, counselor):
    answers = COMPLETE_SECTIONS["medical"]
    saved = assessment_save_draft(
        actor=counselor, assessment=draft, section="medical", answers=answers
    )
    assert saved.version == draft.version + 1
    draft.refresh_from_db()
    assert draft.sections["medical"] == {**answers, "complicating_condition": False}
    event = AuditEvent.objects.filter(object_type="intake_assessment", action="update").get()
    assert event.detail == {"section": "medical", "version": 2}


def test_save_draft_keeps_the_other_sections(draft, counselor):
    for key in ("medical", "supports"):
        assessment_save_draft(
            actor=counselor, assessment=draft, section=key, answers=COMPLETE_SECTIONS[key]
        )
    draft.refresh_from_db()
    assert set(draft.sections) == {"medical", "supports"}


@pytest.mark.parametrize(
    ("section", "answers", "field"),
    [
        ("withdrawal_history", {"withdrawal_seizures": "maybe"}, "withdrawal_seizures"),
        ("social", {"housing": "castle"}, "housing"),
        ("medical", {"conditions": "x" * 4001}, "conditions"),
        ("dimensions", {"rating_1": "5"}, "rating_1"),
        ("level", {"level_of_care": "3.9"}, "level_of_care"),
    ],
)
def test_bad_answers_name_the_field_and_change_nothing(draft, counselor, section, answers, field):
    with pytest.raises(ValidationError) as error:
        assessment_save_draft(actor=counselor, assessment=draft, section=section, answers=answers)
    assert list(error.value.message_dict) == [field]
    fresh = IntakeAssessment.objects.get(pk=draft.pk)
    assert (fresh.version, fresh.sections, fresh.level_of_care) == (1, {}, "")
    assert all(r.rating is None for r in fresh.ratings.all())


def test_unknown_section_is_refused(draft, counselor):
    with pytest.raises(ValidationError, match="no section"):
        assessment_save_draft(actor=counselor, assessment=draft, section="diet", answers={})


def test_dimension_ratings_and_level_are_saved(draft, counselor):
    ratings = {"rating_1": 3, "notes_1": "Daily use", "rating_6": 0}
    assessment_save_draft(actor=counselor, assessment=draft, section="dimensions", answers=ratings)
    assessment_save_draft(
        actor=counselor,
        assessment=draft,
        section="level",
        answers={"level_of_care": "2.1", "level_rationale": "  Works days.  "},
    )
    draft.refresh_from_db()
    assert {r.dimension: r.rating for r in draft.ratings.all()} == {
        1: 3, 2: None, 3: None, 4: None, 5: None, 6: 0,
    }  # fmt: skip
    assert draft.ratings.get(dimension=1).notes == "Daily use"
    assert (draft.level_of_care, draft.level_rationale) == ("2.1", "Works days.")


def test_substance_rows_are_added_and_removed(draft, counselor):
    row = substance_use_add(actor=counselor, assessment=draft, fields=CLONAZEPAM)
    assert row.get_substance_display() == "Clonazepam"
    substance_use_remove(actor=counselor, row=row)
    assert not SubstanceUse.objects.exists()


def test_substance_with_a_future_last_use_is_refused(draft, counselor):
    with pytest.raises(ValidationError) as error:
        substance_use_add(
            actor=counselor, assessment=draft, fields={**CLONAZEPAM, "last_use": "2999-01-01"}
        )
    assert error.value.message_dict == {"last_use": ["The last use cannot be in the future."]}
    assert not SubstanceUse.objects.exists()


def test_missing_lists_everything_signing_needs(draft):
    missing = assessment_missing(draft)
    assert services.ERROR_NO_SUBSTANCES in missing
    assert "Prior treatment and withdrawal: answer “Ever had a seizure during withdrawal?”." in (
        missing
    )
    assert "Rate all six dimensions (missing: 1, 2, 3, 4, 5, 6)." in missing
    assert services.ERROR_LEVEL_REQUIRED in missing
    assert services.ERROR_RATIONALE_REQUIRED in missing


def test_complete_draft_misses_nothing(complete_draft):
    assert assessment_missing(complete_draft) == []


def test_signing_an_incomplete_draft_changes_nothing(draft, counselor, patient):
    with pytest.raises(ValidationError) as error:
        assessment_sign(actor=counselor, assessment=draft)
    assert services.ERROR_NO_SUBSTANCES in error.value.messages
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT
    assert _episode(patient).stage == Stage.ASSESSMENT


def test_signing_with_a_withdrawal_level_moves_to_withdrawal_management(
    complete_draft, counselor, patient
):
    signed = assessment_sign(actor=counselor, assessment=complete_draft)
    assert (signed.status, signed.signed_by, signed.signed_at is not None) == (
        AssessmentStatus.SIGNED, counselor, True,
    )  # fmt: skip
    episode = _episode(patient)
    assert episode.stage == Stage.WITHDRAWAL_MANAGEMENT
    move = StageTransition.objects.filter(episode=episode).latest("moved_at")
    assert move.reason == "Intake assessment signed with level of care 3.7-WM"
    assert move.moved_by == counselor
    sign_event = AuditEvent.objects.get(object_type="intake_assessment", detail__signed=True)
    assert sign_event.detail == {"signed": True, "version": sign_event.detail["version"]}
    assert "3.7" not in str(sign_event.detail)  # the level of care stays out of the log
    assert AuditEvent.objects.filter(action="stage_change", object_id=str(episode.pk)).exists()
    summaries = list(
        TimelineEvent.objects.filter(patient=patient).values_list("summary", flat=True)
    )
    assert "Intake assessment signed: level of care 3.7-WM" in summaries


@pytest.mark.parametrize(
    ("level", "stage"),
    [
        ("1-WM", Stage.WITHDRAWAL_MANAGEMENT),
        ("4-WM", Stage.WITHDRAWAL_MANAGEMENT),
        ("2.1", Stage.TREATMENT),
        ("3.5", Stage.TREATMENT),
        ("OTP", Stage.TREATMENT),
        ("0.5", Stage.ASSESSMENT),
    ],
)
def test_the_level_decides_the_next_stage(draft, counselor, patient, level, stage):
    fill(draft, counselor, level=level)
    assessment_sign(actor=counselor, assessment=draft)
    assert _episode(patient).stage == stage
    assert stage_after_signing(level) == (None if level == "0.5" else stage)


def test_an_episode_moved_by_hand_keeps_its_stage(complete_draft, counselor, patient):
    episode_move_stage(actor=counselor, episode=_episode(patient), to_stage="treatment", reason="x")
    assessment_sign(actor=counselor, assessment=complete_draft)
    assert _episode(patient).stage == Stage.TREATMENT


def test_a_closed_episode_is_not_signed(complete_draft, counselor, patient):
    episode_move_stage(
        actor=counselor,
        episode=_episode(patient),
        to_stage="closed",
        reason="x",
        discharge_type="not_admitted",
    )
    with pytest.raises(StateConflict, match=services.ERROR_EPISODE_CLOSED):
        assessment_sign(actor=counselor, assessment=complete_draft)


def test_a_nurse_may_draft_but_not_sign(complete_draft, nurse):
    with pytest.raises(PermissionDenied):
        assessment_sign(actor=nurse, assessment=complete_draft)
    complete_draft.refresh_from_db()
    assert complete_draft.status == AssessmentStatus.DRAFT


def test_a_signed_assessment_cannot_be_changed(complete_draft, counselor):
    assessment_sign(actor=counselor, assessment=complete_draft)
    row = complete_draft.substances.get()
    attempts = [
        lambda: assessment_save_draft(
            actor=counselor, assessment=complete_draft, section="medical", answers={}
        ),
        lambda: assessment_save_draft(
            actor=counselor,
            assessment=complete_draft,
            section="level",
            answers={"level_of_care": "1"},
        ),  # fmt: skip
        lambda: substance_use_add(actor=counselor, assessment=complete_draft, fields=CLONAZEPAM),
        lambda: substance_use_remove(actor=counselor, row=row),
        lambda: assessment_sign(actor=counselor, assessment=complete_draft),
    ]
    before = IntakeAssessment.objects.get(pk=complete_draft.pk)
    for attempt in attempts:
        with pytest.raises(StateConflict) as error:
            attempt()
        assert error.value.message == services.ERROR_SIGNED
    after = IntakeAssessment.objects.get(pk=complete_draft.pk)
    assert (after.sections, after.level_of_care, after.version) == (
        before.sections, before.level_of_care, before.version,
    )  # fmt: skip
    assert after.substances.count() == 1


def test_addenda_only_after_signing(complete_draft, counselor, patient):
    with pytest.raises(StateConflict) as error:
        addendum_add(actor=counselor, assessment=complete_draft, text="Later news")
    assert error.value.message == services.ERROR_NOT_SIGNED
    assessment_sign(actor=counselor, assessment=complete_draft)
    with pytest.raises(ValidationError):
        addendum_add(actor=counselor, assessment=complete_draft, text="   ")
    addendum = addendum_add(actor=counselor, assessment=complete_draft, text=" Sister called. ")
    assert (addendum.text, addendum.author) == ("Sister called.", counselor)
    assert AuditEvent.objects.filter(object_type="addendum", object_id=str(addendum.pk)).exists()
    assert TimelineEvent.objects.filter(
        patient=patient, summary="Addendum added to the intake assessment"
    ).exists()
