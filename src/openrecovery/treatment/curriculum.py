"""The relapse-prevention skills curriculum: modules with their objectives, as data.

The program's own curriculum (neutral wording, written for OpenRecovery), ordered as it
is usually taught. Sessions record the module they covered by code; a patient's progress
is the modules covered in sessions they attended.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Module:
    code: str
    title: str
    objectives: tuple[str, ...]


MODULES: tuple[Module, ...] = (
    Module(
        "triggers",
        "Identifying triggers",
        (
            "Name the people, places, feelings and times that came before use.",
            "Map one's own high-risk situations for the weeks ahead.",
        ),
    ),
    Module(
        "cravings",
        "Coping with cravings",
        (
            "Describe how a craving rises and passes.",
            "Practise two ways to ride out a craving (urge surfing, delay and distract).",
        ),
    ),
    Module(
        "refusal",
        "Refusal skills",
        (
            "Say no to an offer clearly and without apology.",
            "Plan what to say to someone who offers pills or asks for them.",
        ),
    ),
    Module(
        "sleep_anxiety",
        "Managing sleep and anxiety without benzodiazepines",
        (
            "Keep a sleep routine and a wind-down plan during and after the taper.",
            "Use breathing, grounding and worry-time for anxiety; know when to call.",
        ),
    ),
    Module(
        "support",
        "Building support",
        (
            "List people and groups to call, and when.",
            "Plan the first weeks of aftercare: meetings, appointments, check-ins.",
        ),
    ),
    Module(
        "lapse_plan",
        "If a lapse happens",
        (
            "Tell a lapse from a relapse, and what to do in the first hour.",
            "Know the dangers of restarting at an old dose, and whom to call.",
        ),
    ),
)

BY_CODE: dict[str, Module] = {m.code: m for m in MODULES}
CHOICES: list[tuple[str, str]] = [(m.code, m.title) for m in MODULES]


def module_title(code: str) -> str:
    """Return a module's title, or the code itself for a module no longer taught."""
    module = BY_CODE.get(code)
    return module.title if module else code
