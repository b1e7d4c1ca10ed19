"""Property tests: totals and subscales stay in range; bands never fall as answers rise."""

from hypothesis import given, settings
from hypothesis import strategies as st

from openrecovery.instruments.registry import INSTRUMENTS
from tests.support.instruments import BAND_ORDER, asked, run, valid_answers

# Published ranges, written out rather than derived from the definitions.
TOTAL_RANGE = {
    "phq9": (0, 27),
    "gad7": (0, 21),
    "dast10": (0, 10),
    "ciwab": (0, 80),
    "dsm5-sedative": (0, 11),
}
SUBSCALE_RANGE = {
    ("bam", "use"): (0, 12),
    ("bam", "risk"): (0, 24),
    ("bam", "protective"): (0, 24),
    ("ciwab", "patient"): (0, 68),
    ("ciwab", "observer"): (0, 12),
    **{("taps2", s.code): (0, len(s.items)) for s in INSTRUMENTS["taps2"].subscales},
}
# Items where a higher answer means less concern: DAST-10 item 3 (reverse-scored) and the
# BAM's protective items (more protection lowers the summary band).
LOWER_IS_WORSE = {
    ("dast10", "3"),
    *(("bam", n) for n in ("9", "10", "12", "13", "14", "16")),
}
CODES = sorted(INSTRUMENTS)


@st.composite
def scored_answers(draw: st.DrawFn) -> tuple[str, list[int | None], dict[str, bool]]:
    code = draw(st.sampled_from(CODES))
    instrument = INSTRUMENTS[code]
    context = {f.key: draw(st.booleans()) for f in instrument.context_fields}
    return code, draw(valid_answers(instrument)), context


@settings(max_examples=400, deadline=None)
@given(scored_answers())
def test_totals_and_subscales_stay_within_the_published_range(case):
    code, answers, context = case
    result = run(code, answers, context)
    if code in TOTAL_RANGE:
        low, high = TOTAL_RANGE[code]
        assert low <= result.total <= high
        assert INSTRUMENTS[code].total_range == (low, high)
    else:
        assert result.total is None
    for name, value in result.subscales.items():
        low, high = SUBSCALE_RANGE[(code, name)]
        assert low <= value <= high
    assert result.band in BAND_ORDER[code]


def _raised(code: str, answers: list[int | None], position: int) -> list[int | None] | None:
    """Return the answers with item ``position`` one option higher, newly asked items at
    their lowest option and newly skipped ones null; None when it cannot rise."""
    instrument = INSTRUMENTS[code]
    item = instrument.items[position]
    current = answers[position]
    higher = sorted(v for v in item.values if current is None or v > current)
    if current is None or not higher:
        return None
    by_number = {i.number: a for i, a in zip(instrument.items, answers, strict=True)}
    by_number[item.number] = higher[0]
    result: dict[str, int | None] = {}
    for other in instrument.items:
        if not asked(instrument, result, other.number):
            result[other.number] = None
        elif by_number[other.number] is None and not other.optional:
            result[other.number] = min(other.values)
        else:
            result[other.number] = by_number[other.number]
    return [result[i.number] for i in instrument.items]


@settings(max_examples=600, deadline=None)
@given(scored_answers(), st.data())
def test_bands_never_fall_as_an_answer_rises(case, data):
    code, answers, context = case
    instrument = INSTRUMENTS[code]
    position = data.draw(st.integers(0, len(instrument.items) - 1))
    raised = _raised(code, answers, position)
    if raised is None:
        return
    order = BAND_ORDER[code]
    before = order.index(run(code, answers, context).band)
    after = order.index(run(code, raised, context).band)
    if (code, instrument.items[position].number) in LOWER_IS_WORSE:
        assert after <= before
    else:
        assert after >= before


@settings(max_examples=200, deadline=None)
@given(scored_answers())
def test_scoring_is_deterministic_and_keeps_the_answers(case):
    code, answers, context = case
    first, second = run(code, answers, context), run(code, answers, context)
    assert first == second
    assert list(first.answers[: len(answers)]) == answers
