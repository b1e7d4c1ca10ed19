"""The engine's rules, and checks every shipped definition must pass."""

import pytest

from openrecovery.instruments.engine import (
    Answer,
    AnswerError,
    Band,
    ContextField,
    Exclusion,
    Flag,
    InContext,
    Instrument,
    Item,
    Option,
    Subscale,
    score,
)
from openrecovery.instruments.registry import INSTRUMENTS, instrument_get
from tests.support.instruments import BAND_ORDER

THREE = (Option(0, "no"), Option(1, "some"), Option(2, "much"))

TOY = Instrument(
    code="toy",
    name="Toy",
    version="1",
    timeframe="now",
    items=(
        Item("1", "gate", THREE),
        Item("2", "asked if 1 > 0", THREE, asked_if=Answer("1", ">", 0)),
        Item("3", "reversed", THREE, reverse=True),
        Item("4", "excluded in context", THREE),
        Item("5", "unscored, optional", THREE, scored=False, optional=True),
    ),
    subscales=(Subscale("pair", "Pair", ("1", "3")),),
    bands=(Band("low", "Low", 0, 3), Band("high", "High", 4, 8)),
    flags=(Flag("gate", "Gate open", Answer("1", ">", 0)),),
    exclusions=(Exclusion(("4",), InContext("skip_four"), "Context leaves out item 4."),),
    context_fields=(ContextField("skip_four", "Skip four"),),
    source="test",
    licence="test",
)


def test_reverse_scored_item_counts_mirrored():
    assert score(TOY, [0, None, 0, 0]).total == 2
    assert score(TOY, [0, None, 2, 0]).total == 0


def test_skip_logic_requires_null_when_skipped_and_an_answer_when_asked():
    with pytest.raises(AnswerError) as skipped:
        score(TOY, [0, 1, 0, 0])
    assert skipped.value.item == "2"
    with pytest.raises(AnswerError) as required:
        score(TOY, [1, None, 0, 0])
    assert required.value.item == "2"
    assert score(TOY, [1, 2, 2, 0]).total == 3


def test_exclusion_applies_only_in_its_context():
    assert score(TOY, [2, 2, 2, 2]).total == 6
    assert score(TOY, [2, 2, 2, 2], {"skip_four": True}).total == 4
    assert score(TOY, [2, 2, 2, 2], {"skip_four": False}).total == 6


def test_trailing_optional_item_may_be_left_off_or_null_and_is_not_scored():
    assert score(TOY, [0, None, 2, 0]).answers[-1] is None
    assert score(TOY, [0, None, 2, 0, None]).total == 0
    assert score(TOY, [0, None, 2, 0, 2]).total == 0


def test_subscales_flags_and_band_come_back_in_the_score():
    result = score(TOY, [1, 2, 0, 2])
    assert result.as_dict() == {
        "code": "toy",
        "total": 7,
        "band": "high",
        "flags": ["gate"],
        "subscales": {"pair": 3},
    }


@pytest.mark.parametrize(
    ("answers", "context", "item", "fragment"),
    [
        ([0, None, 0], None, "", "expected 4 to 5 answers"),
        ([0, None, 0, 0, 0, 0], None, "", "expected 4 to 5 answers"),
        ([3, None, 0, 0], None, "1", "not one of 0, 1, 2"),
        ([-1, None, 0, 0], None, "1", "not one of"),
        ([True, None, 0, 0], None, "1", "whole number"),
        (["1", None, 0, 0], None, "1", "whole number"),
        ([1.0, None, 0, 0], None, "1", "whole number"),
        ([0, None, None, 0], None, "3", "required"),
        ([0, None, 0, 0], {"other": True}, "", "unknown context field"),
        ([0, None, 0, 0], {"skip_four": 1}, "", "true or false"),
        ("0000", None, "", "must be a list"),
    ],
)
def test_answer_errors_name_the_item(answers, context, item, fragment):
    with pytest.raises(AnswerError) as error:
        score(TOY, answers, context)
    assert error.value.item == item
    assert fragment in error.value.message


def test_instrument_as_dict_serializes_conditions():
    data = TOY.as_dict()
    assert data["items"][1]["asked_if"] == {"answer": "1", "op": ">", "value": 0}
    assert data["exclusions"][0]["when"] == {"context": "skip_four"}
    assert data["total_range"] == [0, 8]


# --- every shipped definition ---------------------------------------------------------

DEFINITIONS = list(INSTRUMENTS.values())


def test_the_registry_ships_exactly_the_contracted_instruments_in_order():
    assert list(INSTRUMENTS) == [
        "phq9",
        "gad7",
        "cssrs",
        "taps1",
        "taps2",
        "dast10",
        "bam",
        "ciwab",
        "dsm5-sedative",
    ]
    assert instrument_get("phq9") is INSTRUMENTS["phq9"]
    assert instrument_get("PHQ9") is None


@pytest.mark.parametrize("instrument", DEFINITIONS, ids=lambda i: i.code)
def test_definition_cites_source_licence_and_version(instrument):
    assert len(instrument.source) > 40
    assert instrument.licence
    assert instrument.version
    assert instrument.timeframe
    assert instrument.notes


@pytest.mark.parametrize("instrument", DEFINITIONS, ids=lambda i: i.code)
def test_band_codes_are_exactly_the_contracted_ones(instrument):
    assert {b.code for b in instrument.bands} == set(BAND_ORDER[instrument.code])
    assert len(instrument.bands) == len(BAND_ORDER[instrument.code])


@pytest.mark.parametrize("instrument", DEFINITIONS, ids=lambda i: i.code)
def test_every_item_has_distinct_options_and_a_unique_number(instrument):
    numbers = [i.number for i in instrument.items]
    assert len(numbers) == len(set(numbers))
    for item in instrument.items:
        assert item.text
        assert len(item.options) >= 2
        assert len(set(item.values)) == len(item.values)
        assert all(o.label for o in item.options)
        assert item.rated_by in ("patient", "observer")


@pytest.mark.parametrize("instrument", DEFINITIONS, ids=lambda i: i.code)
def test_references_name_existing_items_and_scores(instrument):
    numbers = {i.number for i in instrument.items}
    for subscale in instrument.subscales:
        assert set(subscale.items) <= numbers
    for exclusion in instrument.exclusions:
        assert set(exclusion.items) <= numbers
    bases = {"total", *(s.code for s in instrument.subscales)}
    assert {b.basis for b in instrument.bands} <= bases
    flags = [f.code for f in instrument.flags]
    assert len(flags) == len(set(flags))


@pytest.mark.parametrize(
    "instrument", [i for i in DEFINITIONS if i.has_total], ids=lambda i: i.code
)
def test_threshold_bands_cover_the_total_range_without_gaps_or_overlaps(instrument):
    low, high = instrument.total_range
    assert all(b.when is None and b.basis == "total" for b in instrument.bands)
    for total in range(low, high + 1):
        matching = [b.code for b in instrument.bands if b.low <= total <= b.high]
        assert len(matching) == 1, (total, matching)
    assert min(b.low for b in instrument.bands) == low
    assert max(b.high for b in instrument.bands) == high


@pytest.mark.parametrize(
    "instrument", [i for i in DEFINITIONS if not i.has_total], ids=lambda i: i.code
)
def test_rule_bands_end_with_a_default_so_every_answer_set_gets_one(instrument):
    *rules, default = instrument.bands
    assert all(b.when is not None for b in rules)
    assert default.when is None and default.low is None and default.high is None
    assert instrument.as_dict()["total_range"] is None


@pytest.mark.parametrize("instrument", DEFINITIONS, ids=lambda i: i.code)
def test_definition_serializes(instrument):
    data = instrument.as_dict()
    assert data["code"] == instrument.code
    assert len(data["items"]) == len(instrument.items)
