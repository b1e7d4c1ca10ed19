"""Render every HTML page the app can show (each as a user who may see it), and read pages."""

import dataclasses
import re
from html.parser import HTMLParser

from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.accounts.access import roles_allowed
from openrecovery.accounts.roles import Role
from tests.support.access import AccessWorld, concrete_path, documented_pages
from tests.support.assessment import signed_intake_patient
from tests.support.auth import totp_code
from tests.support.factories import PASSWORD, make_staff, verified_client

HTML = "text/html"
ASSET_ATTRIBUTES = {
    "script": "src",
    "link": "href",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "audio": "src",
    "video": "src",
    "embed": "src",
    "object": "data",
}
PERMISSIONS = {"public": "public", "signed in (any role)": "signed_in"}
# The per-response CSRF token, so two rendered pages can be compared byte for byte.
OPTION = re.compile(r'<option value="(\d+)"[^>]*>([^<]*)</option>')
CSRF_VALUE = re.compile(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]*"')


@dataclasses.dataclass
class RenderedPage:
    """One page as a browser would get it: what was asked, and the final response."""

    label: str
    status: int
    body: str
    headers: dict

    @property
    def is_document(self) -> bool:
        """Return True for a whole page (htmx partials are fragments of one)."""
        return "<html" in self.body


class LinkCollector(HTMLParser):
    """Collect asset URLs (tag, attribute, value) and link targets from an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[tuple[str, str]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        wanted = ASSET_ATTRIBUTES.get(tag)
        if wanted and values.get(wanted):
            self.assets.append((tag, values[wanted] or ""))
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")


def page_text(response) -> str:
    """Return a response body without its CSRF token (the one part that varies by design)."""
    return CSRF_VALUE.sub("", response.content.decode())


def collect(body: str) -> LinkCollector:
    parser = LinkCollector()
    parser.feed(body)
    parser.close()
    return parser


def _keep(pages: list[RenderedPage], label: str, response) -> None:
    if response.get("Content-Type", "").startswith(HTML):
        content = b"".join(response.streaming_content) if response.streaming else response.content
        pages.append(RenderedPage(label, response.status_code, content.decode(), response.headers))


def _client_for(world: AccessWorld, permission_cell: str) -> Client:
    if permission_cell == "public":
        return Client()
    allowed = roles_allowed(PERMISSIONS.get(permission_cell, permission_cell))
    # The director sees the most (every clinical page); prefer it when allowed.
    role = Role.CLINICAL_DIRECTOR if Role.CLINICAL_DIRECTOR in allowed else allowed[0]
    return verified_client(world.staff[role])


def _fetch(client: Client, row, url: str):
    if row.fields["methods"] == "POST":
        return client.post(url, follow=True)
    return client.get(url, follow=True)


def _tour_public_help(pages: list[RenderedPage]) -> None:
    """Add the public help pages' other states: result, errors, prefill, sent, rate limit."""
    numbers = [f"item_{i}" for i in range(1, 17)]
    visitor = Client()
    answers = {name: "1" for name in numbers}
    _keep(pages, "self-check result", visitor.post("/help/self-check/", answers))
    _keep(pages, "self-check errors", visitor.post("/help/self-check/", {"item_1": "1"}))
    prefill = {"prefill": "1", "self_check_answers": ",".join("1" * 16)}
    _keep(pages, "callback prefilled", visitor.post("/help/callback/", prefill))
    _keep(pages, "callback errors", visitor.post("/help/callback/", {"name": "Sam"}))
    request = {"name": "Sam", "phone": "555-0142", "for_whom": "myself", "consent": "on"}
    with override_settings(HELPLINE_RATE_LIMIT="1/h"):
        _keep(pages, "callback sent", visitor.post("/help/callback/", request, follow=True))
        _keep(pages, "callback rate limited", visitor.post("/help/callback/", request))


def _tour_admissions(pages: list[RenderedPage], world: AccessWorld) -> None:
    """Add the admissions console's other states: claimed with its forms, banners, errors."""
    coordinator = verified_client(world.staff[Role.ADMISSIONS_COORDINATOR])
    page = f"/admissions/inquiries/{world.inquiry_reference}/"
    _keep(pages, "admissions claimed", coordinator.post(f"{page}claim/", follow=True))
    prescreen = {"substance_rows": "3", "substance_0": "alprazolam", "pregnancy": "yes"}
    prescreen |= {"suicidal_thoughts": "on", "overdose_signs": "on", "opioid_co_use": "on"}
    _keep(
        pages, "admissions banners", coordinator.post(f"{page}prescreen/", prescreen, follow=True)
    )
    _keep(pages, "admissions call errors", coordinator.post(f"{page}calls/", {"outcome": "x"}))
    _keep(pages, "admissions log errors", coordinator.post("/admissions/log-call/", {}))
    _keep(
        pages,
        "admissions taken",
        verified_client(world.staff[Role.CLINICAL_DIRECTOR]).post(f"{page}claim/"),
    )


def tour(world: AccessWorld) -> list[RenderedPage]:
    """Return every HTML page of docs/access.md, plus sign-in steps and error pages.

    Pages are fetched as a user allowed to open them, following redirects; POST-only
    views get an empty POST (their form errors or the page they redirect to).
    """
    pages: list[RenderedPage] = []
    ids = world.ids()
    for row in documented_pages():
        url = concrete_path(row.path, ids)
        client = _client_for(world, row.fields["permission"])
        _keep(pages, f"{row.name} {url}", _fetch(client, row, url))
        if row.fields["permission"] == "public":
            signed_in = verified_client(world.staff[Role.NURSE])
            _keep(pages, f"{row.name} {url} (signed in)", _fetch(signed_in, row, url))
    director = verified_client(world.staff[Role.CLINICAL_DIRECTOR])
    _keep(pages, "search results", director.post("/patients/search/", {"q": "Matrix"}, follow=True))
    _keep(pages, "403", verified_client(world.staff[Role.CONTENT_EDITOR]).get("/audit/"))
    _keep(pages, "404", director.get("/patients/99999999/"))
    signed = signed_intake_patient(world.staff[Role.CLINICAL_DIRECTOR])
    _keep(pages, "signed intake", director.get(f"/patients/{signed.pk}/assessment/"))
    save = f"/patients/{signed.pk}/assessment/save/"
    _keep(pages, "autosave refused", director.post(save, {"section": "medical"}, follow=True))
    _keep(pages, "404 anonymous", Client().get("/no/such/page/"))
    _keep(pages, "login with errors", Client().post("/accounts/login/", {"username": "x"}))
    unverified = Client()
    unverified.force_login(world.staff[Role.NURSE])
    _keep(pages, "mfa verify", unverified.get("/accounts/mfa/"))
    _keep(pages, "mfa verify with error", unverified.post("/accounts/mfa/", {"code": "000000"}))
    newcomer = make_staff(Role.COUNSELOR, "tour_newcomer", totp=False)
    enrolling = Client()
    enrolling.force_login(newcomer)
    _keep(pages, "mfa enrol", enrolling.get("/accounts/mfa/"))
    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    _keep(pages, "recovery codes", enrolling.post("/accounts/mfa/", {"code": totp_code(device)}))
    _tour_public_help(pages)
    _tour_admissions(pages, world)
    locked = Client()
    for _ in range(6):
        response = locked.post(
            "/accounts/login/", {"username": newcomer.username, "password": PASSWORD + "x"}
        )
    _keep(pages, "locked out", response)
    return pages


def select_options(body: str, name: str) -> dict[int, str]:
    """Return the options of the page's ``<select name=name>`` as {value: label}."""
    select = body.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return {int(pk): label for pk, label in OPTION.findall(select)}
