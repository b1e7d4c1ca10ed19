"""Markers for who may open a view; staff views use accounts.access.staff_view."""

from collections.abc import Callable

PUBLIC = "public"
SIGNED_IN = "signed_in"


def public_view(view: Callable) -> Callable:
    """Mark a view as open to everyone (it must show no patient data)."""
    view.access_permission = PUBLIC  # type: ignore[attr-defined]
    return view
