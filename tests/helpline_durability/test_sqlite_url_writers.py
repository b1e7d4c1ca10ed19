"""SQLite configured by ``DATABASE_URL`` is as durable and concurrent as the default one.

A real server (granian, ``openrecovery.settings.bench``) runs on ``sqlite:////<tmp>/…``
and 16 API clients post call attempts to one claimed inquiry at once
(``POST /api/v1/helpline/inquiries/<ref>/calls``). Every answer must be 201 (no 5xx,
no "database is locked"), every acknowledged call must be stored with its audit event,
and ``manage.py verify_audit`` must pass. Before the fix, dj-database-url's bare SQLite
config (no WAL, no IMMEDIATE transactions, a 5 s timeout) answered about half of such
requests with 500.
"""

import contextlib
import http.client
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.servers import free_port, granian_start, kill_group, manage, server_env

pytestmark = pytest.mark.durability

WRITERS = 16
MAX_REQUESTS = 640
MAX_SECONDS = 15.0
PASSWORD = "correct horse battery staple 42"  # noqa: S105 (a test account's password)


@dataclass
class Writers:
    """What the clients sent and were told, shared between threads."""

    port: int
    token: str
    reference: str
    run: str = field(default_factory=lambda: secrets.token_hex(4))
    sent: int = 0
    acknowledged: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    deadline: float = field(default_factory=lambda: time.monotonic() + MAX_SECONDS)

    def next_marker(self) -> str | None:
        with self.lock:
            if self.sent >= MAX_REQUESTS or time.monotonic() > self.deadline:
                return None
            self.sent += 1
            return f"{self.run}-{self.sent:04d}"


def _request(
    port: int, method: str, path: str, body: dict | None = None, token: str = ""
) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else {})
    finally:
        conn.close()


def _writer(writers: Writers) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", writers.port, timeout=30)
    path = f"/api/v1/helpline/inquiries/{writers.reference}/calls"
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {writers.token}"}
    try:
        while (marker := writers.next_marker()) is not None:
            body = {"outcome": "no_answer", "notes": f"attempt {marker}"}
            conn.request("POST", path, body=json.dumps(body), headers=headers)
            response = conn.getresponse()
            payload = response.read()
            with writers.lock:
                if response.status == 201:
                    writers.acknowledged.add(marker)
                else:
                    writers.errors.append(f"{response.status}: {payload[:200]!r}")
    finally:
        conn.close()


@pytest.fixture
def url_configured(tmp_path: Path) -> dict[str, str]:
    """A migrated SQLite database named by an absolute ``sqlite:////`` URL, with a token."""
    database = tmp_path / "by-url.sqlite3"
    env = server_env(
        DATABASE_URL=f"sqlite:///{database}",  # sqlite:////tmp/…: an absolute path
        OPENRECOVERY_DATA_DIR=str(tmp_path / "data"),
        OPENRECOVERY_STAFF_PASSWORD=PASSWORD,
    )
    for command in (
        ("migrate", "--noinput", "-v0"),
        ("create_staff", "coordinator", "--role", "admissions_coordinator"),
    ):
        done = manage(env, *command)
        assert done.returncode == 0, done.stderr[-3000:]
    issued = manage(env, "create_api_token", "coordinator")
    assert issued.returncode == 0, issued.stderr[-3000:]
    env["TEST_TOKEN"] = issued.stdout.strip().splitlines()[-1]
    env["TEST_DATABASE"] = str(database)
    return env


def test_concurrent_writers_on_a_url_configured_sqlite_all_succeed(
    url_configured: dict[str, str], tmp_path: Path
) -> None:
    env = url_configured
    token, port = env["TEST_TOKEN"], free_port()
    process = granian_start(env, port, tmp_path / "server.log", workers=2, threads=8)
    try:
        status, created = _request(
            port,
            "POST",
            "/api/v1/helpline/callbacks",
            {"name": "Robin Writer", "phone": "555-0142", "for_whom": "myself", "consent": True},
        )
        assert status == 201, created
        reference = created["reference"]
        status, claimed = _request(
            port, "POST", f"/api/v1/helpline/inquiries/{reference}/claim", token=token
        )
        assert status == 200, claimed
        writers = Writers(port=port, token=token, reference=reference)
        threads = [threading.Thread(target=_writer, args=(writers,)) for _ in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=MAX_SECONDS + 40)
        assert not any(t.is_alive() for t in threads), "a writer hung"
    finally:
        kill_group(process)

    assert not writers.errors, f"{len(writers.errors)} failed, e.g. {writers.errors[:3]}"
    assert len(writers.acknowledged) == writers.sent >= WRITERS * 4
    with contextlib.closing(sqlite3.connect(env["TEST_DATABASE"])) as conn:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        notes = {
            row[0].removeprefix("attempt ")
            for row in conn.execute(
                "SELECT notes FROM helpline_callattempt WHERE notes LIKE ?",
                (f"attempt {writers.run}-%",),
            )
        }
        audited = conn.execute(
            "SELECT COUNT(*) FROM audit_event WHERE object_type = 'inquiry' AND action = 'update'"
        ).fetchone()[0]
    assert mode == "wal"
    assert notes == writers.acknowledged, "an acknowledged call attempt is missing"
    assert audited >= len(writers.acknowledged)
    verified = manage(env, "verify_audit")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK:" in verified.stdout
    print(f"\n{writers.sent} calls from {WRITERS} writers, all acknowledged and stored")
