"""Fixtures for the browser tests: Chromium, the live server, axe and screenshots.

Chromium comes from CHROMIUM_PATH, else Debian's /usr/bin/chromium, else Playwright's
own download. Playwright's sync API runs an event loop in the test thread, so the ORM
would refuse to run there; the tests use ``live_server`` (a real server thread with a
transactional database) and allow the ORM to run beside the loop.
The helpers (sign-in, the request log, the page checker) are in tests/support/browser.py.
"""

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from tests.support.browser import CHROMIUM_ARGS, TIMEOUT_MS, VIEWPORT, Inspector, RequestLog
from tests.support.chromium import chromium_executable
from tests.support.factories import make_staff

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


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


@pytest.fixture
def inspect(request) -> Inspector:
    """Return the axe-and-screenshot checker named after the test."""
    return Inspector(request.node.originalname)


@pytest.fixture
def director(transactional_db) -> User:
    """Return a clinical director (overrides the shared fixture with a readable name)."""
    return make_staff(Role.CLINICAL_DIRECTOR, "director", first_name="Morgan", last_name="Ellis")


@pytest.fixture
def counselor(transactional_db) -> User:
    """Return a counselor (overrides the shared fixture with a readable name)."""
    return make_staff(Role.COUNSELOR, "counselor", first_name="Jamie", last_name="Chen")
