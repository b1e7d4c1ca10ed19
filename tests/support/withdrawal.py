"""CIWA-B answers of a chosen size, and recording them, for the withdrawal tests."""

from openrecovery.instruments.services import administration_recorded


def ciwab_answers(patient: int = 0, observer: int = 0) -> list[int]:
    """Return 20 answers whose patient-rated items sum to ``patient`` (at most 68) and
    observer-rated items to ``observer`` (at most 12), filled from the first item on."""
    assert 0 <= patient <= 68 and 0 <= observer <= 12
    answers = []
    for count, total in ((17, patient), (3, observer)):
        for _ in range(count):
            answer = min(4, total)
            answers.append(answer)
            total -= answer
    return answers


def ciwab_record(patient, actor, *, total: int = 0, observer: int = 0, **kwargs):
    """Record a CIWA-B of ``total`` points (``observer`` of them observer-rated)."""
    return administration_recorded(
        actor=actor,
        patient=patient,
        code="ciwab",
        answers=ciwab_answers(total - observer, observer),
        **kwargs,
    )
