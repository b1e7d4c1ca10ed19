"""Build docs/access.md: who may open every URL, read from each view's declared permission.

Pages declare access with ``accounts.access.staff_view(permission)`` or ``public_view``;
both set ``view.access_permission``. A view without that attribute is an error, so a new
view cannot slip in undeclared. The JSON API is listed separately: each django-ninja
operation is either public or needs an API token or an MFA-verified session.

This lives in chart, the rightmost app, because it reads every app's URLs.
"""

import dataclasses
import inspect
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from openrecovery.accounts.access import PUBLIC, SIGNED_IN, roles_allowed
from openrecovery.accounts.roles import ROLE_PERMISSIONS, Role

ALLOW = "allow"
DENY = "deny (403)"
LOGIN = "login"
UNAUTHORIZED = "401"
ANONYMOUS = "anonymous"
ANY_METHOD = "any"
NINJA_APP_NAME = "ninja"
API_PUBLIC = "public"
# How the API's authentication classes read in the table.
API_AUTH_LABELS = {
    "BearerTokenAuth": "token",
    "VerifiedSessionAuth": "MFA session",
}
PERMISSION_LABELS = {PUBLIC: "public", SIGNED_IN: "signed in (any role)"}

ERROR_UNDECLARED = (
    "The view behind {path} ({name}) declares no access: decorate it with "
    "accounts.access.staff_view(permission) or public_view."
)
ERROR_UNKNOWN_PERMISSION = (
    "The view behind {path} ({name}) requires {permission!r}, which no role holds."
)


class UndeclaredAccessError(ImproperlyConfigured):
    """A URL's view does not say who may open it, or names a permission no role has."""


@dataclasses.dataclass(frozen=True)
class PageRoute:
    """One page URL: its name, pattern, accepted methods and required permission."""

    name: str
    path: str
    methods: str
    permission: str
    anonymous_to: str = ""  # a path anonymous visitors are sent to instead of the login

    def cell(self, column: str) -> str:
        """Return what ``column`` (a Role value or ANONYMOUS) gets from this page."""
        if self.permission == PUBLIC:
            return ALLOW
        if column == ANONYMOUS:
            return f"redirect to {self.anonymous_to}" if self.anonymous_to else LOGIN
        return ALLOW if column in roles_allowed(self.permission) else DENY


@dataclasses.dataclass(frozen=True)
class ApiOperation:
    """One operation of the JSON API: name, method, path and authentication."""

    name: str
    method: str
    path: str
    auth: str

    def cell(self, column: str) -> str:
        """Return what ``column`` (a Role value or ANONYMOUS) gets from this operation."""
        if self.auth == API_PUBLIC or column != ANONYMOUS:
            return ALLOW
        return UNAUTHORIZED


def _walk(
    patterns: list, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern | URLResolver]]:
    """Yield (path, namespaced name, pattern) for every URL, descending into includes.

    A ninja API's resolver is yielded as a whole instead of descended into.
    """
    for entry in patterns:
        path = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.app_name == NINJA_APP_NAME:
                yield path, entry.namespace or "", entry
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, path, inner)
        else:
            yield path, f"{namespace}{entry.name}" if entry.name else "", entry


def _view_methods(view: Callable) -> str:
    """Return the HTTP methods a view accepts, or ANY_METHOD when it does not restrict them."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        names = [
            m.upper()
            for m in view_class.http_method_names
            if m not in ("head", "options") and hasattr(view_class, m)
        ]
        return ", ".join(names)
    func: Any = view
    while func is not None:
        try:
            nonlocals = inspect.getclosurevars(func).nonlocals
        except TypeError:
            nonlocals = {}
        # django.views.decorators.http.require_http_methods keeps its list in a closure.
        allowed = nonlocals.get("request_method_list")
        if allowed:
            return ", ".join(allowed)
        func = getattr(func, "__wrapped__", None)
    return ANY_METHOD


def _known_permission(permission: str) -> bool:
    if permission in (PUBLIC, SIGNED_IN):
        return True
    return any(permission in perms for perms in ROLE_PERMISSIONS.values())


def page_routes(urlconf: str | None = None) -> list[PageRoute]:
    """Return every page URL of ``urlconf`` (default: the root URLconf), API excluded.

    Raise UndeclaredAccessError for a view without ``access_permission``.
    """
    routes = []
    for path, name, entry in _walk(get_resolver(urlconf).url_patterns, "/"):
        if isinstance(entry, URLResolver):
            continue
        permission = getattr(entry.callback, "access_permission", None)
        if permission is None:
            raise UndeclaredAccessError(ERROR_UNDECLARED.format(path=path, name=name or "-"))
        if not _known_permission(permission):
            raise UndeclaredAccessError(
                ERROR_UNKNOWN_PERMISSION.format(path=path, name=name or "-", permission=permission)
            )
        anonymous_to = getattr(entry.callback, "anonymous_to", "")
        routes.append(
            PageRoute(
                name,
                path,
                _view_methods(entry.callback),
                permission,
                reverse(anonymous_to) if anonymous_to else "",
            )
        )
    return routes


def _api_auth_label(auth_callbacks: list) -> str:
    if not auth_callbacks:
        return API_PUBLIC
    names = [type(cb).__name__ for cb in auth_callbacks]
    return " or ".join(API_AUTH_LABELS.get(n, n) for n in names)


def _path_operations(callback: Callable) -> list | None:
    """Return the ninja operations behind ``callback``, or None for a ninja built-in view."""
    if getattr(callback, "func", None) is not None:  # functools.partial: openapi.json, root
        return None
    try:
        path_view = inspect.getclosurevars(callback).nonlocals.get("self")
    except TypeError:
        path_view = None
    operations = getattr(path_view, "operations", None)
    if operations is None:
        raise UndeclaredAccessError(
            f"Cannot read the django-ninja operations behind {callback!r}; "
            "update chart/access_table.py for this ninja version."
        )
    return operations


def api_operations(urlconf: str | None = None) -> list[ApiOperation]:
    """Return every operation of every ninja API mounted in ``urlconf``, with its auth."""
    operations = []
    for prefix, namespace, entry in _walk(get_resolver(urlconf).url_patterns, "/"):
        if not isinstance(entry, URLResolver):
            continue
        for pattern in entry.url_patterns:
            if not isinstance(pattern, URLPattern):
                continue
            path = prefix + str(pattern.pattern)
            name = f"{namespace}:{pattern.name}" if pattern.name else namespace
            found = _path_operations(pattern.callback)
            if found is None:
                operations.append(ApiOperation(name, "GET", path, API_PUBLIC))
                continue
            for operation in found:
                for method in operation.methods:
                    auth = _api_auth_label(list(operation.auth_callbacks))
                    operations.append(ApiOperation(name, method, path, auth))
    return operations


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _code(text: str) -> str:
    return f"`{text}`" if text else "-"


def access_table_markdown(urlconf: str | None = None) -> str:
    """Return docs/access.md: one row per URL, one column per role and for anonymous users."""
    roles = list(Role)
    columns = [str(r) for r in roles] + [ANONYMOUS]
    headers = [r.label for r in roles] + [ANONYMOUS]
    lines = [
        "# Who may open each URL",
        "",
        "Generated from the views' declared permissions (`staff_view`, `public_view`) by",
        "`python manage.py access_table`; do not edit by hand.",
        "`tests/core/test_authorization_matrix.py` requests every cell.",
        "",
        f"- `{ALLOW}`: the view runs.",
        f"- `{DENY}`: a forbidden page that carries no patient data.",
        f"- `{LOGIN}`: redirected to `/accounts/login/?next=<path>`.",
        "- `redirect to <path>`: sent there instead of the login (the site's root sends "
        "visitors to the public help pages).",
        f"- `{UNAUTHORIZED}`: the API answers 401 Authentication required.",
        "- A signed-in user who has not passed MFA is redirected to `/accounts/mfa/` from",
        "  every page that is not public, and gets 401 from the API.",
        "- `allow` on a patient's page or API operation opens the view; which patients it",
        "  shows is decided by the privacy gates (care team, stage coverage, break-glass),",
        "  and any other patient is a 404 (see `docs/adr/0003-access-gates.md`).",
        "",
        "## Pages",
        "",
        _row(["URL name", "path", "methods", "permission", *headers]),
        "|" + "---|" * (4 + len(headers)),
    ]
    for route in page_routes(urlconf):
        permission = PERMISSION_LABELS.get(route.permission, f"`{route.permission}`")
        cells = [route.cell(c) for c in columns]
        lines.append(
            _row([_code(route.name), _code(route.path), route.methods, permission, *cells])
        )
    lines += [
        "",
        "## API",
        "",
        _row(["operation", "method", "path", "auth", *headers]),
        "|" + "---|" * (4 + len(headers)),
    ]
    for op in api_operations(urlconf):
        cells = [op.cell(c) for c in columns]
        lines.append(_row([_code(op.name), op.method, _code(op.path), op.auth, *cells]))
    return "\n".join(lines) + "\n"
