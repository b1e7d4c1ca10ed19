"""The JSON API under /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid

from openrecovery.accounts.api_auth import BearerTokenAuth, VerifiedSessionAuth
from openrecovery.chart.api import router as patients_router
from openrecovery.core.api import AUTH_ERRORS, validation_problems
from openrecovery.core.api import router as core_router
from openrecovery.helpline.api import router as helpline_router
from openrecovery.instruments.api import router as instruments_router


class MeOut(Schema):
    id: int
    username: str
    role: str


api = NinjaAPI(
    title="OpenRecovery API",
    version="1",
    urls_namespace="api",
    auth=[BearerTokenAuth(), VerifiedSessionAuth()],
    docs_url=None,
)
api.add_router("/", core_router)
api.add_router("/", patients_router)
api.add_router("/", instruments_router)
api.add_router("/", helpline_router)


@api.get("/me", response={200: MeOut, **AUTH_ERRORS}, tags=["accounts"])
def me(request: HttpRequest) -> object:
    """Return the authenticated caller."""
    return request.user


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": "Authentication required."}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(RequestInvalid)
def unprocessable(request: HttpRequest, exc: RequestInvalid) -> HttpResponse:
    # One shape for every 422 of the API: {"detail": [{"field": ..., "message": ...}]}.
    problems = validation_problems(list(exc.errors))
    return api.create_response(request, {"detail": problems}, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # django-ninja's one 400 is a body that is not JSON: a 422 like any bad input.
        problems = [{"field": "", "message": "The request body is not valid JSON."}]
        return api.create_response(request, {"detail": problems}, status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
