"""CIWA-B against Busto 1989 and the default withdrawal protocol."""

import pytest

from openrecovery.instruments.definitions.ciwab import CIWAB, PROTOCOL_VERSION
from openrecovery.instruments.engine import AnswerError
from tests.support.instruments import run


def answers_for(total: int) -> list[int]:
    answers, rest = [], total
    for _ in range(20):
        step = min(4, rest)
        answers.append(step)
        rest -= step
    return answers


def test_twenty_items_scored_0_to_4_total_0_to_80():
    assert len(CIWAB.items) == 20
    assert all(i.values == (0, 1, 2, 3, 4) for i in CIWAB.items)
    assert CIWAB.total_range == (0, 80)


def test_items_18_to_20_are_rated_by_the_observer():
    assert [i.number for i in CIWAB.items if i.rated_by == "observer"] == ["18", "19", "20"]


def test_protocol_version_is_recorded():
    assert PROTOCOL_VERSION in CIWAB.version
    assert PROTOCOL_VERSION in CIWAB.notes


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none"),
        (1, "mild"),
        (20, "mild"),
        (21, "moderate"),
        (40, "moderate"),
        (41, "severe"),
        (60, "severe"),
        (61, "very_severe"),
        (80, "very_severe"),
    ],
)
def test_default_protocol_band_boundaries(total, band):
    result = run("ciwab", answers_for(total))
    assert (result.total, result.band) == (total, band)


def test_patient_and_observer_subtotals_are_separate():
    answers = [1] * 17 + [4, 3, 2]
    result = run("ciwab", answers)
    assert result.subscales == {"patient": 17, "observer": 9}
    assert result.total == 26
    assert result.band == "moderate"


def test_twenty_two_answers_are_refused():
    with pytest.raises(AnswerError) as error:
        run("ciwab", [0] * 22)
    assert "expected 20" in error.value.message
