"""Start and stop the production servers under test, each on a free port of 127.0.0.1."""

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WSGI_APP = "openrecovery.wsgi:application"
WORKERS = 2
THREADS = 4


@dataclasses.dataclass
class Server:
    """A running server process (its own session, stopped by its PID)."""

    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(name: str, port: int, pid_file: Path) -> list[str]:
    """Return the command line of server ``name`` (granian or gunicorn)."""
    if name == "granian":
        return [
            str(BIN / "granian"),
            "--interface", "wsgi",
            "--host", "127.0.0.1",
            "--port", str(port),
            "--workers", str(WORKERS),
            "--blocking-threads", str(THREADS),
            "--no-access-log",
            "--working-dir", str(REPO),
            "--pid-file", str(pid_file),
            WSGI_APP,
        ]  # fmt: skip
    if name == "gunicorn":
        return [
            str(BIN / "gunicorn"),
            "--workers", str(WORKERS),
            "--worker-class", "sync",
            "--bind", f"127.0.0.1:{port}",
            "--chdir", str(REPO),
            "--pid", str(pid_file),
            "--log-level", "warning",
            WSGI_APP,
        ]  # fmt: skip
    raise ValueError(f"unknown server {name}")


def server_start(name: str, env: dict[str, str], work: Path, timeout: float = 60) -> Server:
    """Start ``name`` and wait (bounded) until it answers /healthz."""
    port = free_port()
    log = work / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            server_command(name, port, work / f"{name}.pid"),
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, port, process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{server.base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    server_stop(server)
    raise RuntimeError(f"{name} did not start; see {log}:\n{log.read_text()[-2000:]}")


def server_stop(server: Server, timeout: float = 15) -> None:
    """Stop the server by its PID (its workers are in its process group)."""
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=timeout)
    try:  # workers left behind by a crashed master
        os.killpg(server.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
