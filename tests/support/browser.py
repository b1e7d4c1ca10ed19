"""The browser tests' helpers: Chromium's settings, request log, page checks and sign-in.

Playwright drives a real Chromium against ``live_server``; the fixtures in
tests/browser/conftest.py use these.
"""

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from openrecovery.accounts.models import User
from tests.support.auth import totp_code
from tests.support.factories import PASSWORD

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


def totp_key_from_secret(secret: str) -> bytes:
    """Decode the base32 secret shown on the enrolment page."""
    secret = secret.strip().replace(" ", "").upper()
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def device_key(user: User) -> bytes:
    """Return the secret of the user's confirmed authenticator."""
    return TOTPDevice.objects.get(user=user, confirmed=True).bin_key


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


def sign_in_again(page: Page, user: User) -> None:
    """Sign ``user`` in on the sign-in page the browser is on (keeping its ``next``).

    The code of the first sign-in may still be the current one; TOTP codes are
    single-use, so the device forgets it was used (as the next 30-second window would).
    """
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/accounts/mfa/"))
    page.get_by_label("Code", exact=True).fill(totp_code(device_key(user)))
    page.get_by_role("button", name="Verify").click()


def kept_drafts(page: Page) -> dict[str, dict]:
    """Return the unsent answers the tab keeps (app.js), by key."""
    return page.evaluate(
        """() => Object.fromEntries(Object.keys(sessionStorage)
            .filter((k) => k.startsWith("openrecovery.draft."))
            .map((k) => [k, JSON.parse(sessionStorage.getItem(k))]))"""
    )


def assert_fits_width(page: Page) -> None:
    """Fail when the page scrolls sideways (it is wider than the window)."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the {page.viewport_size} window"


def safety_plan_fill(page: Page) -> None:
    """Fill a new safety plan's draft as a counselor would with the patient (not signed)."""
    page.get_by_label("1. Warning signs").fill("Not sleeping; pulling away from my sister.")
    page.get_by_label("2. Things I can do on my own").fill("Walk the dog; box breathing.")
    page.locator("#id_help_1_name").fill("My sister Jo")
    page.locator("#id_help_1_phone").fill("555-0142")
    page.get_by_label("Medications").fill("Jo holds my clonazepam and gives me each day's dose.")
    page.get_by_label("Firearms").fill("No firearms at home.")
    page.get_by_label("The one thing").fill("My daughter.")
