"""DSM-5-TR sedative, hypnotic, or anxiolytic use disorder: counts, severity, supervision."""

import pytest

from openrecovery.instruments.definitions.dsm5_sedative import DSM5_SEDATIVE
from openrecovery.instruments.engine import AnswerError
from tests.support.instruments import run

UNSUPERVISED = {"medically_supervised": False}


def met(*criteria: int) -> list[int]:
    return [1 if n in criteria else 0 for n in range(1, 12)]


@pytest.mark.parametrize(
    ("count", "band"),
    [(0, "none"), (1, "none"), (2, "mild"), (3, "mild"), (4, "moderate"), (5, "moderate"),
     (6, "severe"), (11, "severe")],
)  # fmt: skip
def test_severity_by_count(count, band):
    result = run("dsm5-sedative", met(*range(1, count + 1)), UNSUPERVISED)
    assert (result.total, result.band) == (count, band)


def test_medical_supervision_excludes_tolerance_and_withdrawal():
    answers = met(4, 10, 11)
    assert run("dsm5-sedative", answers, UNSUPERVISED).band == "mild"
    supervised = run("dsm5-sedative", answers, {"medically_supervised": True})
    assert (supervised.total, supervised.band) == (1, "none")
    assert run("dsm5-sedative", answers, {"medically_supervised": False}).total == 3


def test_supervision_does_not_touch_the_other_criteria():
    result = run("dsm5-sedative", [1] * 11, {"medically_supervised": True})
    assert (result.total, result.band) == (9, "severe")


def test_eleven_criteria_and_context_asked():
    assert len(DSM5_SEDATIVE.items) == 11
    assert [(c.key, c.required) for c in DSM5_SEDATIVE.context_fields] == [
        ("medically_supervised", True)
    ]
    assert "paraphrase" in DSM5_SEDATIVE.licence


@pytest.mark.parametrize(
    ("context", "fragment"),
    [
        ({"medically_supervised": "yes"}, "true or false"),
        ({"medically_supervised": False, "supervised": True}, "unknown"),
        ({}, "context.medically_supervised is required"),
        ({"medically_supervised": None}, "context.medically_supervised is required"),
    ],
)
def test_bad_context_is_refused(context, fragment):
    with pytest.raises(AnswerError) as error:
        run("dsm5-sedative", met(), context)
    assert fragment in error.value.message
