"""Chart panels contributed by the stage apps.

Each panel is a template and a function that loads its context for one patient whose
access gate the caller has already passed, given the patient's latest episode (which the
chart loads anyway, so a panel need not query it again). The chart renders them in order. A panel
function must run a constant number of queries, whatever the patient's history.
"""

import dataclasses
from collections.abc import Callable
from typing import Any

from openrecovery.accounts.models import User
from openrecovery.privacy.gates import PatientAccess
from openrecovery.records.models import EpisodeOfCare


@dataclasses.dataclass(frozen=True)
class Panel:
    """A section of the chart: its id, template and context loader."""

    key: str
    template: str
    load: Callable[[User, PatientAccess, EpisodeOfCare | None], dict[str, Any]]
    column: str = "main"  # "top" (banners above the chart), "main" (wide) or "side"
    # Relations of the episode the panel reads, loaded with the chart's episode query
    # (select_related paths), so the panel needs no query of its own for them.
    episode_related: tuple[str, ...] = ()


@dataclasses.dataclass
class RenderedPanel:
    key: str
    template: str
    column: str
    context: dict[str, Any]


def _registered() -> list[Panel]:
    # Imported here so that chart stays the only app that knows the stage apps' panels.
    from openrecovery.assessment.selectors import CHART_PANEL_EPISODE_RELATED
    from openrecovery.assessment.selectors import chart_panel as intake_panel
    from openrecovery.instruments.panels import alert_banner_panel, results_panel
    from openrecovery.treatment.panels import curriculum_panel, notes_panel
    from openrecovery.treatment.panels_measurement import measurement_panel
    from openrecovery.treatment.panels_plan import plan_panel

    panels: list[Panel] = [
        Panel("urgent_alerts", "instruments/partials/alert_banner.html", alert_banner_panel, "top"),
        Panel("instruments", "instruments/partials/results.html", results_panel, "main"),
        Panel(
            "measurement", "treatment/partials/measurement_panel.html", measurement_panel, "main"
        ),
        Panel(
            "intake",
            "assessment/partials/chart_panel.html",
            intake_panel,
            "side",
            episode_related=CHART_PANEL_EPISODE_RELATED,
        ),
        Panel("treatment_plan", "treatment/partials/plan_panel.html", plan_panel, "side"),
        Panel("session_notes", "treatment/partials/notes_panel.html", notes_panel, "main"),
        Panel("curriculum", "treatment/partials/curriculum_panel.html", curriculum_panel, "side"),
    ]
    return panels


def chart_panels_episode_related() -> list[str]:
    """Return the episode relations the panels read (for the chart's episode query)."""
    return sorted({path for p in _registered() for path in p.episode_related})


def chart_panels(
    user: User, access: PatientAccess, episode: EpisodeOfCare | None
) -> list[RenderedPanel]:
    """Load every registered panel for a patient the user passed the gate for."""
    return [
        RenderedPanel(p.key, p.template, p.column, p.load(user, access, episode))
        for p in _registered()
    ]
