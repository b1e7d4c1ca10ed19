"""Pages that belong to no clinical app: crisis resources and error pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .access import public_view


@public_view
def crisis_resources(request: HttpRequest) -> HttpResponse:
    """Show the crisis resources; public, one click away from every page."""
    return render(request, "core/crisis.html")


@public_view
def healthz(request: HttpRequest) -> HttpResponse:
    """Report that the process is up (for load balancers); no database access."""
    return HttpResponse("ok", content_type="text/plain")


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Render a plain not-found page that never echoes the request."""
    return render(request, "404.html", status=404)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Render a forbidden page that carries no patient data."""
    return render(request, "403.html", status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    """Render a plain server-error page with no details."""
    return render(request, "500.html", status=500)
