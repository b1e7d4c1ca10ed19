"""The shape of the demo histories: typed steps and the care-team table."""

import random
from itertools import pairwise

from openrecovery.demo.histories import (
    ADMISSIONS,
    BULK_MIX,
    CARE_TEAM,
    COUNSELOR,
    NURSE,
    PHYSICIAN,
    STORIES,
    Step,
    episodes_of,
    story_plan,
    team_changes,
)
from openrecovery.records.choices import Stage
from openrecovery.records.stages import ALLOWED_MOVES


def test_every_story_plans_a_path_the_stage_machine_allows():
    rng = random.Random(1)
    for story in {*STORIES, *(story for story, _ in BULK_MIX)}:
        steps = story_plan(story, rng)
        assert all(isinstance(step, Step) for step in steps)
        assert [s.days_ago for s in steps] == sorted((s.days_ago for s in steps), reverse=True)
        for episode in episodes_of(steps):
            assert episode[0].opens_episode
            assert not any(s.opens_episode for s in episode[1:])
            for before, after in pairwise(episode):
                assert after.stage in ALLOWED_MOVES[before.stage], (story, before, after)
        assert steps[-1].stage == story.stage
        assert steps[-1].discharge == story.discharge


def test_the_care_team_table_seats_people_by_stage_and_empties_at_closing():
    assert CARE_TEAM[Stage.INQUIRY] == ()
    assert set(CARE_TEAM[Stage.ASSESSMENT]) == {ADMISSIONS, COUNSELOR}
    assert set(CARE_TEAM[Stage.WITHDRAWAL_MANAGEMENT]) == {COUNSELOR, NURSE, PHYSICIAN}
    assert CARE_TEAM[Stage.CLOSED] == ()
    assert team_changes("", Stage.ASSESSMENT) == (list(CARE_TEAM[Stage.ASSESSMENT]), [])
    joining, leaving = team_changes(Stage.ASSESSMENT, Stage.WITHDRAWAL_MANAGEMENT)
    assert (set(joining), leaving) == ({NURSE, PHYSICIAN}, [ADMISSIONS])
    joining, leaving = team_changes(Stage.TREATMENT, Stage.AFTERCARE)
    assert (joining, set(leaving)) == ([], {NURSE, PHYSICIAN})
    joining, leaving = team_changes(Stage.AFTERCARE, Stage.CLOSED)
    assert (joining, leaving) == ([], [COUNSELOR])
