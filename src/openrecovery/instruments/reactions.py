"""What the apps above do when an instrument result is recorded: an explicit registry.

``instruments`` may not import the stages and pathways built on it, yet a result must
be acted on in the same transaction that stores it (a positive PHQ-9 item 9 owes a
C-SSRS; a C-SSRS result sets the suicide-risk level). Each app that acts registers one
reaction at start-up (``AppConfig.ready``); ``administration_recorded`` calls every
reaction in registration order, inside its transaction, and returns what they opened.
A reaction that raises rolls the whole administration back: nothing is half-recorded.
See docs/adr/0013-administration-reactions.md.
"""

import dataclasses
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from openrecovery.accounts.models import User
from openrecovery.records.models import ClinicalAlert, ClinicalTask, EpisodeOfCare, Patient

from .models import Administration


@dataclasses.dataclass(frozen=True)
class Recorded:
    """A stored administration, as the reactions see it."""

    administration: Administration
    patient: Patient
    episode: EpisodeOfCare | None
    actor: User
    request: HttpRequest | None


@dataclasses.dataclass(frozen=True)
class Notice:
    """Something else a reaction opened, for the clinician: in words, with its page."""

    text: str
    url: str = ""
    link_text: str = "Open the checklist"
    # How the page shows it: "error" (act now), "warning" or "info".
    level: str = "error"


@dataclasses.dataclass
class FollowUp:
    """What reactions opened for one administration: tasks and alerts (new ones only),
    and notices of anything else (a safety precautions checklist) with where to find it.

    ``answer`` holds fields a reaction adds to the administrations API's answer (the
    withdrawal stage's ``next_due_at`` and ``protocol_version``); each must be declared,
    optional, in ``schemas.AdministrationOut``, and appears only when a reaction set it.
    """

    tasks: list[ClinicalTask] = dataclasses.field(default_factory=list)
    alerts: list[ClinicalAlert] = dataclasses.field(default_factory=list)
    notices: list[Notice] = dataclasses.field(default_factory=list)
    answer: dict[str, Any] = dataclasses.field(default_factory=dict)

    def add(self, other: "FollowUp") -> None:
        self.tasks.extend(other.tasks)
        self.alerts.extend(other.alerts)
        self.notices.extend(other.notices)
        self.answer.update(other.answer)


Reaction = Callable[[Recorded], FollowUp]
_REACTIONS: list[Reaction] = []


def reaction_register(reaction: Reaction) -> None:
    """Register ``reaction`` to run on every recorded administration (once)."""
    if reaction not in _REACTIONS:
        _REACTIONS.append(reaction)


def reactions() -> tuple[Reaction, ...]:
    """Return the registered reactions, in registration order."""
    return tuple(_REACTIONS)
