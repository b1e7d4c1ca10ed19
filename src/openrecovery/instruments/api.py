"""Instrument endpoints of the JSON API (scoring is public: nothing stored, no one identified)."""

from ninja import Router

router = Router(tags=["instruments"])
