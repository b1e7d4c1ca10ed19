"""DATABASE_URL: PostgreSQL gets a pool and server-side binding; no URL means SQLite."""

from pathlib import Path

import pytest

from openrecovery.core.database import files_private
from openrecovery.settings.base import database_config
from tests.support.servers import manage, server_env


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


def test_database_files_are_made_owner_only(tmp_path):
    database = tmp_path / "db.sqlite3"
    for path in (database, tmp_path / "db.sqlite3-wal"):
        path.write_bytes(b"")
        path.chmod(0o644)
    assert files_private(database) == [database, tmp_path / "db.sqlite3-wal"]
    assert {p.stat().st_mode & 0o777 for p in tmp_path.iterdir()} == {0o600}
    assert files_private(database) == []


def test_a_migrated_sqlite_database_is_owner_only(tmp_path):
    env = server_env(
        OPENRECOVERY_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="openrecovery.settings.dev"
    )
    done = manage(env, "migrate", "--noinput", "-v0")
    assert done.returncode == 0, done.stderr[-2000:]
    files = sorted(tmp_path.glob("openrecovery.sqlite3*"))
    assert files
    assert {path.name: path.stat().st_mode & 0o777 for path in files} == {
        path.name: 0o600 for path in files
    }
