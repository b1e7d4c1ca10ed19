"""Server time of a 12-member group note: start it, individualize every member, sign it.

The issue's target: composing and signing a 12-member group note stays under 1 second of
server time. In process, on a fresh test database (SQLite unless DATABASE_URL is set):
each round builds a group of ``--members`` fictional patients in treatment, each with a
signed plan of two objectives, then times the three service calls the session page makes
(``group_note_start``, ``group_note_save`` with an individual part and one objective per
member, ``group_note_sign``), and the session page's one POST that does all of it for
another group (the whole request through the middleware, with the Django test client).
Prints each step's median milliseconds and query count over
``--rounds`` rounds, and PASS or FAIL against the target. Bounded: at most 20 rounds.

    .venv/bin/python bench/group_note.py [--members 12] [--rounds 5]
"""

import argparse
import logging
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

TARGET_MS = 1000.0
MAX_ROUNDS = 20


def _round(n: int, index: int) -> dict[str, tuple[float, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from tests.support.factories import make_staff
    from tests.treatment.group_support import group_session, make_group, members, shared_part

    from openrecovery.accounts.roles import Role
    from openrecovery.treatment.models import ProgressNote
    from openrecovery.treatment.services.group_notes import (
        MemberPart,
        group_note_save,
        group_note_sign,
        group_note_start,
    )

    director = make_staff(Role.CLINICAL_DIRECTOR, f"bench_director{index}")
    counselor = make_staff(Role.COUNSELOR, f"bench_counselor{index}")
    group = make_group(counselor, name=f"Bench group {index}")
    roster = members(group, director, n)
    session = group_session(group)
    shared = shared_part(session)
    timings: dict[str, tuple[float, int]] = {}

    def timed(step: str, call):  # noqa: ANN001, ANN202
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            result = call()
            timings[step] = ((time.perf_counter() - began) * 1000, len(queries))
        return result

    group_note = timed(
        "start", lambda: group_note_start(actor=counselor, session=session, shared=shared)
    )
    notes = {
        n.patient_id: n
        for n in ProgressNote.objects.filter(group_note=group_note).prefetch_related("objectives")
    }
    parts = {
        p.pk: MemberPart(
            f"Member {i} named a trigger and a plan.", [notes[p.pk].objectives.all()[0].pk]
        )
        for i, p in enumerate(roster)
    }
    timed(
        "individualize",
        lambda: group_note_save(
            actor=counselor, group_note=group_note, shared=shared, attendance={}, parts=parts
        ),
    )
    timed("sign", lambda: group_note_sign(actor=counselor, group_note=group_note))
    timed("page", _page_post(counselor, director, n, index))
    return timings


def _page_post(counselor, director, n: int, index: int):  # noqa: ANN001, ANN202
    """Return a call that sends the session page's one POST: shared part, attendance and
    every member's part, saved and signed (what the facilitator's "Sign" does)."""
    from django.utils import timezone
    from tests.support.factories import verified_client
    from tests.treatment.group_support import group_session, make_group, members

    from openrecovery.treatment.models import PlanObjective

    group = make_group(counselor, name=f"Bench page group {index}")
    roster = members(group, director, n)
    session = group_session(group)
    local = "%Y-%m-%dT%H:%M"
    data = {
        "topic": "Riding out a craving",
        "module_code": "cravings",
        "interventions": ["relapse_prevention"],
        "started_at": timezone.localtime(session.starts_at).strftime(local),
        "ended_at": timezone.localtime(session.ends_at).strftime(local),
        "modality": "in_person",
        "shared_text": "The group practised urge surfing.",
        "action": "sign",
    }
    first_objective = {
        o.goal.problem.plan.patient_id: o.pk
        for o in PlanObjective.objects.filter(goal__problem__plan__patient__in=roster)
        .select_related("goal__problem__plan")
        .order_by("-position")
    }
    for i, p in enumerate(roster):
        data[f"attendance_{p.pk}"] = "present"
        data[f"text_{p.pk}"] = f"Member {i} named a trigger and a plan."
        data[f"objectives_{p.pk}"] = [str(first_objective[p.pk])]
    client = verified_client(counselor)
    client.get(f"/treatment/sessions/{session.pk}/")  # warm: the session and its caches
    url = f"/treatment/sessions/{session.pk}/"

    def post():  # noqa: ANN202
        response = client.post(url, data)
        assert response.status_code == 302, response.status_code
        return response

    return post


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openrecovery.settings.test")
    import django

    django.setup()
    # The static files folder of a fresh checkout, and the alerts' log lines, are noise here.
    warnings.filterwarnings("ignore", message="No directory at")
    logging.getLogger("openrecovery.records.alerts").setLevel(logging.ERROR)
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rounds = [_round(args.members, i) for i in range(min(args.rounds, MAX_ROUNDS))]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    total = 0.0
    print(f"group note of {args.members} members, {connection.vendor}, {len(rounds)} rounds")
    for step in ("start", "individualize", "sign"):
        ms = statistics.median(r[step][0] for r in rounds)
        total += ms
        print(f"  {step:<14} {ms:7.1f} ms  {rounds[0][step][1]:3d} queries")
    verdict = "PASS" if total < TARGET_MS else "FAIL"
    print(f"  {'all three':<14} {total:7.1f} ms  (target < {TARGET_MS:.0f} ms: {verdict})")
    page = statistics.median(r["page"][0] for r in rounds)
    page_verdict = "PASS" if page < TARGET_MS else "FAIL"
    print(
        f"  {'page POST':<14} {page:7.1f} ms  {rounds[0]['page'][1]:3d} queries "
        f"(the session page's one save-and-sign, whole request: {page_verdict})"
    )
    return 0 if total < TARGET_MS and page < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
