"""C-SSRS screener: skip logic and the risk levels of the Columbia Lighthouse Project."""

import pytest

from openrecovery.instruments.engine import AnswerError
from tests.support.instruments import run

N = None


@pytest.mark.parametrize(
    ("answers", "band"),
    [
        ([0, 0, N, N, N, 0, N], "none"),
        ([1, 0, N, N, N, 0, N], "low"),
        ([0, 1, 0, 0, 0, 0, N], "low"),
        ([1, 1, 0, 0, 0, 0, N], "low"),
        ([1, 1, 1, 0, 0, 0, N], "moderate"),
        ([0, 0, N, N, N, 1, 0], "moderate"),  # behavior, longer ago than 3 months
        ([1, 1, 0, 1, 0, 0, N], "high"),
        ([1, 1, 0, 0, 1, 0, N], "high"),
        ([0, 0, N, N, N, 1, 1], "high"),  # behavior in the past 3 months
        ([1, 1, 1, 1, 1, 1, 1], "high"),
    ],
)
def test_risk_levels(answers, band):
    result = run("cssrs", answers)
    assert result.band == band
    assert result.total is None
    assert result.flags == (("urgent_review",) if band == "high" else ())


@pytest.mark.parametrize(
    ("answers", "item"),
    [
        ([0, 0, 1, N, N, 0, N], "3"),  # Q2 no: 3-5 are skipped
        ([0, 0, N, N, 0, 0, N], "5"),
        ([0, 1, N, 0, 0, 0, N], "3"),  # Q2 yes: 3-5 are asked
        ([0, 0, N, N, N, 0, 0], "6b"),  # Q6 no: 6b is skipped
        ([0, 0, N, N, N, 1, N], "6b"),  # Q6 yes: 6b is asked
        ([N, 0, N, N, N, 0, N], "1"),
    ],
)
def test_inconsistent_skip_answers_name_the_item(answers, item):
    with pytest.raises(AnswerError) as error:
        run("cssrs", answers)
    assert error.value.item == item


def test_seven_answers_are_required():
    with pytest.raises(AnswerError) as error:
        run("cssrs", [0, 0, N, N, N, 0])
    assert error.value.item == ""


def test_questions_read_as_published():
    from openrecovery.instruments.definitions.cssrs import CSSRS

    text = {item.number: item.text for item in CSSRS.items}
    assert text["2"] == "Have you actually had any thoughts of killing yourself?"
    assert text["5"].endswith("and do you intend to carry out this plan?")
    assert text["6"] == (
        "Have you ever done anything, started to do anything, or prepared to do "
        "anything to end your life?"
    )
    assert text["6b"] == "Was this within the past 3 months?"
    assert (CSSRS.loinc_panel, CSSRS.loinc_total) == ("93373-9", "93374-7")
    assert [i.loinc for i in CSSRS.items] == [
        "93246-7", "93247-5", "93248-3", "93249-1", "93250-9", "93267-3", "93269-9",
    ]  # fmt: skip
