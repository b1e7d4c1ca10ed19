"""The instruments' chart panels: the urgent-alert banner and the latest results."""

from typing import Any

from openrecovery.privacy.choices import AccessBasis
from openrecovery.privacy.gates import PatientAccess

from .selectors import latest_results, unresolved_alert_groups

ADMINISTER_PERMISSION = "instruments.administer_instrument"


def alert_banner_panel(user: Any, access: PatientAccess, episode: Any) -> dict[str, Any]:
    """Load the patient's unresolved urgent alerts (one query)."""
    return {
        "patient": access.patient,
        "groups": unresolved_alert_groups(access.patient, user),
        "on_team": access.basis == AccessBasis.CARE_TEAM,
    }


def results_panel(user: Any, access: PatientAccess, episode: Any) -> dict[str, Any]:
    """Load the latest result of each instrument (one query)."""
    results = latest_results(access.patient)
    return {
        "patient": access.patient,
        "given": [r for r in results if r.administration is not None],
        "all": results,
        "can_administer": user.has_perm(ADMINISTER_PERMISSION),
    }
