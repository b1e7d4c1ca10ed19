"""Treatment's endpoints of the JSON API (access-gated and audited)."""

from ninja import Router

router = Router(tags=["treatment"])
