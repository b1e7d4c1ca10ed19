"""The shape of the demo histories: typed steps, helpline conversions, the care-team table."""

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
    StepAction,
    Story,
    episodes_of,
    story_plan,
    team_changes,
)
from openrecovery.records.choices import DischargeType, Stage
from openrecovery.records.stages import ALLOWED_MOVES


def test_every_story_plans_a_path_the_stage_machine_allows():
    rng = random.Random(1)
    for story in {*STORIES, *(story for story, _ in BULK_MIX)}:
        for helpline_days in (0, 30, 10_000):
            steps = story_plan(story, rng, helpline_days=helpline_days)
            assert all(isinstance(step, Step) for step in steps)
            assert [s.days_ago for s in steps] == sorted((s.days_ago for s in steps), reverse=True)
            for episode in episodes_of(steps):
                assert episode[0].opens_episode
                assert not any(s.opens_episode for s in episode[1:])
                for before, after in pairwise(episode):
                    assert after.stage in ALLOWED_MOVES[before.stage], (story, before, after)
            assert steps[-1].stage == story.stage
            assert steps[-1].discharge == story.discharge


def test_recent_assessments_start_as_helpline_conversions():
    story = Story(Stage.TREATMENT, readmitted_from=DischargeType.LOST_CONTACT)
    plain = story_plan(story, random.Random(5))
    converted = story_plan(story, random.Random(5), helpline_days=10_000)
    # Without a helpline window: register, moves, closing, readmission, moves.
    assert [s.action for s in plain].count(StepAction.CONVERT) == 0
    assert [s.action for s in plain][:2] == [StepAction.REGISTER, StepAction.MOVE]
    # With one that reaches back far enough, each episode's opening and its move to
    # assessment become one conversion at the assessment's time.
    assert [s.action for s in converted].count(StepAction.CONVERT) == 2
    for episode_plain, episode_converted in zip(
        episodes_of(plain), episodes_of(converted), strict=True
    ):
        conversion = episode_converted[0]
        assert (conversion.action, conversion.stage) == (StepAction.CONVERT, Stage.ASSESSMENT)
        assert conversion.days_ago == episode_plain[1].days_ago
        assert episode_converted[1:] == episode_plain[2:]
    # Only assessments inside the window convert.
    window = plain[-3].days_ago + 0.5  # the readmission's assessment, not the first one
    partly = story_plan(story, random.Random(5), helpline_days=window)
    assert [s.action for s in partly].count(StepAction.CONVERT) == 1
    assert partly[0].action == StepAction.REGISTER


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
