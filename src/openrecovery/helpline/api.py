"""Helpline endpoints of the JSON API: public callback requests and the staff queue."""

from ninja import Router

router = Router(tags=["helpline"])
