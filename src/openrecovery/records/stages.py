"""The episode-of-care stage machine: which moves are allowed and what they require."""

from .choices import DischargeType, Stage

ALLOWED_MOVES: dict[str, frozenset[str]] = {
    Stage.INQUIRY: frozenset({Stage.ASSESSMENT, Stage.CLOSED}),
    # Withdrawal management may be skipped when the assessment finds no need for it.
    Stage.ASSESSMENT: frozenset({Stage.WITHDRAWAL_MANAGEMENT, Stage.TREATMENT, Stage.CLOSED}),
    Stage.WITHDRAWAL_MANAGEMENT: frozenset({Stage.TREATMENT, Stage.CLOSED}),
    # A return to use during treatment can need supervised withdrawal again.
    Stage.TREATMENT: frozenset({Stage.AFTERCARE, Stage.WITHDRAWAL_MANAGEMENT, Stage.CLOSED}),
    # Stepping back up from aftercare keeps the same episode.
    Stage.AFTERCARE: frozenset({Stage.TREATMENT, Stage.CLOSED}),
    # A closed episode never reopens: readmission starts a new episode.
    Stage.CLOSED: frozenset(),
}

# Which discharge types make sense leaving which stage.
DISCHARGE_FROM: dict[str, frozenset[str]] = {
    DischargeType.COMPLETED: frozenset({Stage.TREATMENT, Stage.AFTERCARE}),
    DischargeType.AGAINST_ADVICE: frozenset(
        {Stage.WITHDRAWAL_MANAGEMENT, Stage.TREATMENT, Stage.AFTERCARE}
    ),
    DischargeType.REFERRED_OUT: frozenset(set(Stage) - {Stage.CLOSED}),
    DischargeType.LOST_CONTACT: frozenset(set(Stage) - {Stage.CLOSED}),
    DischargeType.NOT_ADMITTED: frozenset({Stage.INQUIRY, Stage.ASSESSMENT}),
    DischargeType.ADMINISTRATIVE: frozenset(set(Stage) - {Stage.CLOSED}),
}

READMISSION_STAGES = frozenset({Stage.INQUIRY, Stage.ASSESSMENT})


def allowed_moves(stage: str) -> list[str]:
    """Return the stages an episode in ``stage`` may move to, in path order."""
    return [s for s in Stage if s in ALLOWED_MOVES[stage]]


def discharge_types_from(stage: str) -> list[str]:
    """Return the discharge types allowed when closing an episode from ``stage``."""
    return [d for d in DischargeType if stage in DISCHARGE_FROM[d]]
