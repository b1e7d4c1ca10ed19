"""Fixtures for the browser tests: Chromium, the live server, sign-in, axe and screenshots.

Chromium comes from CHROMIUM_PATH, else Debian's /usr/bin/chromium, else Playwright's
own download. Playwright's sync API runs an event loop in the test thread, so the ORM
would refuse to run there; the tests use ``live_server`` (a real server thread with a
transactional database) and allow the ORM to run beside the loop.
"""

import base64
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, Page, expect

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from tests.support.chromium import chromium_executable
from tests.support.factories import PASSWORD, make_staff

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_DIR / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 800}
PHONE_VIEWPORT = {"width": 390, "height": 844}
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
# Stop waiting early: a page of this app that needs more than this is a bug.
TIMEOUT_MS = 10_000


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests after all others.

    pytest regroups items by pytest-playwright's session-wide ``browser_name`` parameter,
    undoing pytest-django's "transactional tests last" order. These tests leave rows in
    the append-only audit tables (``flush`` cannot remove them), which tests that count
    audit events from an empty table must not see.
    """
    browser = [item for item in items if item.get_closest_marker("browser")]
    if browser:
        items[:] = [item for item in items if not item.get_closest_marker("browser")] + browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch headless Chromium without sandbox, GPU or background network chatter."""
    args = {**browser_type_launch_args, "headless": True, "args": CHROMIUM_ARGS}
    executable = chromium_executable()
    if executable:
        args["executable_path"] = executable
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """Give every page a desktop viewport, US English and reduced motion."""
    # Reduced motion switches Bootstrap's colour transitions off, so an axe scan right
    # after a click sees the final colours, not a half-faded button (a flaky contrast hit).
    return {
        **browser_context_args,
        "viewport": VIEWPORT,
        "locale": "en-US",
        "reduced_motion": "reduce",
    }


@dataclass
class RequestLog:
    """Every URL the browser asked for, and every console error and page error it saw."""

    urls: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def foreign(self, origin: str) -> list[str]:
        """Return the requested URLs that are not on ``origin`` (data: URLs are local)."""
        allowed = urlsplit(origin).netloc
        return [
            url
            for url in self.urls
            if not url.startswith(("data:", "blob:", "about:")) and urlsplit(url).netloc != allowed
        ]


@pytest.fixture
def request_log(context: BrowserContext) -> RequestLog:
    """Record what every page of the test's browser context requests and reports."""
    log = RequestLog()
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    context.on("request", lambda req: log.urls.append(req.url))

    def watch(page: Page) -> None:
        page.on(
            "console",
            lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))

    context.on("page", watch)
    return log


@pytest.fixture
def server(live_server, request_log: RequestLog) -> Iterator[str]:
    """Yield the live server's URL; afterwards check the browser stayed on it, without errors."""
    yield live_server.url
    assert request_log.urls, "the browser made no request at all"
    assert request_log.foreign(live_server.url) == [], "requests to a third-party host"
    assert request_log.page_errors == [], "JavaScript errors on a page"
    assert request_log.console_errors == [], "console errors (CSP violations, failed loads)"


def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


class Inspector:
    """Check each page a test visits: an axe-core scan and a screenshot."""

    def __init__(self, test_name: str) -> None:
        self.prefix = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name.removeprefix("test_")).strip("_")
        self.axe = _axe()
        self.pages: list[str] = []

    def screenshot(self, page: Page, step: str, *, full_page: bool = True) -> Path:
        """Save a screenshot of ``page`` to test-artifacts/<test>-<step>.png."""
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        path = ARTIFACTS_DIR / f"{self.prefix}-{step}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    def accessibility(self, page: Page, step: str) -> None:
        """Fail listing the serious and critical axe-core violations on ``page``."""
        results = self.axe.run(page)
        blocking = [
            v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS
        ]
        if blocking:
            lines = [f"axe-core found serious or critical violations on {step} ({page.url}):"]
            for violation in blocking:
                targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
                lines.append(
                    f"- {violation['id']} ({violation['impact']}): {violation['help']}"
                    f" at {'; '.join(targets)}"
                )
            pytest.fail("\n".join(lines), pytrace=False)

    def check(self, page: Page, step: str, *, full_page: bool = True) -> None:
        """Check that the stylesheet loaded, scan with axe, and take the screenshot."""
        page.wait_for_load_state("load")
        assert_styled(page)
        self.screenshot(page, step, full_page=full_page)
        self.accessibility(page, step)
        self.pages.append(step)


@pytest.fixture
def inspect(request) -> Inspector:
    """Return the axe-and-screenshot checker named after the test."""
    return Inspector(request.node.originalname)


def assert_styled(page: Page) -> None:
    """Fail unless Bootstrap, app.css and htmx are loaded (so screenshots show the real UI)."""
    navbar_bg = page.eval_on_selector("header.navbar", "el => getComputedStyle(el).backgroundColor")
    assert navbar_bg not in ("", "rgba(0, 0, 0, 0)", "transparent"), "Bootstrap did not load"
    loaded = page.evaluate(
        """() => ({
            htmx: typeof window.htmx !== "undefined",
            appCss: [...document.styleSheets].some(s => (s.href || "").endsWith("app.css")
                && s.cssRules.length > 0),
        })"""
    )
    assert loaded == {"htmx": True, "appCss": True}, loaded


def totp_code(key: bytes, *, offset: int = 0) -> str:
    """Return the six-digit TOTP for ``key`` now (``offset`` time steps away)."""
    return f"{totp(key, step=30, t0=0, digits=6, drift=offset):06d}"


def totp_key_from_secret(secret: str) -> bytes:
    """Decode the base32 secret shown on the enrolment page."""
    secret = secret.strip().replace(" ", "").upper()
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def device_key(user: User) -> bytes:
    """Return the secret of the user's confirmed authenticator."""
    return TOTPDevice.objects.get(user=user, confirmed=True).bin_key


def staff(role: str, username: str, first_name: str, last_name: str, *, totp: bool = True) -> User:
    """Create a staff member with a readable fictional name (for the screenshots)."""
    user = make_staff(role, username, totp=totp)
    User.objects.filter(pk=user.pk).update(first_name=first_name, last_name=last_name)
    user.refresh_from_db()
    return user


@pytest.fixture
def director(transactional_db) -> User:
    """Return a clinical director (overrides the shared fixture with a readable name)."""
    return staff(Role.CLINICAL_DIRECTOR, "director", "Morgan", "Ellis")


@pytest.fixture
def counselor(transactional_db) -> User:
    """Return a counselor (overrides the shared fixture with a readable name)."""
    return staff(Role.COUNSELOR, "counselor", "Jamie", "Chen")


def sign_in_password(page: Page, base_url: str, user: User) -> None:
    """Open the sign-in page and pass the password step."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/accounts/mfa/"))


def sign_in(page: Page, base_url: str, user: User) -> None:
    """Sign ``user`` in with password and a TOTP code; land on the dashboard."""
    sign_in_password(page, base_url, user)
    page.get_by_label("Code", exact=True).fill(totp_code(device_key(user)))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="My patients")).to_be_visible()
