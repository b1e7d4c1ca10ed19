"""The instruments' chart panels: the urgent-alert banner and the latest results."""

import dataclasses
from typing import Any

from django.urls import reverse

from openrecovery.accounts.models import User
from openrecovery.privacy.choices import AccessBasis
from openrecovery.privacy.gates import PatientAccess
from openrecovery.records.models import EpisodeOfCare

from .selectors import latest_results, unresolved_alert_groups

ADMINISTER_PERMISSION = "instruments.administer_instrument"
_CODE_SLOT = "instrumentcode"  # a slug no instrument has: where each code goes in the URL


@dataclasses.dataclass(frozen=True)
class AdministerLink:
    """A link to administer one instrument to the patient (reversed once for all)."""

    url: str
    short_name: str
    name: str


def alert_banner_panel(
    user: User, access: PatientAccess, episode: EpisodeOfCare | None
) -> dict[str, Any]:
    """Load the patient's unresolved urgent alerts (one query)."""
    return {
        "patient": access.patient,
        "groups": unresolved_alert_groups(access.patient, user),
        "on_team": access.basis == AccessBasis.CARE_TEAM,
    }


def results_panel(
    user: User, access: PatientAccess, episode: EpisodeOfCare | None
) -> dict[str, Any]:
    """Load the latest result of each instrument (one query)."""
    results = latest_results(access.patient)
    can_administer = user.has_perm(ADMINISTER_PERMISSION)
    links = []
    if can_administer:
        url = reverse("instruments:administer", args=[access.patient.pk, _CODE_SLOT])
        links = [
            AdministerLink(
                url.replace(_CODE_SLOT, r.instrument.code), r.short_name, r.instrument.name
            )
            for r in results
        ]
    return {
        "patient": access.patient,
        "given": [r for r in results if r.administration is not None],
        "all": results,
        "can_administer": can_administer,
        "administer": links,
    }
