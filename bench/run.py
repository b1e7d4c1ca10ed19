"""Benchmark OpenRecovery: fresh databases, demo data, production servers, wrk.

`make bench` runs it. For SQLite always, and for PostgreSQL when DATABASE_URL is
set (in a separate database whose name is derived from, never equal to, the one
in DATABASE_URL), it migrates a new database, loads `demo_data --patients N`,
starts granian and gunicorn on free ports of 127.0.0.1, signs the demo counselor
in, and measures the read and write floors, the public PHQ-9 scoring endpoint and the
staff pages. Every loop is bounded in time. Results and ratios are printed as a table
(see docs/performance.md).
"""

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import LoadResult, Request, wrk_path, wrk_run  # noqa: E402
from bench.servers import REPO, server_start, server_stop  # noqa: E402
from bench.session import SignedIn, page_check, sign_in  # noqa: E402

PYTHON = sys.executable
SETTINGS = "openrecovery.settings.bench"
BENCH_DB_NAME = "openrecovery_bench"
USERNAME = "counselor"
SERVERS = ("granian", "gunicorn")
PAGE_P95_TARGET_MS = {1: 50.0, 16: 150.0}
SCORING = "score phq9"
SCORING_RATIO_TARGET = 0.7  # stateless scoring: at least 0.7 of the read floor


@dataclasses.dataclass
class Row:
    """One measured scenario."""

    scenario: str
    server: str
    database: str
    connections: int
    result: LoadResult
    floor: str  # "read" or "write": the floor this row is compared with


def bench_database_url(url: str) -> str:
    """Return DATABASE_URL with a dedicated benchmark database name (never the original)."""
    parts = urllib.parse.urlsplit(url)
    original = parts.path.lstrip("/")
    name = BENCH_DB_NAME if original != BENCH_DB_NAME else f"{BENCH_DB_NAME}_2"
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def postgres_recreate(admin_url: str, bench_url: str) -> None:
    """Drop and create the benchmark database, connecting through ``admin_url``."""
    import psycopg
    from psycopg import sql

    name = urllib.parse.urlsplit(bench_url).path.lstrip("/")
    assert name != urllib.parse.urlsplit(admin_url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    """Run ``manage.py`` with the benchmark environment; return stdout when captured."""
    done = subprocess.run(
        [PYTHON, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        timeout=3600,
    )
    return done.stdout or ""


def prepare(label: str, env: dict[str, str], patients: int, events: int) -> dict:
    """Migrate, load demo data and measure queries in-process. Return facts for the run."""
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    loading = time.monotonic()
    manage(env, "demo_data", "--patients", str(patients), "--events-per-patient", str(events))
    loaded = time.monotonic() - loading
    check_env = env | {"ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"}
    done = subprocess.run(
        [PYTHON, str(REPO / "bench" / "queries.py")],
        cwd=REPO,
        env=check_env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    facts["load_seconds"] = loaded
    facts["prepare_seconds"] = time.monotonic() - started
    print(f"[{label}] demo_data --patients {patients}: {loaded:.1f} s", flush=True)
    return facts


def totp_now(env: dict[str, str], last: list[str]) -> str:
    """Return a TOTP code not used before (codes are single-use: wait for the next step)."""
    for _ in range(40):
        code = manage(env, "demo_totp", USERNAME, capture=True).strip()
        if code not in last:
            last.append(code)
            return code
        time.sleep(1)
    raise RuntimeError("no fresh TOTP code within 40 s")


def measure_server(
    server_name: str, label: str, env: dict, facts: dict, duration: int, codes: list
) -> list[Row]:
    """Start one server, sign in, run every scenario, stop the server."""
    work = Path(env["OPENRECOVERY_DATA_DIR"])
    server = server_start(server_name, env, work)
    rows: list[Row] = []
    try:
        base = server.base
        signed = sign_in(base, USERNAME, env["OPENRECOVERY_DEMO_PASSWORD"], totp_now(env, codes))
        pages = _page_requests(facts, signed)
        scenarios = [
            ("read floor", Request("/api/v1/bench/read"), 16, "read"),
            ("write floor", _write_request(), 16, "write"),
            (SCORING, _score_request(), 16, "read"),
        ]
        for name, request in pages.items():
            scenarios += [(name, request, 1, "read"), (name, request, 16, "read")]
        for name, request, connections, floor in scenarios:
            result = wrk_run(base, request, connections, duration)
            if name in pages:  # a redirect to sign-in would look fast: prove the session held
                page_check(base, request.path, signed, request.body)
            rows.append(Row(name, server_name, label, connections, result, floor))
            print(
                f"[{label}/{server_name}] {name} c{connections}: {result.rps:,.0f} req/s, "
                f"p95 {result.p95_ms:.1f} ms",
                flush=True,
            )
    finally:
        server_stop(server)
    return rows


def _write_request() -> Request:
    return Request(
        "/api/v1/bench/write",
        method="POST",
        body='{"payload": "x"}',
        content_type="application/json",
    )


def _score_request() -> Request:
    """Valid PHQ-9 answers for the public, stateless scoring endpoint (no cookie)."""
    return Request(
        "/api/v1/instruments/phq9/score",
        method="POST",
        body='{"answers": [1, 2, 0, 3, 1, 2, 0, 1, 0]}',
        content_type="application/json",
    )


def _page_requests(facts: dict, signed: SignedIn) -> dict[str, Request]:
    search = urllib.parse.urlencode({"q": facts["search"], "csrfmiddlewaretoken": signed.csrf})
    return {
        "dashboard": Request("/", cookie=signed.cookie, csrf=signed.csrf),
        "chart": Request(f"/patients/{facts['patient_id']}/", cookie=signed.cookie),
        "search": Request(
            "/patients/search/",
            method="POST",
            body=search,
            content_type="application/x-www-form-urlencoded",
            cookie=signed.cookie,
            csrf=signed.csrf,
        ),
    }


def run_database(label: str, database_url: str, args: argparse.Namespace) -> tuple[list, dict]:
    """Benchmark one database: fresh data, then each server in turn."""
    with tempfile.TemporaryDirectory(prefix=f"openrecovery-bench-{label}-") as tmp:
        skip = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
        env = {k: v for k, v in os.environ.items() if k not in skip}
        env |= {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "SECRET_KEY": secrets.token_urlsafe(64),
            "AUDIT_HMAC_KEY": secrets.token_hex(32),
            "OPENRECOVERY_DATA_DIR": tmp,
            "OPENRECOVERY_DEMO_PASSWORD": f"bench-{secrets.token_urlsafe(18)}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONPATH": str(REPO / "src"),
        }
        if database_url:
            env["DATABASE_URL"] = database_url
        facts = prepare(label, env, args.patients, args.events_per_patient)
        rows: list[Row] = []
        codes: list[str] = []
        for server_name in args.servers:
            rows += measure_server(server_name, label, env, facts, args.duration, codes)
        return rows, facts


def print_table(rows: list[Row]) -> None:
    """Print the results with ratios to the floor of the same server and database."""
    floors = {
        (r.server, r.database, r.floor): r.result.rps
        for r in rows
        if r.scenario == f"{r.floor} floor"
    }
    header = (
        f"{'scenario':<12} {'server':<9} {'db':<9} {'conc':>4} {'req/s':>9} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'ratio':>6} {'err':>4}  target"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for r in rows:
        floor = floors.get((r.server, r.database, r.floor)) or 0.0
        ratio = r.result.rps / floor if floor else 0.0
        target = ""
        if r.scenario == SCORING:
            met = ratio >= SCORING_RATIO_TARGET
            target = f"ratio>={SCORING_RATIO_TARGET} {'ok' if met else 'MISSED'}"
        elif r.scenario not in ("read floor", "write floor"):
            limit = PAGE_P95_TARGET_MS[r.connections]
            target = f"p95<{limit:.0f} {'ok' if r.result.p95_ms < limit else 'MISSED'}"
        print(
            f"{r.scenario:<12} {r.server:<9} {r.database:<9} {r.connections:>4} "
            f"{r.result.rps:>9,.0f} {r.result.p50_ms:>8.1f} {r.result.p95_ms:>8.1f} "
            f"{r.result.p99_ms:>8.1f} {ratio:>6.2f} {r.result.errors:>4}  {target}"
        )


def print_queries(all_facts: dict[str, dict], patients: int) -> None:
    """Print query counts and in-process times of the staff pages."""
    print(f"\nIn-process page checks at {patients:,} patients (demo counselor, 20 runs):")
    for label, facts in all_facts.items():
        for page, info in facts["pages"].items():
            print(f"  {label:<9} {page:<10} {info['queries']:>3} queries, {info['median_ms']} ms")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=None, help="patients (100000)")
    parser.add_argument("--quick", action="store_true", help="2,000 patients, 5 s per scenario")
    parser.add_argument("--duration", type=int, default=None, help="seconds per scenario (10)")
    parser.add_argument("--events-per-patient", type=int, default=5)
    parser.add_argument("--servers", nargs="+", choices=SERVERS, default=list(SERVERS))
    parser.add_argument("--databases", nargs="+", choices=("sqlite", "postgresql"))
    args = parser.parse_args(argv)
    args.patients = args.patients or (2000 if args.quick else 100_000)
    args.duration = args.duration or (5 if args.quick else 10)
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the whole benchmark and print the table."""
    args = parse_args(argv)
    wrk_path()
    url = os.environ.get("DATABASE_URL", "")
    databases = args.databases or (["sqlite", "postgresql"] if url else ["sqlite"])
    if "postgresql" in databases and not url:
        sys.exit("Set DATABASE_URL to benchmark PostgreSQL.")
    print(
        f"OpenRecovery bench {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{args.patients:,} patients, {args.duration} s per scenario",
        flush=True,
    )
    started = time.monotonic()
    rows: list[Row] = []
    all_facts: dict[str, dict] = {}
    for database in databases:
        bench_url = ""
        if database == "postgresql":
            bench_url = bench_database_url(url)
            postgres_recreate(url, bench_url)
        found, facts = run_database(database, bench_url, args)
        rows += found
        all_facts[database] = facts
    print_table(rows)
    print_queries(all_facts, args.patients)
    for label, facts in all_facts.items():
        print(f"  {label}: demo_data took {facts['load_seconds']:.1f} s")
    print(f"\nTotal {time.monotonic() - started:.0f} s.")


if __name__ == "__main__":
    main()
