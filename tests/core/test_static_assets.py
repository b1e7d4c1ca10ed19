"""No asset from a CDN: every page loads CSS, JS and images from the app itself."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

from openrecovery.core.middleware import CONTENT_SECURITY_POLICY
from tests.support.pages import collect

STATIC_SOURCE = Path(settings.BASE_DIR) / "core" / "static"
VENDORED = {
    "vendor/bootstrap/bootstrap.min.css": "text/css",
    "vendor/htmx/htmx.min.js": "text/javascript",
}
SAME_ORIGIN_HOSTS = ("", "testserver")
# CSP source expressions that name no host.
HOSTLESS_SOURCES = {"'self'", "'none'", "data:"}
CSS_REMOTE_REFERENCE = re.compile(r"@import|url\(\s*['\"]?\s*(?:https?:)?//", re.IGNORECASE)


@pytest.fixture
def pages(toured_pages):
    assert len(toured_pages) > 20
    return toured_pages


def is_same_origin(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "data":
        return True
    return parts.scheme in ("", "http", "https") and parts.netloc in SAME_ORIGIN_HOSTS


def test_pages_load_assets_only_from_the_app(pages):
    foreign = []
    for page in pages:
        for tag, url in collect(page.body).assets:
            if not is_same_origin(url):
                foreign.append(f"{page.label}: <{tag}> {url}")
    assert not foreign, "\n".join(foreign)


def test_pages_load_the_vendored_bootstrap_and_htmx(pages):
    for page in pages:
        if not page.is_document:
            continue
        assets = {url for _tag, url in collect(page.body).assets}
        for name in VENDORED:
            assert static(name) in assets, (page.label, name)


def test_vendored_css_pulls_nothing_from_elsewhere():
    for name in VENDORED:
        text = (STATIC_SOURCE / name).read_text(encoding="utf-8")
        assert not CSS_REMOTE_REFERENCE.search(text), name
    assert "sourceMappingURL" not in (STATIC_SOURCE / "vendor/htmx/htmx.min.js").read_text()


def test_vendored_files_are_served_by_the_app(tmp_path):
    with override_settings(STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
        client = Client()  # a new handler, so WhiteNoise indexes the new STATIC_ROOT
        for name, content_type in VENDORED.items():
            response = client.get(f"/static/{name}")
            assert response.status_code == 200, name
            assert response["Content-Type"].startswith(content_type), name
            served = b"".join(response.streaming_content)
            assert served == (STATIC_SOURCE / name).read_bytes(), name


def _csp_sources(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_content_security_policy_names_no_other_host(pages):
    for page in pages:
        policy = page.headers.get("Content-Security-Policy")
        assert policy, page.label
        directives = _csp_sources(policy)
        for name, sources in directives.items():
            assert set(sources) <= HOSTLESS_SOURCES, (page.label, name, sources)
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]


def test_content_security_policy_on_api_and_error_responses(db):
    client = Client()
    for url in ("/api/v1/health", "/api/v1/me", "/no/such/page/", "/healthz"):
        assert client.get(url)["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url


def test_permissions_policy_denies_powerful_features_everywhere(db):
    client = Client()
    for url in ("/", "/api/v1/health", "/no/such/page/", "/healthz", "/accounts/login/"):
        policy = client.get(url)["Permissions-Policy"]
        features = dict(item.split("=") for item in policy.split(", "))
        assert {"camera", "microphone", "geolocation", "payment", "usb"} <= set(features), url
        assert set(features.values()) == {"()"}, url
