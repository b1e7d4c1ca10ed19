"""Durability of public callback requests: SIGKILL the server mid-stream, restart it.

A real server (granian, the production server, with ``openrecovery.settings.bench``)
receives a stream of ``POST /api/v1/helpline/callbacks`` from several client threads.
While requests are in flight the server's whole process group is killed with
SIGKILL; it is restarted on the same database and the stream goes on a little. Then
every request that was answered 201 must be in the database with exactly the fields
sent, with its audit event, and ``manage.py verify_audit`` must pass. Requests that
failed with a connection error may or may not be stored: nobody was told they were.

The database is the test's own: a fresh SQLite file in a temporary data folder, or,
when ``DATABASE_URL`` is set (CI runs the suite once with it), a PostgreSQL database
named ``<name>_durability``, dropped and recreated here and dropped afterwards (never
the database named in ``DATABASE_URL`` nor pytest-django's ``test_<name>``).
"""

import contextlib
import http.client
import json
import os
import secrets
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.servers import free_port, granian_start, kill_group, manage, server_env

pytestmark = pytest.mark.durability

CLIENTS = 8
MAX_REQUESTS = 3000
MAX_SECONDS = 20.0
ACKS_BEFORE_KILL = 800  # acknowledged requests before the kill (or a third of the time)
ACKS_AFTER_RESTART = 400
PATH = "/api/v1/helpline/callbacks"
FIELDS = (
    "name",
    "phone",
    "best_time",
    "for_whom",
    "substances",
    "voicemail_ok",
    "consent",
    "message",
)


@dataclass
class Target:
    """The database under test: its label, the server environment, a way to connect."""

    label: str
    env: dict[str, str]
    sqlite_path: Path | None = None
    postgres_url: str = ""


@dataclass
class Stream:
    """What the clients sent and what they were told, shared between threads."""

    run: str
    sent: int = 0
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: int = 0  # connection errors: outcome unknown to the client
    other: list[str] = field(default_factory=list)  # unexpected HTTP answers
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def next_number(self) -> int | None:
        with self.lock:
            if self.sent >= MAX_REQUESTS:
                return None
            self.sent += 1
            return self.sent


def _payload(run: str, n: int) -> dict[str, Any]:
    """A valid callback request whose name and message carry a unique marker."""
    marker = f"{run}-{n:05d}"
    return {
        "name": f"Zoë Durable {marker}",
        "phone": f"+1 (555) {n % 1000:03d}-{n % 10000:04d}",
        "best_time": ["mornings", "after 6 pm", "any time — weekdays"][n % 3],
        "for_whom": "myself" if n % 2 else "someone_else",
        "substances": ["", "alcohol", "fentanyl, benzodiazepines"][n % 3],
        "voicemail_ok": n % 4 == 0,
        "consent": True,
        "message": f"marker {marker}\nsecond line ✓" if n % 5 else "",
    }


def _client(stream: Stream) -> None:
    """Send callback requests until told to stop or the request budget is spent."""
    conn: http.client.HTTPConnection | None = None
    while not stream.stop.is_set():
        n = stream.next_number()
        if n is None:
            return
        payload = _payload(stream.run, n)
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", stream.port, timeout=10)
            conn.request(
                "POST", PATH, body=json.dumps(payload), headers={"Content-Type": "application/json"}
            )
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            # Killed mid-request or not listening yet: the outcome is unknown.
            with stream.lock:
                stream.failed += 1
            if conn is not None:
                conn.close()
                conn = None
            time.sleep(0.05)
            continue
        if response.status == 201:
            reference = json.loads(body)["reference"]
            with stream.lock:
                assert reference not in stream.acknowledged, "a reference was handed out twice"
                stream.acknowledged[reference] = payload
        else:
            with stream.lock:
                stream.other.append(f"{response.status}: {body[:200]!r}")
    if conn is not None:
        conn.close()


def _wait_for(stream: Stream, acks: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and stream.sent < MAX_REQUESTS:
        with stream.lock:
            if len(stream.acknowledged) >= acks:
                return
        time.sleep(0.02)


def _stored(target: Target, references: list[str]) -> dict[str, dict[str, Any]]:
    """Read the inquiries and their audit events straight from the database."""
    columns = ", ".join(f"i.{c}" for c in ("reference", "source", "status", *FIELDS))
    query = (
        f"SELECT {columns}, "  # noqa: S608 (constant column names)
        "(SELECT COUNT(*) FROM audit_event a WHERE a.object_type = 'inquiry' "
        "AND a.object_id = CAST(i.id AS VARCHAR(64)) AND a.action = 'create') "
        "FROM helpline_inquiry i"
    )
    if target.sqlite_path is not None:
        with contextlib.closing(sqlite3.connect(target.sqlite_path)) as conn:
            rows = conn.execute(query).fetchall()
    else:
        import psycopg

        with psycopg.connect(target.postgres_url) as conn:
            rows = conn.execute(query).fetchall()
    found = {}
    for row in rows:
        reference, source, status, *values, audits = row
        record = dict(zip(FIELDS, values, strict=True))
        record["voicemail_ok"], record["consent"] = (
            bool(record["voicemail_ok"]),
            bool(record["consent"]),
        )
        found[reference] = {"source": source, "status": status, "audits": audits, **record}
    return found


@contextlib.contextmanager
def _sqlite_target(tmp: Path, base_env: dict[str, str]) -> Iterator[Target]:
    env = base_env | {"OPENRECOVERY_DATA_DIR": str(tmp)}
    yield Target("sqlite", env, sqlite_path=tmp / "openrecovery.sqlite3")


@contextlib.contextmanager
def _postgres_target(url: str, tmp: Path, base_env: dict[str, str]) -> Iterator[Target]:
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    original = parts.path.lstrip("/") or "postgres"
    name = f"{original}_durability"
    assert name not in (original, f"test_{original}")
    own_url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    ident = sql.Identifier(name)

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))

    drop()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    try:
        env = base_env | {"OPENRECOVERY_DATA_DIR": str(tmp), "DATABASE_URL": own_url}
        yield Target("postgresql", env, postgres_url=own_url)
    finally:
        drop()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    """A migrated database of the test's own: PostgreSQL if DATABASE_URL is set, else SQLite."""
    base_env = server_env()
    url = os.environ.get("DATABASE_URL", "")
    if url:
        database = _postgres_target(url, tmp_path, base_env)
    else:
        database = _sqlite_target(tmp_path, base_env)
    with database as prepared:
        done = manage(prepared.env, "migrate", "--noinput", "-v0")
        assert done.returncode == 0, done.stderr[-3000:]
        yield prepared


def test_acknowledged_callbacks_survive_sigkill(target: Target, tmp_path: Path) -> None:
    started = time.monotonic()
    stream = Stream(run=secrets.token_hex(4), port=free_port())
    log = tmp_path / "server.log"
    threads = [
        threading.Thread(target=_client, args=(stream,), daemon=True) for _ in range(CLIENTS)
    ]
    process = granian_start(target.env, stream.port, log)
    try:
        for thread in threads:
            thread.start()
        _wait_for(stream, ACKS_BEFORE_KILL, MAX_SECONDS / 3)
        with stream.lock:
            before_kill = len(stream.acknowledged)
            failed_before = stream.failed
        assert before_kill > 0, f"no request was acknowledged before the kill: {stream.other[:5]}"
        assert all(t.is_alive() for t in threads), "the stream ended before the kill"
        kill_group(process)  # mid-stream: eight clients are sending
        time.sleep(0.3)  # clients hit the dead port meanwhile
        with stream.lock:
            failed_at_kill = stream.failed - failed_before
        process = granian_start(target.env, stream.port, log)
        remaining = MAX_SECONDS - (time.monotonic() - started)
        _wait_for(stream, before_kill + ACKS_AFTER_RESTART, max(remaining, 1.0))
    finally:
        stream.stop.set()
        for thread in threads:
            thread.join(timeout=15)
        kill_group(process)
    after_restart = len(stream.acknowledged) - before_kill
    assert failed_at_kill > 0, "no request was cut off: the kill did not land mid-stream"
    assert after_restart > 0, f"nothing acknowledged after the restart: {stream.other[:5]}"
    assert not stream.other, f"unexpected answers: {stream.other[:5]}"

    stored = _stored(target, list(stream.acknowledged))
    missing = sorted(set(stream.acknowledged) - set(stored))
    assert not missing, f"{len(missing)} acknowledged requests were lost, e.g. {missing[:5]}"
    for reference, sent in stream.acknowledged.items():
        row = stored[reference]
        assert {f: row[f] for f in FIELDS} == sent, reference
        assert (row["source"], row["status"], row["audits"]) == ("api", "open", 1), reference
    # Unacknowledged requests may be stored, but only as sent: nothing foreign or torn.
    for reference, row in stored.items():
        assert row["name"].startswith(f"Zoë Durable {stream.run}-"), reference
        number = int(row["name"].rsplit("-", 1)[1])
        assert {f: row[f] for f in FIELDS} == _payload(stream.run, number), reference
        assert row["audits"] == 1, reference
    assert len(stored) <= stream.sent

    verified = manage(target.env, "verify_audit")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK:" in verified.stdout
    print(
        f"\n[{target.label}] sent {stream.sent}, acknowledged {len(stream.acknowledged)} "
        f"({before_kill} before the kill, {after_restart} after), connection errors "
        f"{stream.failed} ({failed_at_kill} at the kill), stored {len(stored)}, "
        f"{time.monotonic() - started:.1f} s; {verified.stdout.strip()}"
    )
