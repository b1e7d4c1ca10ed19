"""Request every URL as every role, anonymous and not-yet-MFA users; compare with docs/access.md."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import path

from openrecovery.accounts.access import public_view, staff_view
from openrecovery.accounts.roles import Role
from openrecovery.accounts.tokens import api_token_create
from openrecovery.chart.access_table import (
    ALLOW,
    ANONYMOUS,
    DENY,
    LOGIN,
    UNAUTHORIZED,
    UndeclaredAccessError,
    access_table_markdown,
    page_routes,
)
from tests.support.access import (
    COLUMNS,
    access_doc_text,
    concrete_path,
    documented_api,
    documented_pages,
)
from tests.support.factories import verified_client

LOGIN_PATH = "/accounts/login/"
MFA_PATH = "/accounts/mfa/"
HELP_HOME = "/help/"  # where the site's root sends visitors
# A view that ran answers with a page, a redirect elsewhere, or a form's field errors.
RAN = (200, 302, 422)
PUBLIC = "public"
HELP_PAGES = ("home", "self_check", "callback", "callback_sent", "privacy")


def _undeclared(request):
    raise AssertionError("never called")


def _no_role_holds(request):
    raise AssertionError("never called")


# Test-only URLconfs for the generator's refusals (get_resolver takes a module or a name).
class UndeclaredURLConf:
    urlpatterns = [path("undeclared/", _undeclared, name="undeclared")]


class UnknownPermissionURLConf:
    urlpatterns = [path("odd/", staff_view("records.no_such_thing")(_no_role_holds))]


class DeclaredURLConf:
    urlpatterns = [path("open/", public_view(lambda request: None), name="open")]


def outcome(response, requested: str) -> str:
    """Classify a response as a table cell: allow, deny (403), login, or what went wrong."""
    if response.status_code == 403:
        return DENY
    if response.status_code == 302:
        target = urlsplit(response["Location"])
        if target.path == LOGIN_PATH and parse_qs(target.query).get("next") == [requested]:
            return LOGIN
        if target.path == MFA_PATH:
            return f"redirect to {MFA_PATH}"
        if target.path == HELP_HOME:
            return f"redirect to {HELP_HOME}"
    if response.status_code in RAN:
        return ALLOW
    return f"unexpected {response.status_code}"


def request_row(client: Client, row, url: str):
    """Send the request a row calls for: POST with empty data for POST-only views, else GET."""
    if row.fields["methods"] == "POST":
        return client.post(url)
    return client.get(url)


def test_documented_table_is_current():
    assert access_doc_text() == access_table_markdown(), (
        "docs/access.md is stale: run 'python manage.py access_table' and commit it."
    )


def test_check_command_passes_on_the_committed_table():
    call_command("access_table", "--check")


def test_check_command_fails_on_a_stale_table(tmp_path):
    stale = tmp_path / "access.md"
    stale.write_text("# stale\n", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("access_table", "--check", "--output", str(stale))


def test_command_writes_the_table(tmp_path):
    target = tmp_path / "access.md"
    call_command("access_table", "--output", str(target))
    assert target.read_text(encoding="utf-8") == access_table_markdown()


def test_generator_refuses_a_view_without_a_declaration():
    with pytest.raises(UndeclaredAccessError, match="/undeclared/"):
        page_routes(UndeclaredURLConf)


def test_generator_refuses_a_permission_no_role_holds():
    with pytest.raises(UndeclaredAccessError, match="records.no_such_thing"):
        page_routes(UnknownPermissionURLConf)


def test_generator_accepts_declared_views():
    [route] = page_routes(DeclaredURLConf)
    assert (route.name, route.path, route.permission) == ("open", "/open/", "public")


def test_table_covers_every_role_and_url():
    pages, api = documented_pages(), documented_api()
    assert {row.path for row in pages} == {route.path for route in page_routes()}
    for row in pages + api:
        assert list(row.cells) == COLUMNS, row.name
    public = {row.name for row in pages if row.fields["permission"] == PUBLIC}
    help_pages = {f"helpline:public:{n}" for n in HELP_PAGES}
    assert public == {"accounts:login", "accounts:logout", "accounts:mfa", "crisis", "healthz"} | (
        help_pages
    )


@pytest.mark.parametrize("column", COLUMNS)
def test_pages_answer_as_documented(access_world, column):
    ids = access_world.ids()
    mismatches = []
    for row in documented_pages():
        # A fresh client per request: sign-out and timeouts in one row cannot leak into the next.
        if column == ANONYMOUS:
            client = Client()
        else:
            client = verified_client(access_world.staff[column])
        url = concrete_path(row.path, ids)
        got = outcome(request_row(client, row, url), url)
        if got != row.cells[column]:
            mismatches.append(f"{row.name} {url}: documented {row.cells[column]!r}, got {got!r}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("role", [Role.CLINICAL_DIRECTOR, Role.ADMINISTRATOR, Role.CONTENT_EDITOR])
def test_signed_in_without_mfa_is_sent_to_mfa(access_world, role):
    ids = access_world.ids()
    mismatches = []
    for row in documented_pages():
        client = Client()
        client.force_login(access_world.staff[role])
        url = concrete_path(row.path, ids)
        response = request_row(client, row, url)
        location = response.get("Location", "")
        if row.fields["permission"] == PUBLIC:
            if urlsplit(location).path == MFA_PATH or response.status_code not in RAN:
                mismatches.append(f"public {url}: {response.status_code} {location}")
        elif (response.status_code, urlsplit(location).path) != (302, MFA_PATH):
            mismatches.append(f"{url}: {response.status_code} {location}, wanted {MFA_PATH}")
    assert not mismatches, "\n".join(mismatches)


def _api_request(client: Client, row, url: str, **headers):
    if row.fields["method"] == "POST":
        return client.post(url, data={}, content_type="application/json", headers=headers)
    return client.get(url, headers=headers)


@pytest.mark.parametrize("column", COLUMNS)
def test_api_answers_as_documented(access_world, column):
    ids = access_world.ids()
    mismatches = []
    for row in documented_api():
        if column == ANONYMOUS:
            client = Client()
        else:
            client = verified_client(access_world.staff[column])
        url = concrete_path(row.path, ids)
        response = _api_request(client, row, url)
        status = response.status_code
        expected = row.cells[column]
        if expected == UNAUTHORIZED:
            ok = status == 401 and response["WWW-Authenticate"] == "Bearer"
        else:
            assert expected == ALLOW
            ok = status not in (401, 403) and status < 500
        if not ok:
            mismatches.append(
                f"{row.fields['method']} {url}: documented {expected!r}, got {status}"
            )
    assert not mismatches, "\n".join(mismatches)


def test_api_refuses_a_session_without_mfa(access_world):
    ids = access_world.ids()
    client = Client()
    client.force_login(access_world.staff[Role.CLINICAL_DIRECTOR])
    for row in documented_api():
        url = concrete_path(row.path, ids)
        status = _api_request(client, row, url).status_code
        if row.fields["auth"] == PUBLIC:
            assert status != 401, url
        else:
            assert status == 401, url


def test_api_accepts_a_token_in_place_of_a_session(access_world):
    director = access_world.staff[Role.CLINICAL_DIRECTOR]
    _row, token = api_token_create(actor=None, user=director)
    ids = access_world.ids()
    for row in documented_api():
        url = concrete_path(row.path, ids)
        response = _api_request(Client(), row, url, authorization=f"Bearer {token}")
        assert response.status_code in (200, 201, 404, 409, 422), (url, response.status_code)
        if row.name == "api:get_patient":
            assert response.status_code == 200
            assert response.json()["mrn"] == access_world.patient.mrn


def test_allowed_clinical_requests_find_the_patient(access_world):
    """The matrix uses real ids: every clinical role opens the chart (200), not a 404."""
    for role, user in access_world.staff.items():
        response = verified_client(user).get(f"/patients/{access_world.patient.pk}/")
        expected = 200 if user.has_perm("records.view_chart") else 403
        assert response.status_code == expected, role
