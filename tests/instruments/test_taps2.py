"""TAPS-2: per substance 0 no use, 1 problem use, 2+ higher risk; skip logic per section."""

import pytest

from openrecovery.instruments.definitions.taps import TAPS2, TAPS2_SECTIONS
from openrecovery.instruments.engine import AnswerError
from tests.support.instruments import complete, run

SUBSTANCES = [code for code, *_ in TAPS2_SECTIONS]


def test_sections_and_item_layout():
    assert SUBSTANCES == [
        "tobacco", "alcohol", "marijuana", "stimulants", "heroin", "opioids", "sedatives",
        "adhd_stimulants", "other_drugs",
    ]  # fmt: skip
    assert [i.number for i in TAPS2.items if i.number.startswith("7")] == ["7", "7a", "7b"]
    assert len(TAPS2.items) == 26


def test_sedative_section_asks_the_published_questions():
    use, urge, concern = (TAPS2.item(n).text for n in ("7", "7a", "7b"))
    assert "not as prescribed" in use
    assert "once a week" in urge
    assert "expressed concern" in concern


def test_no_use_of_anything():
    result = run("taps2", complete(TAPS2, {}))
    assert result.band == "none"
    assert result.flags == ()
    assert set(result.subscales.values()) == {0}


@pytest.mark.parametrize(
    ("given", "score", "band", "flag"),
    [
        ({"7": 1}, 1, "problem_use", "sedatives_problem_use"),
        ({"7": 1, "7a": 1}, 2, "higher_risk", "sedatives_higher_risk"),
        ({"7": 1, "7b": 1}, 2, "higher_risk", "sedatives_higher_risk"),
        ({"7": 1, "7a": 1, "7b": 1}, 3, "higher_risk", "sedatives_higher_risk"),
    ],
)
def test_sedative_risk_levels(given, score, band, flag):
    result = run("taps2", complete(TAPS2, given))
    assert result.subscales["sedatives"] == score
    assert result.band == band
    assert result.flags == (flag,)


@pytest.mark.parametrize("section", range(1, 10))
def test_every_section_scores_use_as_problem_use(section):
    result = run("taps2", complete(TAPS2, {str(section): 1}))
    code = SUBSTANCES[section - 1]
    assert result.subscales[code] == 1
    assert result.flags == (f"{code}_problem_use",)


def test_band_is_the_highest_risk_found():
    result = run("taps2", complete(TAPS2, {"1": 1, "2": 1, "2a": 1, "2b": 1, "2c": 1}))
    assert result.subscales["tobacco"] == 1
    assert result.subscales["alcohol"] == 4
    assert result.band == "higher_risk"
    assert result.flags == ("tobacco_problem_use", "alcohol_higher_risk")


def test_follow_ups_are_null_without_use():
    answers = complete(TAPS2, {})
    answers[[i.number for i in TAPS2.items].index("7a")] = 0
    with pytest.raises(AnswerError) as error:
        run("taps2", answers)
    assert error.value.item == "7a"


def test_follow_ups_are_required_after_use():
    answers = complete(TAPS2, {"7": 1})
    answers[[i.number for i in TAPS2.items].index("7b")] = None
    with pytest.raises(AnswerError) as error:
        run("taps2", answers)
    assert error.value.item == "7b"
