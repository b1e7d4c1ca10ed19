"""BAM-R: subscales, their levels of concern, item 7 and item 17, and the summary band."""

import pytest

from openrecovery.instruments.definitions.bam import BAM
from openrecovery.instruments.engine import AnswerError
from tests.support.instruments import complete, run

# Full protection, no risk, no use: protective 4+4+4+4+4+4 = 24.
SAFE = {"9": 4, "10": 4, "12": 4, "13": 4, "14": 4, "16": 4}


def bam(**answers: int) -> list[int | None]:
    """Return a complete answer list: safe defaults, overridden by item=value (7a as i7a)."""
    given = SAFE | {k.removeprefix("i"): v for k, v in answers.items()}
    return complete(BAM, given)


def test_layout_17_questions_with_question_7_in_seven_parts():
    numbers = [i.number for i in BAM.items]
    assert numbers[:6] == ["1", "2", "3", "4", "5", "6"]
    assert numbers[6:13] == ["7a", "7b", "7c", "7d", "7e", "7f", "7g"]
    assert numbers[13:] == [str(n) for n in range(8, 18)]
    assert not any(BAM.item(n).scored for n in numbers[6:13])
    assert not BAM.item("17").scored


def test_subscales_sum_the_published_items():
    assert {s.code: s.items for s in BAM.subscales} == {
        "use": ("4", "5", "6"),
        "risk": ("1", "2", "3", "8", "11", "15"),
        "protective": ("9", "10", "12", "13", "14", "16"),
    }


def test_days_items_use_the_0_to_4_days_scale_and_income_is_0_or_4():
    assert [o.label for o in BAM.item("4").options] == [
        "0 days", "1-3 days", "4-8 days", "9-15 days", "16-30 days",
    ]  # fmt: skip
    assert BAM.item("14").values == (0, 4)
    assert BAM.item("1").options[0].label == "Excellent"


def test_no_use_no_risk_full_protection_is_no_concern():
    result = run("bam", bam())
    assert result.subscales == {"use": 0, "risk": 0, "protective": 24}
    assert (result.band, result.flags, result.total) == ("none", (), None)


@pytest.mark.parametrize(("item", "value"), [("4", 1), ("5", 1), ("6", 1)])
def test_any_use_is_a_use_concern(item, value):
    result = run("bam", bam(**{f"i{item}": value}))
    assert result.subscales["use"] == 1
    assert result.flags == ("use_concern",)
    assert result.band == "one_domain"


def test_risk_concern_starts_at_12():
    eleven = run("bam", bam(i1=4, i2=4, i3=3))
    twelve = run("bam", bam(i1=4, i2=4, i3=4))
    assert (eleven.subscales["risk"], eleven.flags) == (11, ())
    assert (twelve.subscales["risk"], twelve.flags) == (12, ("risk_concern",))


def test_protective_concern_at_12_or_less():
    thirteen = run("bam", bam(i9=4, i10=4, i12=4, i13=1, i14=0, i16=0))
    twelve = run("bam", bam(i9=4, i10=4, i12=4, i13=0, i14=0, i16=0))
    assert (thirteen.subscales["protective"], thirteen.flags) == (13, ())
    assert (twelve.subscales["protective"], twelve.flags) == (12, ("protective_concern",))


def test_all_three_domains_of_concern():
    answers = bam(i4=4, i5=4, i6=4, i1=4, i2=4, i3=4, i8=4, i11=4, i15=4, i9=0, i10=0, i12=0)
    answers[BAM.items.index(BAM.item("13"))] = 0
    answers[BAM.items.index(BAM.item("14"))] = 0
    answers[BAM.items.index(BAM.item("16"))] = 0
    result = run("bam", answers)
    assert result.subscales == {"use": 12, "risk": 24, "protective": 0}
    assert result.band == "three_domains"
    assert result.flags == ("use_concern", "risk_concern", "protective_concern")


def test_two_domains():
    result = run("bam", bam(i6=2, i1=4, i2=4, i3=4))
    assert result.band == "two_domains"


def test_item_7_and_item_17_do_not_change_the_subscales():
    base = run("bam", bam(i6=3))
    detailed = run("bam", bam(i6=3, i7b=4, i7e=2, i17=4))
    assert detailed.subscales == base.subscales
    assert detailed.answers[BAM.items.index(BAM.item("7b"))] == 4


def test_item_7_is_skipped_without_drug_use():
    answers = bam()
    answers[BAM.items.index(BAM.item("7a"))] = 0
    with pytest.raises(AnswerError) as error:
        run("bam", answers)
    assert error.value.item == "7a"


def test_item_7_is_required_with_drug_use():
    answers = bam(i6=1)
    answers[BAM.items.index(BAM.item("7c"))] = None
    with pytest.raises(AnswerError) as error:
        run("bam", answers)
    assert error.value.item == "7c"


def test_income_answer_must_be_0_or_4():
    answers = bam()
    answers[BAM.items.index(BAM.item("14"))] = 2
    with pytest.raises(AnswerError) as error:
        run("bam", answers)
    assert error.value.item == "14"
