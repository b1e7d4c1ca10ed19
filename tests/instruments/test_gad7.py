"""GAD-7 against Spitzer 2006: bands at every boundary."""

import pytest

from openrecovery.instruments.engine import AnswerError
from tests.support.instruments import run


def answers_for(total: int) -> list[int]:
    answers, rest = [], total
    for _ in range(7):
        step = min(3, rest)
        answers.append(step)
        rest -= step
    return answers


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_band_boundaries(total, band):
    result = run("gad7", answers_for(total))
    assert (result.total, result.band) == (total, band)


def test_seven_answers_only_and_values_0_to_3():
    with pytest.raises(AnswerError):
        run("gad7", [0] * 8)
    with pytest.raises(AnswerError) as error:
        run("gad7", [0, 0, 0, 0, 0, 0, 4])
    assert error.value.item == "7"


def test_no_flags_or_subscales():
    assert run("gad7", [3] * 7).as_dict() == {
        "code": "gad7",
        "total": 21,
        "band": "severe",
        "flags": [],
        "subscales": {},
    }
