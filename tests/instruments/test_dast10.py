"""DAST-10 against Skinner 1982: item 3 reverse-scored, bands at every boundary."""

import pytest

from openrecovery.instruments.engine import AnswerError
from tests.support.instruments import run

NO_PROBLEMS = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]  # "always able to stop": yes


def test_no_drug_problems_scores_zero():
    result = run("dast10", NO_PROBLEMS)
    assert (result.total, result.band) == (0, "none")


def test_item_3_no_scores_one_point():
    answers = [*NO_PROBLEMS]
    answers[2] = 0
    result = run("dast10", answers)
    assert (result.total, result.band) == (1, "low")


def test_all_problems_scores_ten():
    result = run("dast10", [1, 1, 0, 1, 1, 1, 1, 1, 1, 1])
    assert (result.total, result.band) == (10, "severe")


def test_yes_to_every_question_scores_nine():
    result = run("dast10", [1] * 10)
    assert (result.total, result.band) == (9, "severe")


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none"),
        (1, "low"),
        (2, "low"),
        (3, "moderate"),
        (5, "moderate"),
        (6, "substantial"),
        (8, "substantial"),
        (9, "severe"),
        (10, "severe"),
    ],
)
def test_band_boundaries(total, band):
    # Points from items other than 3 first, then item 3 answered "no" for the tenth.
    others = [1 if n < min(total, 9) else 0 for n in range(9)]
    answers = [*others[:2], 0 if total == 10 else 1, *others[2:]]
    result = run("dast10", answers)
    assert (result.total, result.band) == (total, band)


def test_only_yes_or_no():
    with pytest.raises(AnswerError) as error:
        run("dast10", [0, 2, 1, 0, 0, 0, 0, 0, 0, 0])
    assert error.value.item == "2"
