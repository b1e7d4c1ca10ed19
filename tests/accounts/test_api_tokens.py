"""The JSON API: 401 for anonymous callers, bearer tokens, CSRF for browser sessions."""

import datetime as dt
import hashlib
import io
import re

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.test import Client
from django.utils import timezone

from openrecovery.accounts.models import ApiToken, User
from openrecovery.accounts.tokens import api_token_create, api_token_revoke, api_token_user
from openrecovery.api import api
from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.models import AuditEvent
from openrecovery.records.choices import Stage
from tests.support.factories import make_patient, verified_client

TOKEN_LINE = re.compile(r"^orp_([0-9a-f]{8})_[A-Za-z0-9_-]{43}$")
# Instrument definitions and stateless scoring are public: nothing stored, no one identified.
PUBLIC_PATHS = {
    "/health",
    "/bench/read",
    "/bench/write",
    "/instruments",
    "/instruments/<code>",
    "/instruments/<code>/score",
    "/helpline/callbacks",  # public callback requests (rate-limited, size-limited)
}


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _create_token_via_command(*args: str) -> tuple[str, str]:
    out = io.StringIO()
    call_command("create_api_token", *args, stdout=out)
    text = out.getvalue()
    return text, text.rstrip("\n").splitlines()[-1]


@pytest.fixture
def patient(director, counselor):
    return make_patient(
        actor=director, stage=Stage.TREATMENT, team=[counselor], family="Quellenbrook"
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me"),
        ("get", "/api/v1/patients/1"),
        ("post", "/api/v1/patients/search"),
    ],
)
@pytest.mark.parametrize("enforce_csrf", [False, True])
def test_anonymous_callers_get_401(method, path, enforce_csrf, patient):
    client = Client(enforce_csrf_checks=enforce_csrf)
    response = getattr(client, method)(path, {"q": "Quellen"}, content_type="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "Quellenbrook" not in response.content.decode()


def test_every_endpoint_but_the_public_ones_answers_anonymous_callers_with_401(patient):
    client = Client(enforce_csrf_checks=True)
    seen = set()
    for pattern in api.urls[0]:
        if pattern.name in ("openapi-json", "api-root"):
            continue
        path = "/" + str(pattern.pattern).replace("<patient_id>", str(patient.pk))
        seen.add(path)
        statuses = {
            client.get(f"/api/v1{path}").status_code,
            client.post(f"/api/v1{path}", {}, content_type="application/json").status_code,
        }
        if path in PUBLIC_PATHS:
            assert 401 not in statuses, path
        else:
            assert 401 in statuses and statuses <= {401, 405}, (path, statuses)
    assert PUBLIC_PATHS <= seen
    assert len(seen) > len(PUBLIC_PATHS)


def test_health_is_public(db):
    response = Client().get("/api/v1/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_a_bearer_token_authenticates(counselor, patient):
    _, token = api_token_create(actor=None, user=counselor, name="integration")
    client = Client()
    me = client.get("/api/v1/me", **bearer(token))
    assert me.status_code == 200
    assert me.json() == {"id": counselor.pk, "username": counselor.username, "role": "counselor"}
    chart = client.get(f"/api/v1/patients/{patient.pk}", **bearer(token))
    assert chart.json()["legal_family_name"] == "Quellenbrook"
    assert ApiToken.objects.get().last_used_at is not None


def test_a_bearer_token_needs_no_csrf_token(counselor, patient):
    _, token = api_token_create(actor=None, user=counselor)
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/patients/search",
        {"q": "Quellen"},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 200
    assert [p["id"] for p in response.json()] == [patient.pk]


def _expired(token_row: ApiToken) -> None:
    ApiToken.objects.filter(pk=token_row.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )


def _revoked(token_row: ApiToken) -> None:
    api_token_revoke(actor=None, token=token_row)


def _deactivated(token_row: ApiToken) -> None:
    token_row.user.is_active = False
    token_row.user.save()


@pytest.mark.parametrize("spoil", [_expired, _revoked, _deactivated])
def test_expired_revoked_or_orphaned_tokens_get_401(spoil, counselor):
    row, token = api_token_create(actor=None, user=counselor)
    assert Client().get("/api/v1/me", **bearer(token)).status_code == 200
    spoil(row)
    assert api_token_user(token) is None
    assert Client().get("/api/v1/me", **bearer(token)).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer garbage",
        "Bearer orp_deadbeef_notarealsecretnotarealsecretnotarealsecret00",
        "Bearer ",
        "Token orp_deadbeef_x",
        "Basic Y291bnNlbG9yOmNvcnJlY3Q=",
    ],
)
def test_garbage_credentials_get_401(header, counselor):
    api_token_create(actor=None, user=counselor)
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_a_tampered_token_with_a_real_prefix_gets_401(counselor):
    _, token = api_token_create(actor=None, user=counselor)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert Client().get("/api/v1/me", **bearer(tampered)).status_code == 401


def test_tokens_are_stored_hashed(counselor):
    row, token = api_token_create(actor=None, user=counselor, days=7)
    secret = token.split("_", 2)[2]
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = str(list(ApiToken.objects.values())) + str(list(AuditEvent.objects.values()))
    assert secret not in stored
    assert token not in stored
    assert abs(row.expires_at - (timezone.now() + dt.timedelta(days=7))) < dt.timedelta(minutes=1)


def test_create_api_token_prints_the_token_alone_on_its_last_line(counselor):
    text, last = _create_token_via_command(counselor.username, "--name", "lab feed", "--days", "3")
    match = TOKEN_LINE.match(last)
    assert match, last
    assert "once" in text
    explanation = text.rstrip("\n").splitlines()[:-1]
    assert all(last not in line for line in explanation)
    row = ApiToken.objects.get(prefix=match.group(1))
    assert (row.user, row.name) == (counselor, "lab feed")
    assert row.expires_at.date().isoformat() in text
    assert abs(row.expires_at - (timezone.now() + dt.timedelta(days=3))) < dt.timedelta(minutes=1)
    response = Client().get("/api/v1/me", **bearer(last))
    assert response.json()["username"] == counselor.username


def test_create_api_token_uses_the_default_lifetime(counselor, settings):
    settings.API_TOKEN_DAYS = 30
    _, last = _create_token_via_command(counselor.username)
    row = ApiToken.objects.get()
    assert abs(row.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    assert api_token_user(last) == counselor


def test_create_api_token_refuses_unknown_and_inactive_users(counselor):
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=io.StringIO())
    counselor.is_active = False
    counselor.save()
    with pytest.raises(CommandError):
        call_command("create_api_token", counselor.username, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", "--days", "0", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_create_api_token_exits_non_zero_for_an_unknown_user(db, capsys):
    with pytest.raises(SystemExit) as excinfo:
        ManagementUtility(["manage.py", "create_api_token", "nobody"]).execute()
    assert excinfo.value.code != 0
    assert "nobody" in capsys.readouterr().err


def test_token_creation_and_revocation_are_audited(counselor):
    _, token = _create_token_via_command(counselor.username)
    row = ApiToken.objects.get()
    created = AuditEvent.objects.get(action=Action.TOKEN_CREATED)
    assert created.object_id == str(row.pk)
    assert created.detail["prefix"] == row.prefix
    assert created.detail["user"] == counselor.pk

    out = io.StringIO()
    call_command("revoke_api_token", row.prefix, stdout=out)
    assert "Revoked" in out.getvalue()
    row.refresh_from_db()
    assert row.revoked_at is not None
    revoked = AuditEvent.objects.get(action=Action.TOKEN_REVOKED)
    assert revoked.object_id == str(row.pk)
    assert Client().get("/api/v1/me", **bearer(token)).status_code == 401
    # Revoking again changes nothing and writes no second event.
    call_command("revoke_api_token", row.prefix, stdout=io.StringIO())
    assert AuditEvent.objects.filter(action=Action.TOKEN_REVOKED).count() == 1


def test_revoke_api_token_refuses_an_unknown_prefix(db):
    with pytest.raises(CommandError):
        call_command("revoke_api_token", "00000000", stdout=io.StringIO())


def test_a_session_post_without_csrf_is_rejected(counselor, patient):
    client = verified_client(counselor, Client(enforce_csrf_checks=True))
    search = {"path": "/api/v1/patients/search", "data": {"q": "Quellen"}}
    response = client.post(**search, content_type="application/json")
    assert response.status_code == 403
    assert "Quellenbrook" not in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.SEARCH).exists()
    # With the token from the page's cookie, the same call goes through.
    client.get("/")
    csrf = client.cookies["csrftoken"].value
    ok = client.post(**search, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert ok.status_code == 200
    assert [p["id"] for p in ok.json()] == [patient.pk]


def test_a_verified_session_can_read_the_api(counselor):
    response = verified_client(counselor).get("/api/v1/me")
    assert response.json()["username"] == counselor.username


def test_the_openapi_schema_declares_both_authentications(db):
    schema = Client().get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert schema["paths"]["/api/v1/me"]["get"]["security"]
    assert "security" not in schema["paths"]["/api/v1/health"]["get"]


def _refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.TOKEN_FAILED).order_by("id"))


@pytest.mark.parametrize(
    "token",
    ["orp_deadbeef_" + "x" * 43, "not-even-ours", "orp_", "Bearer"],
)
def test_an_unknown_token_is_refused_and_audited_without_the_token(db, token):
    client = Client()
    auth = {"Authorization": f"Bearer {token}"}
    response = client.get("/api/v1/me", headers=auth, REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 401
    [refused] = _refusals()
    assert (refused.outcome, refused.source_ip, refused.detail["reason"]) == (
        Outcome.DENIED,
        "198.51.100.4",
        "unknown",
    )
    assert "x" * 43 not in str(refused.detail)
    assert refused.detail["prefix"] == ("deadbeef" if token.startswith("orp_dead") else "")


def test_revoked_expired_and_deactivated_tokens_are_refused_with_the_reason(counselor, director):
    revoked_row, revoked = api_token_create(actor=None, user=counselor)
    api_token_revoke(actor=None, token=revoked_row)
    expired_row, expired = api_token_create(actor=None, user=counselor)
    ApiToken.objects.filter(pk=expired_row.pk).update(expires_at=timezone.now())
    _, inactive = api_token_create(actor=None, user=director)
    User.objects.filter(pk=director.pk).update(is_active=False)
    for token in (revoked, expired, inactive):
        assert api_token_user(token) is None
    assert [(e.detail["reason"], e.object_id) for e in _refusals()] == [
        ("revoked", str(revoked_row.pk)),
        ("expired", str(expired_row.pk)),
        ("inactive_user", str(ApiToken.objects.get(user=director).pk)),
    ]
    assert all(revoked not in str(e.detail) for e in _refusals())
