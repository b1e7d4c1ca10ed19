"""Session timeouts and the MFA requirement, enforced on every request."""

import math
import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import LazyObject, empty
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from openrecovery.core.htmx import is_background_refresh, is_htmx, redirect_page
from openrecovery.core.prepared import PreparedQuery

# Paths a signed-in but not yet MFA-verified user may reach. No patient data lives here.
MFA_EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/mfa/",
    "/static/",
    "/crisis/",
    "/help/",
    "/healthz",
    "/api/",
)
ACTIVITY_WRITE_INTERVAL = 30  # seconds; avoids a session write on every request
SESSION_LOGIN_AT = "openrecovery_login_at"
SESSION_LAST_ACTIVITY = "openrecovery_last_activity"
# Every answer to a signed-in request says how long the session has left, so the page's
# clock (app.js) warns before the idle sign-out even after htmx requests.
SECONDS_LEFT_HEADER = "X-Session-Seconds-Left"


def session_touch(request: HttpRequest, now: float) -> None:
    """Count ``now`` as activity: the idle clock starts again."""
    request.session[SESSION_LAST_ACTIVITY] = now
    # The stored session outlives the idle limit by one write interval, so the timeout
    # middleware (which audits the logout) ends idle sessions, not the store.
    request.session.set_expiry(settings.SESSION_IDLE_TIMEOUT + ACTIVITY_WRITE_INTERVAL)


def session_seconds_left(request: HttpRequest, now: float) -> int:
    """Return the seconds until the session ends for inactivity or for its age."""
    session = request.session
    last = session.get(SESSION_LAST_ACTIVITY, now)
    login_at = session.get(SESSION_LOGIN_AT, now)
    left = min(
        settings.SESSION_IDLE_TIMEOUT - (now - last),
        settings.SESSION_ABSOLUTE_TIMEOUT - (now - login_at),
    )
    # Rounded up: the page's clock must not run out while the server still holds the session.
    return max(0, math.ceil(left))


def _return_to(request: HttpRequest) -> str:
    """Return the page to come back to after signing in again ('' for none).

    A page asked with GET is itself; a form's POST returns to its address (a POST-only
    address sends GET on to the form's page, see ``core.http.post_only``); an htmx
    request (a poll) returns to the page that made it.
    """
    if is_htmx(request):
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        if current.netloc != request.get_host() or current.path == "/":
            return ""
        return current.path + (f"?{current.query}" if current.query else "")
    if request.method == "GET":
        back = request.get_full_path()
    else:
        back = request.path
    return "" if back == "/" else back


class SessionTimeoutMiddleware:
    """End sessions idle longer than SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_TIMEOUT."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.get(SESSION_LOGIN_AT, now)
            last = session.get(SESSION_LAST_ACTIVITY, now)
            idle = now - last > settings.SESSION_IDLE_TIMEOUT
            expired = now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or expired:
                # The logout signal audits the event with this reason.
                reason = "absolute_timeout" if expired else "idle_timeout"
                request.logout_reason = reason  # type: ignore[attr-defined]
                logout(request)
                if request.path.startswith("/api/"):
                    return HttpResponse(status=401)
                query = {"expired": "1"}
                if back := _return_to(request):
                    query["next"] = back
                login = f"{reverse('accounts:login')}?{urlencode(query)}"
                # A fragment request (a poll) must take the whole page to the login.
                return redirect_page(login) if is_htmx(request) else redirect(login)
            if SESSION_LOGIN_AT not in session:
                session[SESSION_LOGIN_AT] = now
            if is_background_refresh(request):
                pass  # a poll is not activity: the idle clock keeps running
            elif now - last >= ACTIVITY_WRITE_INTERVAL or SESSION_LAST_ACTIVITY not in session:
                session_touch(request, now)
        response = self.get_response(request)
        if request.user.is_authenticated:
            response[SECONDS_LEFT_HEADER] = str(session_seconds_left(request, time.time()))
        return response


class MFARequiredMiddleware:
    """Send signed-in staff who have not passed MFA in this session to the MFA step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
        ):
            target = reverse("accounts:mfa")
            if request.method == "GET" and request.path != "/":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)


class ConcreteUserMiddleware:
    """Put the user object itself on the request, unwrapped from its lazy proxies.

    The auth middleware wraps the user in a lazy object, and django-otp wraps that in
    another; every read of ``request.user.<anything>`` (hundreds on a page: selectors,
    permission checks, templates) went through both. The session timeout and MFA
    middleware above have already loaded the user, so this changes no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        while isinstance(user, LazyObject):
            if user._wrapped is empty:  # type: ignore[attr-defined]
                user._setup()  # type: ignore[attr-defined]
            user = user._wrapped  # type: ignore[attr-defined]
        if user is not None:
            request.user = user
        return self.get_response(request)


# One prepared read per device model (TOTP, static codes), built on first use.
_DEVICE_READS: dict[type[Device], PreparedQuery] = {}


def _device_read(model: type[Device]) -> PreparedQuery:
    read = _DEVICE_READS.get(model)
    if read is None:
        read = _DEVICE_READS[model] = PreparedQuery(
            lambda device_id: model.objects.filter(id=device_id).order_by("pk")[:1]
        )
    return read


class PreparedOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, with the session's device read by a prepared query.

    The device is found as ``Device.from_persistent_id`` finds it ("app.model/id");
    anything that is not such an id of a device model is no device, as there.
    ``_finalize_device`` (django-otp's) still checks it is the user's and confirmed.
    """

    def _device_from_persistent_id(self, persistent_id: str) -> Device | None:
        persistent_id = self._normalize_persistent_id(persistent_id)
        try:
            label, device_id = persistent_id.rsplit("/", 1)
            model = apps.get_model(label)
            number = int(device_id)
        except (ValueError, LookupError):
            return None
        if not issubclass(model, Device):
            return None
        found = _device_read(model).fetch(device_id=number)
        return found[0] if found else None
