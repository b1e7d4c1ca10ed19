"""Benchmark OpenRecovery: fresh databases, demo data, production servers, wrk.

`make bench` runs it. For SQLite always, and for PostgreSQL when DATABASE_URL is
set (in a separate database whose name is derived from, never equal to, the one
in DATABASE_URL), it migrates a new database, loads `demo_data --patients N`,
(which fills a 40-bed withdrawal unit with 30 days of observations per bed), loads
synthetic helpline inquiries (`helpline_bench_data`), starts granian and gunicorn on
free ports of 127.0.0.1, signs the demo counselor, nurse and admissions coordinator in,
and measures the read and write floors, the public PHQ-9 scoring endpoint, public
callback submissions, staff administrations and CIWA-B saves, the staff pages, the
admissions queue and the withdrawal unit's board (page and API).
Every loop is bounded in time. Results and ratios are printed as a table (see
docs/performance.md).
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
ADMISSIONS = "admissions"
SERVERS = ("granian", "gunicorn")
PAGE_P95_TARGET_MS = {1: 50.0, 16: 150.0}
SCORING = "score phq9"
SCORING_RATIO_TARGET = 0.7  # stateless scoring: at least 0.7 of the read floor
CALLBACK = "callback"
CALLBACK_RATIO_TARGET = 0.5  # public writes, audit event included: 0.5 of the write floor
# A staff PHQ-9 through the administrations API, audit event included: the alert rules
# and the suicide-risk reaction run on every result (item 9 is 0, so none fires; a
# positive one would lock the patient's row to open a task, and 16 clients writing to
# one patient would only queue on that lock).
ADMINISTER = "administer"
ADMINISTER_RATIO_TARGET = 0.5
# The write floor's insert behind staff authentication (a verified session): what a staff
# write pays before doing anything. Printed with its ratio to the bare write floor, and
# the administrations scenario also shows its ratio to this one.
STAFF_WRITE_FLOOR = "staff write"
# The withdrawal unit's board (40 beds, 30 days of observations each), as the demo nurse
# sees it at the nurses' station: the page and the pinned JSON API.
BOARD = "board"
BOARD_API = "board api"
# A CIWA-B through the same API for a calm bed of that unit: scored, judged under the
# protocol (next due time, rise), checked for escalation, audited. A mild score that
# repeats the bed's last one neither rises nor alerts.
CIWAB = "ciwab save"
CIWAB_ANSWERS = [1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
CIWAB_RATIO_TARGET = 0.5
QUEUE = "queue"
QUEUE_POLL = "queue poll"  # the console's polled table (/admissions/queue/), when it exists
RATIO_TARGETS = {
    SCORING: SCORING_RATIO_TARGET,
    CALLBACK: CALLBACK_RATIO_TARGET,
    ADMINISTER: ADMINISTER_RATIO_TARGET,
    CIWAB: CIWAB_RATIO_TARGET,
}
# In-process query counts of the queue are taken at this small size, then at full size.
SMALL_INQUIRIES = (100, 1000)


@dataclasses.dataclass
class Row:
    """One measured scenario."""

    scenario: str
    server: str
    database: str
    connections: int
    result: LoadResult
    floor: str  # "read" or "write": the floor this row is compared with


def bench_database_url(url: str, name: str = "") -> str:
    """Return DATABASE_URL with a dedicated benchmark database name (never the original).

    ``name`` (``--bench-db``, or ``$OPENRECOVERY_BENCH_DB``) replaces the default name, so
    that two people on one server do not drop each other's benchmark database.
    """
    parts = urllib.parse.urlsplit(url)
    original = parts.path.lstrip("/")
    name = name or BENCH_DB_NAME
    if name == original:
        name = f"{name}_2"
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


def _in_process(env: dict[str, str], script: str, *args: str) -> dict:
    """Run a bench script in-process against the benchmark database; return its JSON report."""
    check_env = env | {"ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"}
    done = subprocess.run(
        [PYTHON, str(REPO / "bench" / script), *args],
        cwd=REPO,
        env=check_env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def page_queries(env: dict[str, str], *pages: str) -> dict:
    """Count the staff pages' queries in-process (bench/queries.py)."""
    return _in_process(env, "queries.py", *(("--pages", *pages) if pages else ()))


def page_costs(env: dict[str, str]) -> dict:
    """Measure the staff pages' CPU against the read floor in-process (bench/cost.py)."""
    return _in_process(env, "cost.py")


def inquiries_load(env: dict[str, str], open_count: int, closed: int) -> float:
    """Fill the helpline until it holds ``open_count`` open and ``closed`` closed; seconds."""
    started = time.monotonic()
    manage(env, "helpline_bench_data", "--open", str(open_count), "--closed", str(closed))
    return time.monotonic() - started


def prepare(label: str, env: dict[str, str], args: argparse.Namespace) -> dict:
    """Migrate, load demo data and measure queries in-process. Return facts for the run.

    The queue's queries are counted twice: with a small helpline, then after loading
    ``--inquiries-open`` open and ``--inquiries-closed`` closed inquiries.
    """
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    loading = time.monotonic()
    manage(
        env,
        "demo_data",
        "--patients", str(args.patients),
        "--events-per-patient", str(args.events_per_patient),
    )  # fmt: skip
    loaded = time.monotonic() - loading
    if args.reuse and "DATABASE_URL" in env:  # the loads added nothing: no small helpline
        facts = page_queries(env)
        facts["queue_small"] = {}
        facts["inquiries_seconds"] = inquiries_load(env, args.inquiries_open, args.inquiries_closed)
    else:
        inquiries_load(env, *SMALL_INQUIRIES)
        facts = page_queries(env)
        queues = [p for p in (QUEUE, QUEUE_POLL) if p in facts["pages"]]
        facts["queue_small"] = {p: facts["pages"].pop(p) for p in queues}
        facts["inquiries_seconds"] = inquiries_load(env, args.inquiries_open, args.inquiries_closed)
        facts["pages"] |= page_queries(env, *queues)["pages"]
    facts["costs"] = page_costs(env)
    facts["load_seconds"] = loaded
    facts["prepare_seconds"] = time.monotonic() - started
    print(
        f"[{label}] demo_data --patients {args.patients}: {loaded:.1f} s; "
        f"helpline_bench_data --open {args.inquiries_open} --closed {args.inquiries_closed}: "
        f"{facts['inquiries_seconds']:.1f} s; queue is {facts['queue_path']}",
        flush=True,
    )
    return facts


def totp_now(env: dict[str, str], last: list[str], username: str = USERNAME) -> str:
    """Return a TOTP code not used before (codes are single-use: wait for the next step)."""
    for _ in range(40):
        code = manage(env, "demo_totp", username, capture=True).strip()
        if code not in last:
            last.append(code)
            return code
        time.sleep(1)
    raise RuntimeError("no fresh TOTP code within 40 s")


def measure_server(
    server_name: str, label: str, env: dict, facts: dict, duration: int, codes: dict
) -> list[Row]:
    """Start one server, sign in, run every scenario, stop the server."""
    work = Path(env["OPENRECOVERY_DATA_DIR"])
    server = server_start(server_name, env, work)
    rows: list[Row] = []
    try:
        base = server.base
        password = env["OPENRECOVERY_DEMO_PASSWORD"]
        signed = sign_in(base, USERNAME, password, totp_now(env, codes[USERNAME]))
        admissions = sign_in(
            base, ADMISSIONS, password, totp_now(env, codes[ADMISSIONS], ADMISSIONS)
        )
        writer = facts["administer"]["username"]
        nurse = sign_in(base, writer, password, totp_now(env, codes.setdefault(writer, []), writer))
        if facts["board"]["username"] != writer:
            raise RuntimeError("the board and the administrations scenario need one nurse")
        pages = _page_requests(facts, signed)
        pages[QUEUE] = Request(facts["queue_path"], cookie=admissions.cookie)
        sessions = dict.fromkeys(pages, signed) | {QUEUE: admissions, QUEUE_POLL: admissions}
        if QUEUE_POLL in facts["pages"]:
            pages[QUEUE_POLL] = Request("/admissions/queue/", cookie=admissions.cookie)
        pages[BOARD] = Request(facts["board"]["page"], cookie=nurse.cookie)
        pages[BOARD_API] = Request(facts["board"]["api"], cookie=nurse.cookie)
        sessions |= {BOARD: nurse, BOARD_API: nurse}
        scenarios = [
            ("read floor", Request("/api/v1/bench/read"), 16, "read"),
            ("write floor", _write_request(), 16, "write"),
            (CALLBACK, _callback_request(), 16, "write"),
            (SCORING, _score_request(), 16, "read"),
            (STAFF_WRITE_FLOOR, _write_request(nurse), 16, "write"),
            (ADMINISTER, _administer_request(facts, nurse), 16, "write"),
            (CIWAB, _ciwab_request(facts, nurse), 16, "write"),
        ]
        for name, request in pages.items():
            scenarios += [(name, request, 1, "read"), (name, request, 16, "read")]
        for name, request, connections, floor in scenarios:
            result = wrk_run(base, request, connections, duration)
            if name in pages:  # a redirect to sign-in would look fast: prove the session held
                page_check(base, request.path, sessions[name], request.body, request.htmx)
            rows.append(Row(name, server_name, label, connections, result, floor))
            print(
                f"[{label}/{server_name}] {name} c{connections}: {result.rps:,.0f} req/s, "
                f"p95 {result.p95_ms:.1f} ms",
                flush=True,
            )
    finally:
        server_stop(server)
    return rows


def _write_request(staff: SignedIn | None = None) -> Request:
    """The bare write floor; with ``staff``, the same insert behind that staff session."""
    return Request(
        "/api/v1/bench/write-staff" if staff else "/api/v1/bench/write",
        method="POST",
        body='{"payload": "x"}',
        content_type="application/json",
        cookie=staff.cookie if staff else "",
        csrf=staff.csrf if staff else "",
    )


def _callback_request() -> Request:
    """A valid public callback request (the server runs with HELPLINE_RATE_LIMIT=off)."""
    body = {
        "name": "Bench caller",
        "phone": "+1 (555) 010-4477",
        "best_time": "evenings",
        "for_whom": "myself",
        "substances": "alcohol",
        "voicemail_ok": False,
        "consent": True,
        "message": "Please call after 6 pm.",
    }
    return Request(
        "/api/v1/helpline/callbacks",
        method="POST",
        body=json.dumps(body),
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


def _administration_request(patient_id: int, code: str, answers: list, signed: SignedIn) -> Request:
    """An instrument's answers for one patient through the staff administrations API."""
    body = {"code": code, "answers": answers, "context": {}}
    return Request(
        f"/api/v1/patients/{patient_id}/administrations",
        method="POST",
        body=json.dumps(body),
        content_type="application/json",
        cookie=signed.cookie,
        csrf=signed.csrf,
    )


def _administer_request(facts: dict, signed: SignedIn) -> Request:
    """A PHQ-9 for the demo nurse's patient (not the counselor's), through the staff API."""
    answers = [1, 2, 0, 3, 1, 2, 0, 1, 0, 1]
    return _administration_request(facts["administer"]["patient_id"], "phq9", answers, signed)


def _ciwab_request(facts: dict, signed: SignedIn) -> Request:
    """A calm CIWA-B for the withdrawal unit's last bed, through the staff API."""
    return _administration_request(facts["board"]["patient_id"], "ciwab", CIWAB_ANSWERS, signed)


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
            # As the search page sends it: a full-page POST only redirects to the results.
            htmx=True,
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
            # The callback scenario sends every request from 127.0.0.1.
            "HELPLINE_RATE_LIMIT": "off",
        }
        if database_url:
            env["DATABASE_URL"] = database_url
        facts = prepare(label, env, args)
        rows: list[Row] = []
        codes: dict[str, list[str]] = {USERNAME: [], ADMISSIONS: []}
        for server_name in args.servers:
            rows += measure_server(server_name, label, env, facts, args.duration, codes)
        return rows, facts


def print_table(rows: list[Row]) -> None:
    """Print the results with ratios to the floor of the same server and database."""
    if not rows:  # --servers with no server: in-process measurements only
        return
    floors = {
        (r.server, r.database, r.floor): r.result.rps
        for r in rows
        if r.scenario == f"{r.floor} floor"
    }
    staff_floors = {
        (r.server, r.database): r.result.rps for r in rows if r.scenario == STAFF_WRITE_FLOOR
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
        if r.scenario in RATIO_TARGETS:
            met = ratio >= RATIO_TARGETS[r.scenario]
            target = f"ratio>={RATIO_TARGETS[r.scenario]} {'ok' if met else 'MISSED'}"
            staff = staff_floors.get((r.server, r.database))
            if r.scenario in (ADMINISTER, CIWAB) and staff:
                target += f" ({r.result.rps / staff:.2f} of the staff write floor)"
        elif r.scenario == STAFF_WRITE_FLOOR:
            target = "floor behind a staff session"
        elif r.scenario not in ("read floor", "write floor"):
            limit = PAGE_P95_TARGET_MS[r.connections]
            target = f"p95<{limit:.0f} {'ok' if r.result.p95_ms < limit else 'MISSED'}"
        print(
            f"{r.scenario:<12} {r.server:<9} {r.database:<9} {r.connections:>4} "
            f"{r.result.rps:>9,.0f} {r.result.p50_ms:>8.1f} {r.result.p95_ms:>8.1f} "
            f"{r.result.p99_ms:>8.1f} {ratio:>6.2f} {r.result.errors:>4}  {target}"
        )


def print_costs(all_facts: dict[str, dict]) -> None:
    """Print each staff page's in-process CPU per request as a ratio to the read floor."""
    print(
        "\nIn-process page cost (CPU per request, Django test client, median of rounds; "
        "ratio to the read floor with the same staff session):"
    )
    for label, facts in all_facts.items():
        target = facts["costs"]["target"]
        for page, info in facts["costs"]["pages"].items():
            verdict = ""
            if page == BOARD:
                verdict = "for information (its target is p95<50 ms for one user)"
            elif not page.startswith("read floor"):
                verdict = f"ratio<={target:.0f} {'PASS' if info['ratio'] <= target else 'FAIL'}"
            print(
                f"  {label:<10} {page:<24} {info['cpu_ms']:>7.2f} ms {info['ratio']:>6.2f}x "
                f"({info['ratio_anonymous']:>6.2f}x the floor without a session)  {verdict}"
            )


def print_queries(all_facts: dict[str, dict], args: argparse.Namespace) -> None:
    """Print query counts and in-process times of the staff pages."""
    print(
        f"\nIn-process page checks at {args.patients:,} patients (demo counselor; the queue "
        f"as the demo admissions coordinator), median of 20 runs:"
    )
    small_open, small_closed = SMALL_INQUIRIES
    for label, facts in all_facts.items():
        for page, info in facts["pages"].items():
            print(f"  {label:<9} {page:<10} {info['queries']:>3} queries, {info['median_ms']} ms")
        if "measures_due" in facts:
            due = facts["measures_due"]
            print(f"  {label:<9} dashboard: {due['due']} measures due, {due['patients']} patients")
        for page, small in facts["queue_small"].items():
            large = facts["pages"][page]
            constant = "constant" if small["queries"] == large["queries"] else "NOT CONSTANT"
            path = facts["queue_path"] if page == QUEUE else "/admissions/queue/"
            print(
                f"  {label:<9} {page} ({path}): {small['queries']} queries "
                f"({small['median_ms']} ms) at {small_open:,} open / {small_closed:,} closed, "
                f"{large['queries']} ({large['median_ms']} ms) at {args.inquiries_open:,} / "
                f"{args.inquiries_closed:,}: {constant}"
            )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=None, help="patients (100000)")
    parser.add_argument("--quick", action="store_true", help="2,000 patients, 5 s per scenario")
    parser.add_argument("--duration", type=int, default=None, help="seconds per scenario (10)")
    parser.add_argument("--events-per-patient", type=int, default=5)
    parser.add_argument("--servers", nargs="*", choices=SERVERS, default=list(SERVERS))
    parser.add_argument("--databases", nargs="+", choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--bench-db",
        default=os.environ.get("OPENRECOVERY_BENCH_DB", ""),
        help=f"PostgreSQL benchmark database name ($OPENRECOVERY_BENCH_DB; {BENCH_DB_NAME})",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep an existing PostgreSQL benchmark database (loads add only what is missing)",
    )
    parser.add_argument(
        "--inquiries-open", type=int, default=10_000, help="open helpline inquiries (10000)"
    )
    parser.add_argument(
        "--inquiries-closed",
        type=int,
        default=None,
        help="closed helpline inquiries (1000000; 20000 with --quick)",
    )
    args = parser.parse_args(argv)
    if args.inquiries_closed is None:
        args.inquiries_closed = 20_000 if args.quick else 1_000_000
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
        f"{args.patients:,} patients, {args.inquiries_open:,} open and "
        f"{args.inquiries_closed:,} closed inquiries, {args.duration} s per scenario",
        flush=True,
    )
    started = time.monotonic()
    rows: list[Row] = []
    all_facts: dict[str, dict] = {}
    for database in databases:
        bench_url = ""
        if database == "postgresql":
            bench_url = bench_database_url(url, args.bench_db)
            if not args.reuse:
                postgres_recreate(url, bench_url)
        found, facts = run_database(database, bench_url, args)
        rows += found
        all_facts[database] = facts
    print_table(rows)
    print_queries(all_facts, args)
    print_costs(all_facts)
    for label, facts in all_facts.items():
        print(
            f"  {label}: demo_data took {facts['load_seconds']:.1f} s, "
            f"helpline_bench_data {facts['inquiries_seconds']:.1f} s"
        )
    print(f"\nTotal {time.monotonic() - started:.0f} s.")


if __name__ == "__main__":
    main()
