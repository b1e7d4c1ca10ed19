"""PHQ-9 against Kroenke 2001: bands at every boundary, the item 9 flag, item 10."""

import pytest

from openrecovery.instruments.engine import AnswerError
from tests.support.instruments import run


def answers_for(total: int, item9: int = 0) -> list[int]:
    """Return nine answers adding up to ``total`` with item 9 set as given."""
    rest, answers = total - item9, []
    for _ in range(8):
        step = min(3, rest)
        answers.append(step)
        rest -= step
    assert rest == 0
    return [*answers, item9]


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (24, "severe"),
    ],
)
def test_band_boundaries(total, band):
    result = run("phq9", answers_for(total))
    assert (result.total, result.band) == (total, band)


def test_maximum_is_27_and_severe():
    result = run("phq9", [3] * 9)
    assert (result.total, result.band) == (27, "severe")


def test_item_9_above_zero_raises_the_suicide_risk_flag():
    assert run("phq9", answers_for(1, item9=1)).flags == ("suicide_risk",)
    assert run("phq9", answers_for(3, item9=3)).flags == ("suicide_risk",)
    assert run("phq9", answers_for(24, item9=0)).flags == ()


def test_difficulty_item_is_stored_but_not_scored():
    result = run("phq9", [*answers_for(12), 3])
    assert result.total == 12
    assert result.answers[-1] == 3
    assert run("phq9", [*answers_for(12), None]).total == 12


def test_wrong_counts_are_refused():
    for answers in ([0] * 8, [0] * 11):
        with pytest.raises(AnswerError) as error:
            run("phq9", answers)
        assert error.value.item == ""


def test_item_codes_match_loinc():
    from openrecovery.instruments.definitions.phq9 import PHQ9

    assert [i.loinc for i in PHQ9.items[:9]] == [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
        "44258-2", "44252-5", "44253-3", "44260-8",
    ]  # fmt: skip
    assert (PHQ9.loinc_panel, PHQ9.loinc_total) == ("44249-1", "44261-6")


def test_every_answer_carries_its_loinc_answer_code():
    from openrecovery.instruments.definitions.phq9 import PHQ9

    frequency = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    for item in PHQ9.items[:9]:
        assert [o.loinc for o in item.options] == frequency
    # Item 10 (difficulty, answer list LL358-3): the codes are not in label order.
    assert [(o.label, o.loinc) for o in PHQ9.items[9].options] == [
        ("Not difficult at all", "LA6572-7"),
        ("Somewhat difficult", "LA6573-5"),
        ("Very difficult", "LA6575-0"),
        ("Extremely difficult", "LA6574-3"),
    ]
