"""In-process page cost: CPU time per request of each staff page, as a ratio to the floor.

Run by bench/run.py (``make bench``) with the benchmark's environment, after queries.py.
Every page goes through the whole middleware stack (session, CSRF, auth, OTP, session
timeout, MFA, security headers, axes) with Django's test client: the dashboard, the
chart and the search (a POST) as the demo counselor, the admissions console and its
polled queue as the demo admissions coordinator, and the trivial endpoint
``/api/v1/bench/read`` (the read floor) twice: with the counselor's verified session, so
that the per-request stack a page cannot avoid (session, user and OTP device loads, the
timeout and MFA middleware) is in the floor and the ratio is what the page itself adds
(the target: at most 6x), and without a cookie, as wrk requests it (for information).
After a warm-up, the pages
take turns in rounds of ``BATCH`` requests each; a page's cost is the median of its
rounds' ``time.process_time()`` per request, and its ratio the median of its rounds'
ratios to the floor measured in the same round. Bounded: at most ``ROUNDS`` rounds and
``TIME_LIMIT`` seconds. Prints one JSON line; ``--profile PAGE`` prints a cProfile of
that page instead (``--sort tottime|cumulative``, ``--limit N``). Before the JSON line it
prints each page's ratio with PASS or FAIL against the target; ``--runs N`` measures N
times and reports the median of the runs and the range of the ratios.
"""

import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.queries import (  # noqa: E402
    QUEUE_PAGE,
    QUEUE_POLL,
    board_target,
    chart_target,
    verified_client,
)

FLOOR = "read floor"
FLOOR_ANONYMOUS = "read floor, no session"
FLOOR_PATH = "/api/v1/bench/read"
RATIO_TARGET = 6.0  # each staff page at most 6x the trivial endpoint's CPU
# Measured for information: the board's target is a latency (p95 under 50 ms for one
# user, bench/run.py), for 40 beds of a month's observations each.
UNTARGETED = ("board",)
WARMUP = 5
BATCH = 20
ROUNDS = 9
TIME_LIMIT = 60.0  # seconds for all rounds together


def _pages() -> dict[str, Callable]:
    from django.test import Client

    from openrecovery.accounts.models import User

    user = User.objects.get(username="counselor")
    patient, term = chart_target(user)
    counselor = verified_client(user)
    admissions = verified_client(User.objects.get(username="admissions"))
    anonymous = Client(HTTP_HOST="127.0.0.1")
    board = board_target()
    nurse = verified_client(User.objects.get(username=board["username"]))
    return {
        FLOOR: lambda: counselor.get(FLOOR_PATH),
        FLOOR_ANONYMOUS: lambda: anonymous.get(FLOOR_PATH),
        "dashboard": lambda: counselor.get("/"),
        "chart": lambda: counselor.get(f"/patients/{patient.pk}/"),
        # As the search page sends it (htmx): a full-page POST only redirects to the results.
        "search": lambda: counselor.post("/patients/search/", {"q": term}, HTTP_HX_REQUEST="true"),
        "console": lambda: admissions.get(QUEUE_PAGE),
        "console poll": lambda: admissions.get(QUEUE_POLL),
        "board": lambda: nurse.get(board["page"]),
    }


def _fetch_ok(name: str, fetch: Callable) -> None:
    response = fetch()
    if response.status_code != 200:
        sys.exit(f"{name} answered {response.status_code}")


def measure(pages: dict[str, Callable]) -> dict[str, dict]:
    """Return each page's median CPU milliseconds per request and its ratio to the floor."""
    for name, fetch in pages.items():
        for _ in range(WARMUP):
            _fetch_ok(name, fetch)
    samples: dict[str, list[float]] = {name: [] for name in pages}
    deadline = time.monotonic() + TIME_LIMIT
    for _ in range(ROUNDS):
        for name, fetch in pages.items():
            started = time.process_time()
            for _ in range(BATCH):
                fetch()
            samples[name].append((time.process_time() - started) * 1000 / BATCH)
        if time.monotonic() > deadline:
            break
    for name, fetch in pages.items():  # the session must still hold: no silent redirects
        _fetch_ok(name, fetch)
    report = {}
    for name, values in samples.items():
        # Ratios are taken within a round (batches run back to back, under the same load
        # from other processes), then the median over the rounds.
        ratios = [v / f for v, f in zip(values, samples[FLOOR], strict=True)]
        anonymous = [v / f for v, f in zip(values, samples[FLOOR_ANONYMOUS], strict=True)]
        report[name] = {
            "cpu_ms": round(statistics.median(values), 3),
            "ratio": round(statistics.median(ratios), 2),
            "ratio_anonymous": round(statistics.median(anonymous), 2),
            "rounds": len(values),
        }
    return report


def combine(reports: list[dict[str, dict]]) -> dict[str, dict]:
    """Return the median of several measurements per page, with the ratios' range."""
    if len(reports) == 1:
        return reports[0]
    combined = {}
    for name in reports[0]:
        ratios = [r[name]["ratio"] for r in reports]
        combined[name] = {
            "cpu_ms": round(statistics.median(r[name]["cpu_ms"] for r in reports), 3),
            "ratio": round(statistics.median(ratios), 2),
            "ratio_anonymous": round(
                statistics.median(r[name]["ratio_anonymous"] for r in reports), 2
            ),
            "rounds": sum(r[name]["rounds"] for r in reports),
            "runs": len(reports),
            "ratio_min": min(ratios),
            "ratio_max": max(ratios),
        }
    return combined


def print_verdicts(report: dict[str, dict]) -> None:
    """Print each page's CPU and ratio with PASS or FAIL against the 6x target."""
    for name, info in report.items():
        verdict = ""
        if name in UNTARGETED:
            verdict = "for information"
        elif not name.startswith(FLOOR):
            verdict = (
                f"ratio<={RATIO_TARGET:.0f} {'PASS' if info['ratio'] <= RATIO_TARGET else 'FAIL'}"
            )
        spread = ""
        if "ratio_min" in info:
            spread = f" (runs: {info['runs']}, {info['ratio_min']:.2f}-{info['ratio_max']:.2f}x)"
        print(f"{name:<24} {info['cpu_ms']:>7.2f} ms {info['ratio']:>6.2f}x{spread}  {verdict}")


# Where a function's own time goes, by the first path fragment its file matches.
AREAS = (
    ("django/db/models/sql", "SQL building (ORM compiler)"),
    ("django/db/models", "ORM querysets and model instances"),
    ("django/db/backends", "database driver layer"),
    ("sqlite3", "database driver layer"),
    ("psycopg", "database driver layer"),
    ("django/template", "template rendering"),
    ("django/forms", "form and widget rendering"),
    ("django/utils", "django.utils (escaping, lazy objects, dates)"),
    ("django_otp", "OTP"),
    ("django/contrib/sessions", "sessions"),
    ("django/core/signing", "sessions"),
    ("openrecovery/audit", "audit event"),
    ("openrecovery", "OpenRecovery code"),
)


def profile_areas(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Return the profile's own time summed by area, largest first."""

    def area_of(filename: str) -> str:
        return next((name for part, name in AREAS if part in filename), "other")

    totals: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if filename != "~" or not callers:
            totals[area_of(filename)] = totals.get(area_of(filename), 0.0) + tottime
            continue
        # A built-in (getattr, a driver's execute) counts for the code that called it.
        called = sum(entry[2] for entry in callers.values()) or 1.0
        for (caller_file, _, _), entry in callers.items():
            area = area_of(caller_file)
            totals[area] = totals.get(area, 0.0) + tottime * entry[2] / called
    return sorted(totals.items(), key=lambda item: -item[1])


def profile(fetch: Callable, sort: str, limit: int) -> None:
    """Print a cProfile of ``BATCH * ROUNDS`` requests of one page (after the warm-up)."""
    for _ in range(WARMUP):
        fetch()
    profiler = cProfile.Profile(time.process_time)  # CPU, not waiting for fsync
    profiler.enable()
    for _ in range(BATCH * ROUNDS):
        fetch()
    profiler.disable()
    stats = pstats.Stats(profiler)
    areas = profile_areas(stats)
    whole = sum(seconds for _, seconds in areas)
    for area, seconds in areas:
        print(f"{seconds / whole:6.1%}  {area}")
    stats.sort_stats(sort).print_stats(limit)


def main() -> None:
    """Measure every page, or profile one with ``--profile PAGE``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openrecovery.settings.bench")
    import django

    django.setup()
    pages = _pages()
    if "--profile" in sys.argv:
        name = sys.argv[sys.argv.index("--profile") + 1]
        sort = sys.argv[sys.argv.index("--sort") + 1] if "--sort" in sys.argv else "tottime"
        limit = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else 40
        profile(pages[name], sort, limit)
        return
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 1
    reports = [measure(pages) for _ in range(max(1, runs))]
    report = combine(reports)
    print_verdicts(report)
    print(json.dumps({"target": RATIO_TARGET, "pages": report}))  # last line: for run.py


if __name__ == "__main__":
    main()
