"""Sign a demo user in over HTTP (password, then TOTP) and hand back the cookies."""

import dataclasses
import http.cookiejar
import re
import urllib.parse
import urllib.request

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclasses.dataclass
class SignedIn:
    """A verified staff session: the Cookie header and the CSRF token for POSTs."""

    cookie: str
    csrf: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def _opener(jar: http.cookiejar.CookieJar, follow: bool = True) -> urllib.request.OpenerDirector:
    handlers: list = [urllib.request.HTTPCookieProcessor(jar)]
    if not follow:
        handlers.append(_NoRedirect())
    return urllib.request.build_opener(*handlers)


def _post(opener, url: str, fields: dict[str, str]) -> str:
    data = urllib.parse.urlencode(fields).encode()
    with opener.open(urllib.request.Request(url, data=data), timeout=30) as response:
        return response.read().decode()


def _csrf(page: str) -> str:
    found = CSRF_FIELD.search(page)
    if found is None:
        raise RuntimeError("no CSRF token on the page: did the sign-in form change?")
    return found.group(1)


def sign_in(base: str, username: str, password: str, code: str) -> SignedIn:
    """Sign in at ``base`` and pass MFA with ``code``; raise if the dashboard is not reached."""
    jar = http.cookiejar.CookieJar()
    opener = _opener(jar)
    with opener.open(f"{base}/accounts/login/", timeout=30) as response:
        page = response.read().decode()
    token = _csrf(page)
    page = _post(
        opener,
        f"{base}/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
    )
    token = _csrf(page)  # the MFA page, after the redirect
    _post(opener, f"{base}/accounts/mfa/", {"code": code, "csrfmiddlewaretoken": token})
    cookies = {c.name: c.value for c in jar}
    signed_in = SignedIn(
        cookie="; ".join(f"{k}={v}" for k, v in cookies.items()),
        csrf=cookies.get("csrftoken") or "",
    )
    page_check(base, "/", signed_in)
    return signed_in


def page_check(
    base: str, path: str, signed_in: SignedIn, body: str = "", htmx: bool = False
) -> None:
    """Fetch a staff page with the session and raise unless it is a 200 (not a redirect)."""
    headers = {"Cookie": signed_in.cookie, "X-CSRFToken": signed_in.csrf}
    if htmx:
        headers["HX-Request"] = "true"
    request = urllib.request.Request(base + path, data=body.encode() or None, headers=headers)
    opener = _opener(http.cookiejar.CookieJar(), follow=False)
    try:
        with opener.open(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status != 200:
        raise RuntimeError(f"{path} answered {status} instead of 200 for the signed-in user")
