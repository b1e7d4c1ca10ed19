"""Every POST-only URL answers GET with a redirect to the page its form belongs to (not 405).

A form refused with errors is drawn at the address it posted to; a reload or a bookmark of
that address asks for it with GET. The URLs are discovered from the resolver (through
docs/access.md's generator), so a new POST-only view that forgets ``core.http.post_only``
fails here.
"""

from urllib.parse import urlsplit

import pytest
from django.test import RequestFactory
from django.urls import resolve

from openrecovery.accounts.access import roles_allowed
from openrecovery.chart.access_table import page_routes
from openrecovery.core.http import post_only
from tests.support.access import concrete_path
from tests.support.factories import verified_client


def _post_only_routes():
    return [route for route in page_routes() if route.methods == "POST"]


def test_the_post_only_urls_are_found():
    names = {route.name for route in _post_only_routes()}
    # The three the issue names, and the sign-out: if discovery broke, this would be empty.
    assert {
        "helpline:console:schedule",
        "helpline:console:log_call",
        "chart:stage_move",
        "accounts:logout",
    } <= names


def test_get_on_every_post_only_url_redirects_to_its_page(access_world):
    ids = access_world.ids()
    wrong = []
    for route in _post_only_routes():
        url = concrete_path(route.path, ids)
        allowed = roles_allowed(route.permission)
        client = verified_client(access_world.staff[allowed[0]])
        for method in (client.get, client.head):
            response = method(url)
            target = urlsplit(response.get("Location", "")).path
            if response.status_code != 302 or target in ("", url):
                wrong.append(f"{method.__name__.upper()} {url}: {response.status_code} {target}")
                continue
            # The redirect names a page that answers GET (not another POST-only URL).
            page = resolve(target)
            if page.url_name and f"{page.namespace}:{page.url_name}".strip(":") in {
                r.name for r in _post_only_routes()
            }:
                wrong.append(f"{url} redirects to the POST-only {target}")
    assert not wrong, "\n".join(wrong)


def test_the_pages_named_are_the_forms_pages(access_world):
    ids = access_world.ids()
    director = verified_client(access_world.staff["clinical_director"])
    coordinator = verified_client(access_world.staff["admissions_coordinator"])
    reference, patient = ids["reference"], ids["patient_id"]
    expected = {
        f"/admissions/inquiries/{reference}/schedule/": (
            coordinator,
            f"/admissions/inquiries/{reference}/",
        ),
        "/admissions/log-call/": (coordinator, "/admissions/"),
        f"/patients/{patient}/stage/": (director, f"/patients/{patient}/"),
    }
    for url, (client, page) in expected.items():
        assert client.get(url)["Location"] == page


def test_other_methods_are_still_refused():
    view = post_only("chart:dashboard")(lambda request: None)
    response = view(RequestFactory().put("/x/"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_an_error_page_drawn_for_a_post_carries_its_pages_address(access_world):
    coordinator = verified_client(access_world.staff["admissions_coordinator"])
    response = coordinator.post("/admissions/log-call/", {})
    assert response.status_code == 422
    assert 'data-page-url="/admissions/"' in response.content.decode()


@pytest.mark.parametrize("url", ["/admissions/", "/"])
def test_pages_asked_with_get_carry_no_page_address(access_world, url):
    coordinator = verified_client(access_world.staff["admissions_coordinator"])
    assert "data-page-url" not in coordinator.get(url, follow=True).content.decode()
