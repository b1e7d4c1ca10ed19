"""The demo data for tests: run ``manage.py demo_data`` and sign in as its users."""

import io

from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import RequestFactory

PASSWORD_ENV = "OPENRECOVERY_DEMO_PASSWORD"


def run(*args: str) -> str:
    """Run ``manage.py demo_data`` with ``args``; return what it printed."""
    out = io.StringIO()
    call_command("demo_data", *args, verbosity=0, stdout=out)
    return out.getvalue()


def signs_in(username: str, password: str) -> bool:
    """Return whether the sign-in backends accept ``username`` with ``password``."""
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="127.0.0.1")
    request.user = AnonymousUser()  # a failed sign-in is audited from the request
    return authenticate(request, username=username, password=password) is not None
