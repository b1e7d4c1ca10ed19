"""Views that only take a form's POST: what they answer to GET, and the page they belong to;
and where a form returns to once done (``return_url``).

A form posts to an address of its own (``.../schedule/``) and, when the data is refused,
the view draws the page the form belongs to with the errors. The browser then shows the
POST-only address, so a reload or a bookmark asked it for a page with GET and got
"405 Method Not Allowed". ``post_only`` fixes both ends: GET (and HEAD) are sent to the
page the form belongs to, and a page drawn in answer to the POST carries that page's
address (``page_url`` in the template context; app.js puts it in the address bar).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

PAGE_URL_ATTRIBUTE = "page_url"
RETURN_FIELD = "next"
RETURN_MAX_LENGTH = 500


def post_only(page: str, *url_kwargs: str) -> Callable[[Callable], Callable]:
    """Accept only POST; send GET to the URL named ``page`` (with the view's ``url_kwargs``).

    Other methods still get 405. The page's address is put on the request (as
    ``page_url``) so an error page drawn in answer to the POST shows it.
    """

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        only_post = require_POST(view)

        @wraps(only_post)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            url = reverse(page, kwargs={name: kwargs[name] for name in url_kwargs})
            if request.method in ("GET", "HEAD"):
                return redirect(url)
            setattr(request, PAGE_URL_ATTRIBUTE, url)
            return only_post(request, *args, **kwargs)

        return wrapped

    return decorate


def page_url(request: HttpRequest) -> str:
    """Return the address of the page a POST-only view's answer belongs to ('' otherwise)."""
    return str(getattr(request, PAGE_URL_ATTRIBUTE, ""))


def return_url(request: HttpRequest, default: str) -> str:
    """Return where to go once done: the request's ``next`` (the POST's, else the query
    string's) when it is a path on this site, else ``default``.

    Only a local path is followed (never another host, a scheme, ``//host`` or a
    backslash trick), and nothing holding a control character, which would reach the
    Location header.
    """
    target = request.POST.get(RETURN_FIELD) or request.GET.get(RETURN_FIELD) or ""
    if (
        target.startswith("/")
        and len(target) <= RETURN_MAX_LENGTH
        and target.isprintable()
        and url_has_allowed_host_and_scheme(target, allowed_hosts=None)
    ):
        return target
    return default
