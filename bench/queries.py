"""In-process check of the staff pages: query counts and server time, per page.

Run by bench/run.py with the benchmark's environment; prints one JSON line with the
demo counselor's chart and search targets and, per page, queries and milliseconds.
The dashboard carries the counselor's measures due (``measures_due`` says how many).
The admissions queue is measured as the demo admissions coordinator: the console page
``/admissions/`` when it exists, else the staff JSON queue ``/api/v1/helpline/inquiries``
(``queue_path`` in the output says which). The withdrawal unit's board, page and API, is
measured as the demo nurse. ``--pages queue`` measures only the queue.
"""

import json
import os
import statistics
import sys
import time

REPEAT = 20
QUEUE_PAGE = "/admissions/"
QUEUE_API = "/api/v1/helpline/inquiries"
QUEUE_POLL = "/admissions/queue/"
NURSE = "nurse"


def verified_client(user):  # noqa: ANN001, ANN201
    """Return a test client signed in as ``user`` with MFA passed in its session."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def chart_target(user) -> tuple:  # noqa: ANN001
    """Return the user's dashboard patient with the longest timeline, and a search term."""
    from openrecovery.chart.selectors import dashboard_groups

    episodes = [e for g in dashboard_groups(user)[0] for e in g.episodes]
    patient = max((e.patient for e in episodes), key=lambda p: p.timeline.count())
    return patient, patient.search_family[:3]


def administer_target(counselor) -> tuple[str, int]:  # noqa: ANN001
    """Return who records the administrations scenario and for which patient.

    The demo nurse, for a patient on her care team but not the counselor's: the load
    adds thousands of administrations to that one patient, which would make the
    counselor's dashboard and chart (the page scenarios) unlike any real one.
    """
    from openrecovery.accounts.models import User
    from openrecovery.records.models import CareTeamMember

    nurse = User.objects.get(username=NURSE)
    counselors = CareTeamMember.objects.filter(user=counselor, active=True)
    mine = CareTeamMember.objects.filter(user=nurse, active=True, patient__episodes__ended_at=None)
    patient_id = (
        mine.exclude(patient_id__in=counselors.values("patient_id"))
        .order_by("patient_id")
        .values_list("patient_id", flat=True)
        .first()
    )
    if patient_id is None:
        raise RuntimeError("the demo nurse has no patient of her own: did demo_data change?")
    return NURSE, patient_id


def board_target() -> dict:
    """Return the withdrawal unit the bulk load filled (``demo.withdrawal_bulk``), its
    board's paths, and the bed the CIWA-B scenario records for: the last one, calm (mild,
    falling), so that repeating its last score neither rises nor alerts."""
    from openrecovery.demo.withdrawal import DEMO_UNIT
    from openrecovery.withdrawal.models import UnitAssignment

    code = DEMO_UNIT["code"]
    beds = UnitAssignment.objects.filter(unit__code=code, ended_at__isnull=True)
    patient_id = beds.order_by("-patient_id").values_list("patient_id", flat=True).first()
    if patient_id is None:
        raise RuntimeError("the withdrawal unit is empty: did demo_data --patients change?")
    return {
        "unit": code,
        "beds": beds.count(),
        "page": f"/withdrawal/board/?unit={code}",
        "api": f"/api/v1/withdrawal/board?unit={code}",
        "patient_id": patient_id,
        "username": NURSE,
    }


def measures_target(user) -> dict:  # noqa: ANN001
    """Return how many measures due the counselor's dashboard lists, of how many patients
    in treatment: the dashboard is measured with its measures due (measurement-based
    care), one query for them whatever their number."""
    from django.utils import timezone

    from openrecovery.treatment.measurement_selectors import dashboard_measures_due

    due = dashboard_measures_due(user, timezone.now())
    if not due:
        raise RuntimeError("the demo counselor has no measure due: did demo_data change?")
    return {"due": len(due), "patients": len({m.patient_id for m in due})}


def queue_path(client) -> str:  # noqa: ANN001
    """Return the console page when it exists (200), else the staff JSON queue."""
    return QUEUE_PAGE if client.get(QUEUE_PAGE).status_code == 200 else QUEUE_API


def main() -> None:
    """Measure dashboard, chart and search as the demo counselor, the queue as admissions,
    the withdrawal unit's board (page and API) as the demo nurse."""
    only = sys.argv[sys.argv.index("--pages") + 1 :] if "--pages" in sys.argv else None
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openrecovery.settings.bench")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from openrecovery.accounts.models import User

    user = User.objects.get(username="counselor")
    patient, term = chart_target(user)
    client = verified_client(user)
    admissions = verified_client(User.objects.get(username="admissions"))
    queue = queue_path(admissions)
    pages = {
        "dashboard": lambda: client.get("/"),
        "chart": lambda: client.get(f"/patients/{patient.pk}/"),
        "search": lambda: client.post("/patients/search/", {"q": term}, HTTP_HX_REQUEST="true"),
        "queue": lambda: admissions.get(queue),
    }
    if queue == QUEUE_PAGE:  # the table alone, as the console polls it every few seconds
        pages["queue poll"] = lambda: admissions.get(QUEUE_POLL)
    board = board_target()
    nurse = verified_client(User.objects.get(username=board["username"]))
    pages["board"] = lambda: nurse.get(board["page"])
    pages["board api"] = lambda: nurse.get(board["api"])
    writer, written = administer_target(user)
    report: dict = {
        "patient_id": patient.pk,
        "measures_due": measures_target(user),
        "administer": {"username": writer, "patient_id": written},
        "board": board,
        "search": term,
        "queue_path": queue,
        "pages": {},
    }
    for name, fetch in pages.items():
        if only and name not in only:
            continue
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
