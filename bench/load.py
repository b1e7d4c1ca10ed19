"""Drive wrk against 127.0.0.1 and read its latency percentiles (bounded in time)."""

import dataclasses
import json
import os
import shutil
import subprocess
from pathlib import Path

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_request.lua"
RESULT_PREFIX = "BENCH_RESULT "


@dataclasses.dataclass
class LoadResult:
    """Throughput and latency of one wrk run."""

    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int


@dataclasses.dataclass
class Request:
    """What to send: method, path, body and headers (cookies, CSRF token)."""

    path: str
    method: str = "GET"
    body: str = ""
    content_type: str = ""
    cookie: str = ""
    csrf: str = ""
    # Sent as htmx sends it (HX-Request: true): the search page's live results.
    htmx: bool = False


def wrk_path() -> str:
    """Return the wrk binary, or raise with the Debian package to install."""
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    return found


def wrk_run(base: str, request: Request, connections: int, duration: int) -> LoadResult:
    """Run wrk for ``duration`` seconds with ``connections`` connections; return the result."""
    threads = min(2, connections)
    env = os.environ | {
        "BENCH_METHOD": request.method,
        "BENCH_BODY": request.body,
        "BENCH_CONTENT_TYPE": request.content_type,
        "BENCH_COOKIE": request.cookie,
        "BENCH_CSRF": request.csrf,
        "BENCH_HTMX": "true" if request.htmx else "",
    }
    command = [
        wrk_path(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout", "30s",
        "--latency",
        "-s", str(WRK_SCRIPT),
        base + request.path,
    ]  # fmt: skip
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=duration + 60, check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith(RESULT_PREFIX))
    raw = json.loads(line[len(RESULT_PREFIX) :])
    seconds = raw["duration_us"] / 1e6
    return LoadResult(
        requests=raw["requests"],
        rps=raw["requests"] / seconds if seconds else 0.0,
        p50_ms=raw["p50"] / 1000,
        p95_ms=raw["p95"] / 1000,
        p99_ms=raw["p99"] / 1000,
        errors=raw["status"] + raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
    )
