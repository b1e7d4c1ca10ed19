"""Production settings refuse unsafe configurations and pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GOOD_KEY = "k" + secrets.token_urlsafe(45)[:59]  # 60 random characters, no marker prefix
AUDIT_KEY = secrets.token_hex(32)


@pytest.fixture
def production_env(tmp_path) -> dict[str, str | None]:
    """The environment a correctly configured production server starts with."""
    return {
        "SECRET_KEY": GOOD_KEY,
        "AUDIT_HMAC_KEY": AUDIT_KEY,
        "ALLOWED_HOSTS": "care.example.org",
        "OPENRECOVERY_DATA_DIR": str(tmp_path),
        "DEBUG": None,
        "DATABASE_URL": None,
    }


def test_good_configuration_loads_with_secure_defaults(load_settings, production_env):
    prod = load_settings("production", **production_env)
    assert prod.DEBUG is False
    assert prod.SECRET_KEY == GOOD_KEY
    assert prod.ALLOWED_HOSTS == ["care.example.org"]
    assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE and prod.SECURE_SSL_REDIRECT
    assert prod.SECURE_HSTS_SECONDS >= 31536000
    assert prod.BENCH_ENDPOINTS is False
    assert prod.PASSWORD_HASHERS == ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    assert prod.SESSION_IDLE_TIMEOUT == 15 * 60


@pytest.mark.parametrize("value", ["true", "1", "on"])
def test_debug_on_refuses_to_start(value, load_settings, production_env):
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        load_settings("production", **(production_env | {"DEBUG": value}))


@pytest.mark.parametrize(
    "key",
    [
        None,  # unset
        "",
        "short-but-random-" + secrets.token_hex(8),
        "django-insecure-" + secrets.token_urlsafe(45),
        "change-me-" + secrets.token_urlsafe(45),
        "a" * 64,  # long but not random
        "test-secret-key-not-for-production-" + "x" * 40,  # the test suite's key
    ],
)
def test_a_missing_short_or_default_secret_refuses_to_start(key, load_settings, production_env):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load_settings("production", **(production_env | {"SECRET_KEY": key}))


def test_the_test_settings_secret_would_be_refused(load_settings, production_env):
    with pytest.raises(ImproperlyConfigured):
        load_settings("production", **(production_env | {"SECRET_KEY": settings.SECRET_KEY}))


def _manage(settings_module: str, env: dict[str, str | None], *args: str):
    # A clean deployment environment: nothing the test run itself set for Django
    # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rejects).
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full = {k: v for k, v in inherited.items() if k not in env or env[k] is not None}
    full.update({k: v for k, v in env.items() if v is not None})
    full["DJANGO_SETTINGS_MODULE"] = settings_module
    return subprocess.run(
        [sys.executable, str(settings.REPO_DIR / "manage.py"), *args],
        env=full,
        cwd=settings.REPO_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_under_production_settings(production_env):
    result = _manage(
        "openrecovery.settings.production",
        production_env,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_would_catch_an_insecure_setting(production_env):
    # Control: the bench settings serve plain HTTP, which the same check flags.
    result = _manage(
        "openrecovery.settings.bench",
        production_env,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout


def test_production_refuses_to_start_from_the_command_line_with_debug(production_env):
    result = _manage(
        "openrecovery.settings.production", production_env | {"DEBUG": "true"}, "check"
    )
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr
