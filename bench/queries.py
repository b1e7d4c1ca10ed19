"""In-process check of the staff pages: query counts and server time, per page.

Run by bench/run.py with the benchmark's environment; prints one JSON line with the
demo counselor's chart and search targets and, per page, queries and milliseconds.
"""

import json
import os
import statistics
import sys
import time

REPEAT = 20


def main() -> None:
    """Measure dashboard, chart and search as the demo counselor."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openrecovery.settings.bench")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from openrecovery.accounts.models import User
    from openrecovery.chart.selectors import dashboard_groups

    user = User.objects.get(username="counselor")
    episodes = [e for g in dashboard_groups(user)[0] for e in g.episodes]
    patient = max((e.patient for e in episodes), key=lambda p: p.timeline.count())
    term = patient.search_family[:3]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    pages = {
        "dashboard": lambda: client.get("/"),
        "chart": lambda: client.get(f"/patients/{patient.pk}/"),
        "search": lambda: client.post("/patients/search/", {"q": term}),
    }
    report: dict = {"patient_id": patient.pk, "search": term, "pages": {}}
    for name, fetch in pages.items():
        times = []
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = fetch()
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"{name} answered {response.status_code}")
        report["pages"][name] = {
            "queries": len(captured.captured_queries),
            "median_ms": round(statistics.median(times), 2),
            "sql": [q["sql"] for q in captured.captured_queries],
        }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
