"""Views that only take a form's POST: what they answer to GET, and the page they belong to.

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
from django.views.decorators.http import require_POST

PAGE_URL_ATTRIBUTE = "page_url"


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
