"""JSON endpoints take JSON only: a cross-site ``text/plain`` POST is refused (415)."""

import json

import pytest
from django.test import Client

from openrecovery.core.middleware import ERROR_NOT_JSON_MEDIA
from openrecovery.helpline.models import Inquiry

CALLBACK = {"name": "Robin", "phone": "555-0142", "for_whom": "myself", "consent": True}


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.HELPLINE_RATE_LIMIT = "off"


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_a_callback_not_sent_as_json_is_refused_and_not_stored(db, content_type):
    response = Client().post(
        "/api/v1/helpline/callbacks", json.dumps(CALLBACK), content_type=content_type
    )
    assert response.status_code == 415
    assert response.json() == {"detail": ERROR_NOT_JSON_MEDIA}
    assert not Inquiry.objects.exists()


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
def test_json_with_or_without_a_charset_is_taken(db, content_type):
    response = Client().post(
        "/api/v1/helpline/callbacks", json.dumps(CALLBACK), content_type=content_type
    )
    assert response.status_code == 201
    assert Inquiry.objects.count() == 1


def test_scoring_refuses_text_plain_too(db):
    response = Client().post(
        "/api/v1/instruments/phq9/score",
        json.dumps({"answers": [0] * 9}),
        content_type="text/plain",
    )
    assert response.status_code == 415


def test_pages_outside_the_api_are_not_affected(db):
    response = Client().post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code != 415
