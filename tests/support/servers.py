"""Real servers for tests: a production WSGI server in its own process group on a free port.

The tests that prove durability and concurrency run the app the way production does
(granian with ``openrecovery.settings.bench``) against a database of their own, then
read that database directly.
"""

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_TIMEOUT = 30.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(**overrides: str) -> dict[str, str]:
    """Return the environment of a production-like server: fresh keys, no rate limit.

    ``DATABASE_URL`` and ``DJANGO_SETTINGS_MODULE`` of the test run are dropped; pass
    the server's own in ``overrides``.
    """
    skip = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    return {k: v for k, v in os.environ.items() if k not in skip} | {
        "DJANGO_SETTINGS_MODULE": "openrecovery.settings.bench",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "AUDIT_HMAC_KEY": secrets.token_hex(32),
        "HELPLINE_RATE_LIMIT": "off",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": str(REPO / "src"),
        **overrides,
    }


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` with ``env``; return the finished process (never raise on failure)."""
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def granian_start(
    env: dict[str, str], port: int, log: Path, *, workers: int = 2, threads: int = 4
) -> subprocess.Popen[bytes]:
    """Start granian in its own process group; return once ``/healthz`` answers 200."""
    command = [
        str(BIN / "granian"),
        "--interface", "wsgi",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", str(workers),
        "--blocking-threads", str(threads),
        "--no-access-log",
        "--working-dir", str(REPO),
        "openrecovery.wsgi:application",
    ]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return process
            finally:
                conn.close()
        time.sleep(0.2)
    kill_group(process)
    pytest.fail(f"the server did not start:\n{log.read_text(errors='replace')[-3000:]}")


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the server's whole process group (master and workers) and reap the master."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
