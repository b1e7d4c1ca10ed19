"""Public helpline pages: get help now, the self-check, the callback form and privacy.

No login, no third-party assets, and no personal data in a URL: the forms POST, and
the callback reference reaches the confirmation page through the session. The
self-check is scored and shown, never stored or audited (no one is identified).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from openrecovery.core.access import public_view
from openrecovery.core.clients import client_address
from openrecovery.core.errors import RateLimited
from openrecovery.core.forms import form_add_service_errors
from openrecovery.helpline.choices import ForWhom
from openrecovery.helpline.forms import CallbackRequestForm
from openrecovery.helpline.services import CallbackInvalid, callback_request_create

from .selfcheck import (
    ANSWERS_FIELD,
    SELF_CHECK,
    answers_decode,
    self_check_form,
    self_check_payload,
    self_check_result,
    self_check_sections,
)

SESSION_REFERENCE = "helpline_callback_reference"
PREFILL_FIELD = "prefill"
INCLUDE_FIELD = "include_self_check"
PREFILL_PLACEHOLDER = "Which benzodiazepines, if you know (e.g. Xanax, Klonopin)"
DEFAULT_RESPONSE_MINUTES = 15
ERROR_TOO_LARGE = "That request is too large to send. Please shorten your message."


def response_minutes() -> int:
    """Return how soon the program promises a first call back."""
    return int(getattr(settings, "HELPLINE_RESPONSE_MINUTES", DEFAULT_RESPONSE_MINUTES))


@public_view
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Show "Get help now": the 24/7 number, crisis lines and safe first steps."""
    return render(request, "helpline/public/home.html")


@public_view
@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest) -> HttpResponse:
    """Show the self-check; on POST explain the result directly (nothing is stored)."""
    form = self_check_form(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            context = {"result": self_check_result(form.answers()), "answers_field": ANSWERS_FIELD}
            return render(request, "helpline/public/self_check_result.html", context)
        status = 422
    context = {
        "instrument": SELF_CHECK,
        "form": form,
        "sections": self_check_sections(form),
        "error_count": len(form.errors) if form.is_bound else 0,
    }
    return render(request, "helpline/public/self_check.html", context, status=status)


def _callback_page(
    request: HttpRequest,
    form: CallbackRequestForm,
    answers: list[int | None] | None,
    *,
    include: bool,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "attached": self_check_result(answers) if answers is not None else None,
        "include": include,
        "answers_field": ANSWERS_FIELD,
        "include_field": INCLUDE_FIELD,
        "errors": errors or [],
        "response_minutes": response_minutes(),
    }
    return render(request, "helpline/public/callback.html", context, status=status)


@public_view
@require_http_methods(["GET", "POST"])
def callback_request(request: HttpRequest) -> HttpResponse:
    """Ask for a callback; on POST store it and redirect to the confirmation page.

    A POST from the self-check result (``prefill``) only shows the form with the
    answers attached; they are stored only if the person keeps them and sends.
    """
    if request.method == "GET":
        return _callback_page(request, CallbackRequestForm(), None, include=False)
    # A callback request is a few short fields; a far larger body is not a person typing.
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.HELPLINE_MAX_BODY_BYTES:
        return _callback_page(
            request,
            CallbackRequestForm(),
            None,
            include=False,
            errors=[ERROR_TOO_LARGE],
            status=413,
        )
    answers = answers_decode(request.POST.get(ANSWERS_FIELD))
    if PREFILL_FIELD in request.POST:
        # A hint, not a value: a prefilled value got glued to what the person typed
        # ("Benzodiazepinesxanax"), and the attached self-check already says benzodiazepines.
        form = CallbackRequestForm(
            initial={"for_whom": ForWhom.MYSELF} if answers is not None else None
        )
        if answers is not None:
            form.fields["substances"].widget.attrs["placeholder"] = PREFILL_PLACEHOLDER
        return _callback_page(request, form, answers, include=answers is not None)
    include = answers is not None and request.POST.get(INCLUDE_FIELD) == "on"
    form = CallbackRequestForm(request.POST)
    if form.honeypot_filled():
        # Answer a bot as if it had worked; nothing is stored and no reference exists.
        return redirect("helpline:public:callback_sent")
    if not form.is_valid():
        return _callback_page(request, form, answers, include=include, status=422)
    try:
        inquiry = callback_request_create(
            data=form.cleaned_data,
            source_ip=client_address(request),
            request=request,
            self_check=self_check_payload(answers) if include and answers is not None else None,
        )
    except RateLimited as limited:
        context = {"retry_minutes": max(1, -(-limited.retry_after // 60))}
        response = render(request, "helpline/public/rate_limited.html", context, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    except CallbackInvalid as invalid:
        # The form's rules are the service's, so only the attached self-check is left.
        problems = invalid.message_dict
        errors = problems.pop("self_check", [])
        if problems:
            form_add_service_errors(form, ValidationError(problems))
        return _callback_page(request, form, answers, include=include, errors=errors, status=422)
    request.session[SESSION_REFERENCE] = inquiry.reference
    return redirect("helpline:public:callback_sent")


@public_view
@require_GET
def callback_sent(request: HttpRequest) -> HttpResponse:
    """Confirm a sent callback request: its reference and what happens next."""
    context = {
        "reference": request.session.get(SESSION_REFERENCE, ""),
        "response_minutes": response_minutes(),
    }
    return render(request, "helpline/public/callback_sent.html", context)


@public_view
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    """Explain in plain words what the public forms collect and who sees it."""
    return render(request, "helpline/public/privacy.html")
