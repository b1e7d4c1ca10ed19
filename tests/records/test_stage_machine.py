"""The episode-of-care stage machine, enforced by ``episode_move_stage``."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from openrecovery.audit.choices import Action
from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import StateConflict
from openrecovery.records.choices import DischargeType, Stage
from openrecovery.records.models import EpisodeOfCare, StageTransition
from openrecovery.records.services import (
    ERROR_DISCHARGE_REQUIRED,
    ERROR_EPISODE_CLOSED,
    ERROR_OPEN_EPISODE_EXISTS,
    ERROR_REASON_REQUIRED,
    episode_move_stage,
    episode_readmit,
)
from openrecovery.records.stages import ALLOWED_MOVES, discharge_types_from
from tests.support.factories import make_patient, verified_client
from tests.support.records import record_state

S = Stage
# The contract, written out independently of the code's table.
EXPECTED_MOVES = {
    (S.INQUIRY, S.ASSESSMENT),
    (S.INQUIRY, S.CLOSED),
    (S.ASSESSMENT, S.WITHDRAWAL_MANAGEMENT),
    (S.ASSESSMENT, S.TREATMENT),  # withdrawal management skipped
    (S.ASSESSMENT, S.CLOSED),
    (S.WITHDRAWAL_MANAGEMENT, S.TREATMENT),
    (S.WITHDRAWAL_MANAGEMENT, S.CLOSED),
    (S.TREATMENT, S.AFTERCARE),
    (S.TREATMENT, S.WITHDRAWAL_MANAGEMENT),
    (S.TREATMENT, S.CLOSED),
    (S.AFTERCARE, S.TREATMENT),
    (S.AFTERCARE, S.CLOSED),
}
ALL_PAIRS = list(itertools.product(Stage, Stage))


def test_the_table_is_the_contract():
    assert {(a, b) for a, targets in ALLOWED_MOVES.items() for b in targets} == EXPECTED_MOVES


@pytest.mark.parametrize(("from_stage", "to_stage"), [p for p in ALL_PAIRS if p in EXPECTED_MOVES])
def test_allowed_move_works(director, episode_at, from_stage, to_stage):
    episode = episode_at(from_stage)
    discharge = discharge_types_from(from_stage)[0] if to_stage == S.CLOSED else ""
    before = timezone.now()
    moved = episode_move_stage(
        actor=director,
        episode=episode,
        to_stage=to_stage,
        reason="  Clinically indicated  ",
        discharge_type=discharge,
    )
    fresh = EpisodeOfCare.objects.get(pk=episode.pk)
    assert fresh.stage == moved.stage == to_stage
    assert fresh.stage_changed_at >= before
    assert (fresh.ended_at is not None) == (to_stage == S.CLOSED)
    assert fresh.discharge_type == discharge
    last = StageTransition.objects.filter(episode=episode).order_by("-id").first()
    assert (last.from_stage, last.to_stage, last.reason, last.moved_by) == (
        from_stage,
        to_stage,
        "Clinically indicated",
        director,
    )
    event = AuditEvent.objects.filter(action=Action.STAGE_CHANGE, object_id=str(episode.pk))
    assert event.order_by("-id").first().detail["to"] == to_stage


@pytest.mark.parametrize(
    ("from_stage", "to_stage"), [p for p in ALL_PAIRS if p not in EXPECTED_MOVES]
)
def test_disallowed_move_is_refused_and_changes_nothing(director, episode_at, from_stage, to_stage):
    episode = episode_at(from_stage)
    before = record_state(episode)
    with pytest.raises(StateConflict) as caught:
        episode_move_stage(
            actor=director,
            episode=episode,
            to_stage=to_stage,
            reason="Trying anyway",
            discharge_type=DischargeType.ADMINISTRATIVE,
        )
    expected = ERROR_EPISODE_CLOSED if from_stage == S.CLOSED else "cannot move to"
    assert expected in caught.value.message
    assert record_state(episode) == before


def test_unknown_target_stage_is_refused(director, episode_at):
    episode = episode_at(S.TREATMENT)
    before = record_state(episode)
    with pytest.raises(StateConflict, match="cannot move to limbo"):
        episode_move_stage(actor=director, episode=episode, to_stage="limbo", reason="Because")
    assert record_state(episode) == before


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_every_move_needs_a_reason(director, episode_at, reason):
    episode = episode_at(S.ASSESSMENT)
    before = record_state(episode)
    with pytest.raises(ValidationError) as caught:
        episode_move_stage(actor=director, episode=episode, to_stage=S.TREATMENT, reason=reason)
    assert caught.value.message_dict == {"reason": [ERROR_REASON_REQUIRED]}
    assert record_state(episode) == before


def test_closing_needs_a_discharge_type(director, episode_at):
    episode = episode_at(S.TREATMENT)
    before = record_state(episode)
    with pytest.raises(ValidationError) as caught:
        episode_move_stage(actor=director, episode=episode, to_stage=S.CLOSED, reason="Left")
    assert caught.value.message_dict == {"discharge_type": [ERROR_DISCHARGE_REQUIRED]}
    assert record_state(episode) == before


FITTING = {
    DischargeType.COMPLETED: {S.TREATMENT, S.AFTERCARE},
    DischargeType.AGAINST_ADVICE: {S.WITHDRAWAL_MANAGEMENT, S.TREATMENT, S.AFTERCARE},
    DischargeType.NOT_ADMITTED: {S.INQUIRY, S.ASSESSMENT},
    DischargeType.REFERRED_OUT: set(Stage) - {S.CLOSED},
    DischargeType.LOST_CONTACT: set(Stage) - {S.CLOSED},
    DischargeType.ADMINISTRATIVE: set(Stage) - {S.CLOSED},
}


@pytest.mark.parametrize(
    ("discharge", "from_stage"),
    list(itertools.product(DischargeType, [s for s in Stage if s != S.CLOSED])),
)
def test_discharge_type_must_fit_the_stage_left(director, episode_at, discharge, from_stage):
    episode = episode_at(from_stage)
    before = record_state(episode)
    move = {
        "actor": director,
        "episode": episode,
        "to_stage": S.CLOSED,
        "reason": "Discharged",
        "discharge_type": discharge,
    }
    if from_stage in FITTING[discharge]:
        assert episode_move_stage(**move).discharge_type == discharge
    else:
        with pytest.raises(ValidationError) as caught:
            episode_move_stage(**move)
        assert list(caught.value.message_dict) == ["discharge_type"]
        assert record_state(episode) == before


def test_discharge_against_advice_from_withdrawal_management(director, episode_at):
    episode = episode_at(S.WITHDRAWAL_MANAGEMENT)
    closed = episode_move_stage(
        actor=director,
        episode=episode,
        to_stage=S.CLOSED,
        reason="Left the unit against advice",
        discharge_type=DischargeType.AGAINST_ADVICE,
    )
    assert (closed.stage, closed.discharge_type, closed.is_open) == (
        S.CLOSED,
        DischargeType.AGAINST_ADVICE,
        False,
    )


def test_readmission_opens_a_new_linked_episode(director, episode_at):
    closed = episode_at(S.CLOSED)
    patient = closed.patient
    new = episode_readmit(
        actor=director, patient=patient, reason="Returned after relapse", stage=S.ASSESSMENT
    )
    assert new.pk != closed.pk
    assert (new.stage, new.is_open, new.previous_episode) == (S.ASSESSMENT, True, closed)
    assert EpisodeOfCare.objects.get(pk=closed.pk).stage == S.CLOSED
    first = StageTransition.objects.get(episode=new)
    assert (first.from_stage, first.to_stage) == ("", S.ASSESSMENT)
    assert first.reason == "Readmission: Returned after relapse"


def test_readmission_refused_while_an_episode_is_open(director, episode_at):
    episode = episode_at(S.AFTERCARE)
    before = record_state(episode)
    with pytest.raises(StateConflict, match=ERROR_OPEN_EPISODE_EXISTS):
        episode_readmit(actor=director, patient=episode.patient, reason="Again")
    assert record_state(episode) == before


@pytest.mark.parametrize("stage", [S.WITHDRAWAL_MANAGEMENT, S.TREATMENT, S.AFTERCARE, S.CLOSED])
def test_readmission_starts_at_inquiry_or_assessment(director, episode_at, stage):
    closed = episode_at(S.CLOSED)
    with pytest.raises(ValidationError) as caught:
        episode_readmit(actor=director, patient=closed.patient, reason="Back", stage=stage)
    assert list(caught.value.message_dict) == ["stage"]
    assert EpisodeOfCare.objects.filter(patient=closed.patient).count() == 1


def test_readmission_needs_a_reason(director, episode_at):
    closed = episode_at(S.CLOSED)
    with pytest.raises(ValidationError) as caught:
        episode_readmit(actor=director, patient=closed.patient, reason=" ")
    assert caught.value.message_dict == {"reason": [ERROR_REASON_REQUIRED]}


def test_the_database_allows_one_open_episode_per_patient(director, episode_at):
    episode = episode_at(S.INQUIRY)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        EpisodeOfCare.objects.create(
            patient=episode.patient, stage=S.INQUIRY, started_at=now, stage_changed_at=now
        )


def test_a_second_readmission_chains_to_the_latest_episode(director, episode_at):
    first = episode_at(S.CLOSED)
    second = episode_readmit(actor=director, patient=first.patient, reason="Back once")
    episode_move_stage(
        actor=director,
        episode=second,
        to_stage=S.CLOSED,
        reason="Did not return",
        discharge_type=DischargeType.LOST_CONTACT,
    )
    third = episode_readmit(actor=director, patient=first.patient, reason="Back twice")
    assert third.previous_episode == EpisodeOfCare.objects.get(pk=second.pk)


class TestThroughTheChart:
    """A bad move posted to the chart gives a specific field error, 422, and no change."""

    def post(self, director, episode, **data):
        client = verified_client(director)
        return client.post(reverse("chart:stage_move", args=[episode.patient_id]), data)

    def test_good_move_redirects(self, director, episode_at):
        episode = episode_at(S.ASSESSMENT)
        response = self.post(director, episode, to_stage=S.TREATMENT, reason="No withdrawal")
        assert response.status_code == 302
        assert EpisodeOfCare.objects.get(pk=episode.pk).stage == S.TREATMENT

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"to_stage": S.AFTERCARE, "reason": "Skip ahead"}, "to_stage"),
            ({"to_stage": "limbo", "reason": "Nowhere"}, "to_stage"),
            ({"to_stage": S.TREATMENT, "reason": ""}, "reason"),
            ({"to_stage": S.TREATMENT, "reason": "   "}, "reason"),
            ({"to_stage": S.CLOSED, "reason": "Left"}, "discharge_type"),
            (
                {"to_stage": S.CLOSED, "reason": "Left", "discharge_type": "against_advice"},
                "discharge_type",
            ),
            (
                {"to_stage": S.CLOSED, "reason": "Left", "discharge_type": "completed"},
                "discharge_type",
            ),
            ({"to_stage": S.CLOSED, "reason": "Left", "discharge_type": "bogus"}, "discharge_type"),
        ],
    )
    def test_bad_move_shows_the_field_error(self, director, episode_at, data, field):
        episode = episode_at(S.ASSESSMENT)
        before = record_state(episode)
        response = self.post(director, episode, **data)
        assert response.status_code == 422
        form = response.context["stage_form"]
        assert list(form.errors) == [field]
        assert form.errors[field][0] in response.content.decode().replace("&#x27;", "'")
        assert record_state(episode) == before

    def test_closed_episode_cannot_move_through_the_chart(self, director, episode_at):
        episode = episode_at(S.CLOSED)
        before = record_state(episode)
        response = self.post(director, episode, to_stage=S.TREATMENT, reason="Reopen")
        assert response.status_code == 302
        assert record_state(episode) == before

    def test_unknown_patient_is_404(self, director):
        client = verified_client(director)
        response = client.post(
            reverse("chart:stage_move", args=[987654321]), {"to_stage": "treatment", "reason": "x"}
        )
        assert response.status_code == 404

    def test_roles_without_move_stage_get_403(self, director, episode_at):
        from openrecovery.accounts.roles import Role
        from tests.support.factories import make_staff

        episode = episode_at(S.ASSESSMENT)
        before = record_state(episode)
        client = verified_client(make_staff(Role.ADMINISTRATOR))
        response = client.post(
            reverse("chart:stage_move", args=[episode.patient_id]),
            {"to_stage": S.TREATMENT, "reason": "Try"},
        )
        assert response.status_code == 403
        assert record_state(episode) == before


def test_make_patient_path_matches_the_machine(director):
    # The shared factory walks each stage through allowed moves only.
    for stage in (S.WITHDRAWAL_MANAGEMENT, S.AFTERCARE):
        episode = make_patient(actor=director, stage=stage).episodes.get()
        moves = list(episode.transitions.order_by("id").values_list("from_stage", "to_stage"))
        assert all(b in ALLOWED_MOVES[a] for a, b in moves[1:])
