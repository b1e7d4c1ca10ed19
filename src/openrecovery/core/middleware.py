"""Response headers every page carries, and the JSON API's one media type."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

# Everything is served by the app itself: no CDN, no third-party script or font.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)
# No page needs the camera, microphone, location, payments or other powerful features,
# and none may be granted to a frame.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), "
    "xr-spatial-tracking=()"
)


class SecurityHeadersMiddleware:
    """Add a strict Content-Security-Policy and Permissions-Policy; keep PHI out of caches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


API_PREFIX = "/api/"
ERROR_NOT_JSON_MEDIA = "Send the request body as JSON, with Content-Type: application/json."
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class JsonBodyMiddleware:
    """Answer 415 to an API request whose body is not declared ``application/json``.

    A ``text/plain`` (or form-encoded) POST is a "simple" request that any web page can
    send cross-site without a CORS preflight; requiring JSON closes that door for the
    public endpoints, which have no session and so no CSRF check.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in BODY_METHODS
            and request.path.startswith(API_PREFIX)
            and request.content_type != "application/json"
            and _carries_data(request)
        ):
            return JsonResponse({"detail": ERROR_NOT_JSON_MEDIA}, status=415)
        return self.get_response(request)


def _carries_data(request: HttpRequest) -> bool:
    """Return whether the request has a body (a bodiless POST sends Content-Length 0)."""
    return request.META.get("CONTENT_LENGTH", "0") not in ("", "0")
