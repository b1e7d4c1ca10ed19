"""The bench's floors: a bare insert, and the same insert behind staff authentication."""

import json

import pytest
from django.test import Client

from openrecovery.accounts.roles import Role
from openrecovery.accounts.tokens import api_token_create
from openrecovery.core.models import BenchRow
from tests.support.factories import make_staff, verified_client

pytestmark = pytest.mark.django_db

BODY = json.dumps({"payload": "x"})


def post(client, path, **headers):
    return client.post(f"/api/v1{path}", BODY, content_type="application/json", **headers)


def test_the_staff_write_floor_needs_a_staff_session_or_token():
    assert post(Client(), "/bench/write").status_code == 201  # the bare floor: no one
    assert post(Client(), "/bench/write-staff").status_code == 401
    user = make_staff(Role.NURSE)
    assert post(verified_client(user), "/bench/write-staff").status_code == 201
    _, token = api_token_create(actor=None, user=user, name="bench")
    response = post(Client(), "/bench/write-staff", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201
    assert BenchRow.objects.filter(pk=response.json()["id"], payload="x").exists()
    assert BenchRow.objects.count() == 3


def test_the_floors_are_off_in_production_settings(settings):
    settings.BENCH_ENDPOINTS = False
    user = make_staff(Role.NURSE)
    assert post(verified_client(user), "/bench/write-staff").status_code == 404
    assert post(Client(), "/bench/write").status_code == 404
