"""The public benzodiazepine self-check: counts, bands, flags, and its DSM-5-TR mapping."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrecovery.instruments.definitions.dsm5_sedative import DSM5_SEDATIVE
from openrecovery.instruments.definitions.selfcheck_benzo import (
    BENZO_SELFCHECK,
    DSM5_CRITERION_BY_ITEM,
    FOUR_CS_DSM5_CRITERIA,
    SECTIONS,
)
from openrecovery.instruments.engine import score
from openrecovery.instruments.registry import (
    INSTRUMENTS,
    SELF_CHECKS,
    instrument_get,
    public_definition_get,
    self_check_get,
)
from tests.support.instruments import complete, valid_answers

from . import test_engine as shared

SIGNS = list(DSM5_CRITERION_BY_ITEM)
VALID_CRITERIA = set(range(1, 12))
BANDS = ("none_or_one", "few_signs", "some_signs", "many_signs")


def answers_with(yes: set[str]) -> list[int | None]:
    """Return a full answer list: yes to the ``yes`` items, no to every other."""
    return complete(BENZO_SELFCHECK, {number: 1 for number in yes})


def test_registered_as_a_public_self_check_not_a_staff_instrument():
    assert SELF_CHECKS["benzo-selfcheck"] is BENZO_SELFCHECK
    assert "benzo-selfcheck" not in INSTRUMENTS
    # The helpline re-scores a self-check someone sends by looking its code up.
    assert self_check_get("benzo-selfcheck") is BENZO_SELFCHECK
    assert public_definition_get("benzo-selfcheck") is BENZO_SELFCHECK
    # Staff administer validated instruments only: the self-check is not one.
    assert instrument_get("benzo-selfcheck") is None


@pytest.mark.parametrize(
    "check",
    [
        shared.test_definition_cites_source_licence_and_version,
        shared.test_every_item_has_distinct_options_and_a_unique_number,
        shared.test_references_name_existing_items_and_scores,
        shared.test_threshold_bands_cover_the_total_range_without_gaps_or_overlaps,
        shared.test_definition_serializes,
    ],
    ids=lambda check: check.__name__,
)
def test_passes_the_checks_every_shipped_definition_passes(check):
    check(BENZO_SELFCHECK)


def test_sources_are_dsm5_tr_and_the_asam_definition_not_the_four_cs():
    assert "DSM-5-TR" in BENZO_SELFCHECK.source
    assert "Definition of Addiction" in BENZO_SELFCHECK.source
    assert "four Cs" not in BENZO_SELFCHECK.source
    assert "not a validated" in BENZO_SELFCHECK.licence.lower()


def test_every_criterion_has_exactly_one_counted_question():
    assert sorted(DSM5_CRITERION_BY_ITEM.values()) == sorted(VALID_CRITERIA)
    scored = [i.number for i in BENZO_SELFCHECK.items if i.scored]
    assert scored == SIGNS


def test_four_cs_map_only_to_valid_criteria_and_never_overlap():
    mapped = [c for criteria in FOUR_CS_DSM5_CRITERIA.values() for c in criteria]
    assert set(FOUR_CS_DSM5_CRITERIA) == {"control", "compulsion", "cravings", "consequences"}
    assert set(mapped) <= VALID_CRITERIA
    assert len(mapped) == len(set(mapped))
    # Tolerance and withdrawal are physiology, not one of the four Cs.
    assert not {10, 11} & set(mapped)


def test_the_mapping_is_written_into_the_notes_the_api_serves():
    notes = BENZO_SELFCHECK.as_dict()["notes"]
    for item, criterion in DSM5_CRITERION_BY_ITEM.items():
        assert f"item {item} -> criterion {criterion}" in notes


def test_the_range_is_the_dsm5_tr_count_of_criteria():
    assert BENZO_SELFCHECK.total_range == (0, 11) == DSM5_SEDATIVE.total_range


def test_sections_list_every_question_once_in_order():
    numbers = [n for _heading, items in SECTIONS for n in items]
    assert numbers == [i.number for i in BENZO_SELFCHECK.items]


@pytest.mark.parametrize(
    ("count", "band"),
    [(0, "none_or_one"), (1, "none_or_one"), (2, "few_signs"), (3, "few_signs")]
    + [(4, "some_signs"), (5, "some_signs"), (6, "many_signs"), (11, "many_signs")],
)
def test_the_count_of_signs_gives_the_band(count, band):
    result = score(BENZO_SELFCHECK, answers_with(set(SIGNS[:count])))
    assert (result.total, result.band, result.flags) == (count, band, ())


def test_bands_speak_of_signs_never_of_a_disorder():
    for band in BENZO_SELFCHECK.bands:
        assert "sign" in band.label
        for word in ("disorder", "mild", "moderate", "severe", "addict", "diagnos"):
            assert word not in band.label.lower()
            assert word not in band.code


@pytest.mark.parametrize(
    ("item", "flag"),
    [("2", "overuse"), ("14", "mixing_risk"), ("15", "seizure_risk"), ("16", "self_harm")],
)
def test_each_danger_question_raises_its_flag_and_is_not_counted(item, flag):
    result = score(BENZO_SELFCHECK, answers_with({item}))
    assert result.flags == (flag,)
    assert (result.total, result.band) == (0, "none_or_one")


def test_all_danger_flags_together_with_self_harm_first():
    result = score(BENZO_SELFCHECK, answers_with({"2", "14", "15", "16"}))
    assert result.flags == ("self_harm", "seizure_risk", "mixing_risk", "overuse")


def test_tolerance_and_withdrawal_do_not_count_when_taken_only_as_prescribed():
    both = {"12", "13"}
    assert score(BENZO_SELFCHECK, answers_with(both)).total == 2
    assert score(BENZO_SELFCHECK, answers_with(both | {"1"})).total == 0
    # Taking more than prescribed is not "only as prescribed": they count again.
    overused = score(BENZO_SELFCHECK, answers_with(both | {"1", "2"}))
    assert (overused.total, overused.flags) == (2, ("overuse",))


@settings(max_examples=300, deadline=None)
@given(valid_answers(BENZO_SELFCHECK), st.data())
def test_total_stays_in_range_and_a_yes_never_lowers_the_band(answers, data):
    result = score(BENZO_SELFCHECK, answers)
    assert 0 <= result.total <= 11
    assert result.band in BANDS
    sign = data.draw(st.sampled_from(SIGNS))
    position = [i.number for i in BENZO_SELFCHECK.items].index(sign)
    raised = list(answers)
    raised[position] = 1
    assert BANDS.index(score(BENZO_SELFCHECK, raised).band) >= BANDS.index(result.band)
