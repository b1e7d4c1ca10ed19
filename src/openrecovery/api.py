"""The JSON API under /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid

from openrecovery.accounts.access import StaffRequest
from openrecovery.accounts.api_auth import BearerTokenAuth, VerifiedSessionAuth
from openrecovery.chart.api import router as patients_router
from openrecovery.core.api import (
    AUTH_ERRORS,
    BenchIn,
    BenchOut,
    bench_enabled,
    field_problems,
    validation_problems,
)
from openrecovery.core.api import router as core_router
from openrecovery.core.errors import DomainError, InvalidInput
from openrecovery.core.models import BenchRow
from openrecovery.helpline.api import router as helpline_router
from openrecovery.instruments.api import router as instruments_router
from openrecovery.medications.api import router as medications_router
from openrecovery.safety.api import router as safety_router
from openrecovery.treatment.api import router as treatment_router
from openrecovery.treatment.notes_api import router as treatment_notes_router
from openrecovery.withdrawal.api import router as withdrawal_router

ERROR_NOT_FOUND = "Not found."
ERROR_NOT_JSON = "The request body is not valid JSON."


class MeOut(Schema):
    id: int
    username: str
    role: str


class OpenRecoveryAPI(NinjaAPI):
    """The API, whose document also states the 415 every JSON body can get."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for methods in schema["paths"].values():
            for operation in methods.values():
                if "requestBody" in operation:
                    operation["responses"].setdefault("415", UNSUPPORTED_MEDIA_RESPONSE)
        return schema


# core.middleware.JsonBodyMiddleware answers it before any endpoint runs.
UNSUPPORTED_MEDIA_RESPONSE = {
    "description": "The body is not sent as application/json.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
            }
        }
    },
}

api = OpenRecoveryAPI(
    title="OpenRecovery API",
    version="1",
    urls_namespace="api",
    auth=[BearerTokenAuth(), VerifiedSessionAuth()],
    docs_url=None,
)
api.add_router("/", core_router)
api.add_router("/", patients_router)
api.add_router("/", instruments_router)
api.add_router("/", safety_router)
api.add_router("/", helpline_router)
api.add_router("/", medications_router)
api.add_router("/", withdrawal_router)
api.add_router("/", treatment_router)
api.add_router("/", treatment_notes_router)


@api.get("/me", response={200: MeOut, **AUTH_ERRORS}, tags=["accounts"])
def me(request: StaffRequest) -> object:
    """Return the authenticated caller."""
    return request.user


@api.post("/bench/write-staff", response={201: BenchOut, **AUTH_ERRORS}, include_in_schema=False)
def bench_write_staff(request: StaffRequest, body: BenchIn) -> tuple[int, dict]:
    """Staff write floor: the write floor's insert behind staff authentication (a verified
    session or a token), so a staff endpoint can be weighed against what signing in alone
    costs. Disabled by production settings."""
    bench_enabled()
    row = BenchRow.objects.create(payload=body.payload)
    return 201, {"id": row.pk}


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """Answer a refusal with the status, JSON body and headers its error declares."""
    response = api.create_response(request, exc.body(), status=exc.status)
    for name, value in exc.headers().items():
        response[name] = value
    return response


@api.exception_handler(ValidationError)
def service_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # A service's field errors: the same 422 as a request the schema refused.
    return domain_error(request, InvalidInput(field_problems(exc)))


@api.exception_handler(RequestInvalid)
def request_invalid(request: HttpRequest, exc: RequestInvalid) -> HttpResponse:
    # One shape for every 422 of the API: {"detail": [{"field": ..., "message": ...}]}.
    return domain_error(request, InvalidInput(validation_problems(list(exc.errors))))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": ERROR_NOT_FOUND}, status=404)


@api.exception_handler(PermissionDenied)
def not_permitted(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    # A caller who may not touch something is answered as if it did not exist.
    return not_found(request, Http404())


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": "Authentication required."}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # django-ninja's one 400 is a body that is not JSON: a 422 like any bad input.
        return domain_error(request, InvalidInput([{"field": "", "message": ERROR_NOT_JSON}]))
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
