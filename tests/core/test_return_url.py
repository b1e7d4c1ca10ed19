"""Where a form returns to once done: only a path on this site, never elsewhere."""

import pytest
from django.test import RequestFactory

from openrecovery.core.http import return_url

DEFAULT = "/patients/7/"


@pytest.mark.parametrize(
    "target",
    ["/withdrawal/board/", "/withdrawal/board/?unit=detox", "/patients/7/withdrawal/"],
)
def test_a_local_path_is_followed_from_the_query_or_the_form(target):
    assert return_url(RequestFactory().get("/x", {"next": target}), DEFAULT) == target
    assert return_url(RequestFactory().post("/x", {"next": target}), DEFAULT) == target


@pytest.mark.parametrize(
    "target",
    [
        "",
        "https://evil.example/",
        "//evil.example/board/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "withdrawal/board/",
        "/withdrawal/board/\r\nSet-Cookie: x=1",
        "/withdrawal/board/\x00",
        "/" + "a" * 600,
    ],
)
def test_anything_else_falls_back_to_the_default(target):
    assert return_url(RequestFactory().get("/x", {"next": target}), DEFAULT) == DEFAULT
    assert return_url(RequestFactory().post("/x", {"next": target}), DEFAULT) == DEFAULT
