"""DATABASE_URL: PostgreSQL gets a pool and server-side binding; no URL means SQLite."""

from pathlib import Path

import pytest

from openrecovery.settings.base import database_config


def test_postgresql_pools_connections_and_binds_parameters_on_the_server():
    config = database_config("postgres://care@db.example.org:5432/openrecovery")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["NAME"]) == ("db.example.org", "openrecovery")
    assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 8}
    assert config["OPTIONS"]["server_side_binding"] is True
    assert config["CONN_MAX_AGE"] == 0  # the pool, not persistent connections


def test_no_url_is_sqlite_in_wal_mode_with_full_sync():
    config = database_config("")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert "synchronous=FULL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("sqlite:////srv/care/openrecovery.sqlite3", "/srv/care/openrecovery.sqlite3"),
        ("sqlite:///data/by-url.sqlite3", str(Path("data/by-url.sqlite3").resolve())),
        ("sqlite://:memory:", ":memory:"),
    ],
)
def test_every_sqlite_url_gets_the_same_durable_options_as_the_default(url, name):
    config = database_config(url)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == name
    assert config["OPTIONS"] == database_config("")["OPTIONS"]
    assert config["OPTIONS"]["timeout"] == 30


def test_sqlite_options_are_not_shared_between_configs():
    first = database_config("")
    first["OPTIONS"]["timeout"] = 1
    assert database_config("sqlite:////tmp/x.sqlite3")["OPTIONS"]["timeout"] == 30
