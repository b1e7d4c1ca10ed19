"""TAPS-1: any answer but never is a positive screen for that substance."""

import pytest

from openrecovery.instruments.definitions.taps import TAPS1
from openrecovery.instruments.engine import AnswerError
from tests.support.instruments import run

FLAGS = ("tobacco_positive", "alcohol_positive", "illicit_drugs_positive",
         "prescription_drugs_positive")  # fmt: skip


def test_never_to_everything_is_negative():
    result = run("taps1", [0, 0, 0, 0])
    assert (result.band, result.flags, result.total) == ("negative", (), None)


@pytest.mark.parametrize("position", range(4))
@pytest.mark.parametrize("frequency", [1, 2, 3, 4])
def test_any_frequency_above_never_is_positive_for_that_substance(position, frequency):
    answers = [0, 0, 0, 0]
    answers[position] = frequency
    result = run("taps1", answers)
    assert result.band == "positive"
    assert result.flags == (FLAGS[position],)


def test_options_and_the_sex_specific_drinking_threshold():
    assert [o.label for o in TAPS1.items[0].options] == [
        "Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily",
    ]  # fmt: skip
    drinking = TAPS1.item("2").text
    assert "5 or more drinks" in drinking and "(men)" in drinking
    assert "4 or more drinks" in drinking and "(women)" in drinking


def test_out_of_range_frequency_is_refused():
    with pytest.raises(AnswerError) as error:
        run("taps1", [0, 0, 5, 0])
    assert error.value.item == "3"
