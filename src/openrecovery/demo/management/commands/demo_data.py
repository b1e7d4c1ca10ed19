"""Load fictional demo data: one staff member per role and their colleagues, patients over
every stage and a month of the helpline; or, with ``--patients N``, synthetic patients in
bulk for benchmarks.

The stories come first (``demo.stories``; their recent first contacts are helpline
conversions), then instrument histories (``demo.instruments``), intake assessments
(``demo.intakes``), the suicide-risk pathway at work (``demo.safety``) and the rest of
the helpline's month and today's queue (``demo.inquiries``).
"""

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from openrecovery.accounts.mfa import totp_secret_base32
from openrecovery.demo.backdating import demo_open_episodes
from openrecovery.demo.bulk import demo_bulk_create
from openrecovery.demo.inquiries import demo_helpline_converted, demo_helpline_create
from openrecovery.demo.instruments import demo_administrations_create
from openrecovery.demo.intakes import demo_intakes_create
from openrecovery.demo.safety import demo_pathway_create
from openrecovery.demo.staff import StaffResult, demo_staff_ensure, demo_totp_device
from openrecovery.demo.stories import DEMO_STORY_COUNT, demo_stories_create
from openrecovery.demo.treatment import demo_treatment_create
from openrecovery.demo.withdrawal import demo_unit_create, demo_withdrawal_create
from openrecovery.demo.withdrawal_bulk import BULK_BEDS, BULK_DAYS, demo_withdrawal_unit_fill
from openrecovery.records.models import Patient

PASSWORD_ENV = "OPENRECOVERY_DEMO_PASSWORD"  # noqa: S105 (the variable's name, not a secret)


class Command(BaseCommand):
    help = (
        "Create one demo staff member per role and colleagues in the clinical roles (each "
        "with a TOTP device), about 50 fictional "
        "patients with instrument histories and intake assessments, and a month of helpline "
        "inquiries with today's admissions queue. --patients N bulk-loads N synthetic "
        "patients for benchmarks instead, with a full withdrawal unit (40 beds, 30 days of "
        "observations each). "
        f"Running it again adds nothing; ${PASSWORD_ENV} sets (or resets) the demo password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--patients",
            type=int,
            default=None,
            help="Bulk-load synthetic patients until the database holds this many.",
        )
        parser.add_argument(
            "--beds",
            type=int,
            default=BULK_BEDS,
            help=f"With --patients: beds of the withdrawal unit to fill ({BULK_BEDS}).",
        )
        parser.add_argument(
            "--events-per-patient",
            type=int,
            default=5,
            help="Clinical timeline entries per bulk patient, besides stage changes (5).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        patients, events = options["patients"], options["events_per_patient"]
        if patients is not None and patients < 0 or events < 0 or options["beds"] < 0:
            raise CommandError("--patients, --beds and --events-per-patient must not be negative.")
        quiet = options["verbosity"] < 1
        staff = demo_staff_ensure(os.environ.get(PASSWORD_ENV) or None)
        self._report_staff(staff)
        started = time.monotonic()
        if patients is None:
            if Patient.objects.exists():
                self.stdout.write("Patients already exist; no demo patients added.")
                return
            with tqdm(total=DEMO_STORY_COUNT, unit="patient", disable=quiet) as bar:
                made = demo_stories_create(staff.users, progress=bar.update)
            self.stdout.write(f"Created {made} fictional patients.")
            self._clinical_records(staff, quiet)
            self._helpline(staff)
            self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
            return
        with tqdm(total=patients, unit="patient", disable=quiet) as bar:
            bar.update(min(Patient.objects.count(), patients))
            counts = demo_bulk_create(
                total=patients, staff=staff.users, events_per_patient=events, progress=bar.update
            )
        unit = demo_withdrawal_unit_fill(staff=staff.users, beds=options["beds"])
        if unit.beds:
            self.stdout.write(
                f"Filled the withdrawal unit: {unit.beds} beds with {BULK_DAYS} days of "
                f"observations ({unit.ciwab} CIWA-B, {unit.vitals} sets of vital signs) "
                f"and a signed taper each ({unit.doses} doses given since yesterday)."
            )
        if not counts.patients:
            self.stdout.write(f"The database already holds {patients} or more patients.")
            return
        self.stdout.write(
            f"Created {counts.patients} patients, {counts.episodes} episodes, "
            f"{counts.transitions} stage transitions, {counts.care_team} care-team places, "
            f"{counts.timeline} timeline events and {counts.staff} synthetic staff "
            f"in {time.monotonic() - started:.1f} s."
        )

    def _clinical_records(self, staff: StaffResult, quiet: bool) -> None:
        """Give the story patients' open episodes instrument histories and intakes."""
        episodes = demo_open_episodes()
        unit = demo_unit_create(staff=staff.users, episodes=episodes)
        bar = tqdm(total=2 * len(episodes), unit="episode", desc="clinical records", disable=quiet)
        with bar:
            given = demo_administrations_create(
                staff=staff.users, episodes=episodes, progress=bar.update
            )
            intakes = demo_intakes_create(staff=staff.users, episodes=episodes, progress=bar.update)
        pathway = demo_pathway_create(staff=staff.users, episodes=episodes)
        withdrawal = demo_withdrawal_create(staff=staff.users, episodes=episodes)
        treatment = demo_treatment_create(episodes=episodes)
        self.stdout.write(
            f"Recorded {given.total} instrument administrations, {intakes.drafts} draft and "
            f"{intakes.signed} signed intake assessments, and {intakes.problems} problem-list "
            f"entries ({intakes.confirmed} confirmed)."
        )
        self.stdout.write(
            f"Suicide-risk pathway: {pathway.owed} C-SSRS owed (overdue), "
            f"{pathway.plans_signed} safety plan signed after a moderate level, "
            f"{pathway.precautions_done} precautions checklist partly done, "
            f"{pathway.realerted} unacknowledged high-risk alert copy sent to the clinical "
            "director."
        )
        self.stdout.write(
            f"Withdrawal management: {withdrawal.patients} patients on the {unit.name} with "
            f"the demo physician on call, {withdrawal.vitals} sets of vital signs (one beyond "
            "the protocol's limits) and seizure precautions on one patient."
        )
        self.stdout.write(
            f"Treatment: {treatment.plans} signed plans, {treatment.notes} signed session "
            f"notes, {treatment.groups} relapse-prevention groups with {treatment.members} "
            f"members (last week's session signed, four weeks on the calendar) and "
            f"{treatment.reviews_owed} plan reviews owed where a measure is not on track."
        )

    def _helpline(self, staff: StaffResult) -> None:
        """Fill the admissions console: a month of closed inquiries and today's queue."""
        counts = demo_helpline_create(staff.users)
        kinds = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.closed.items())
        self.stdout.write(
            f"Took in helpline inquiries: {counts.open} open now, {kinds}, and "
            f"{demo_helpline_converted()} converted into patients."
        )

    def _report_staff(self, staff: StaffResult) -> None:
        if staff.created:
            self.stdout.write(f"Created demo staff: {', '.join(staff.created)}.")
        else:
            self.stdout.write("Demo staff already exist.")
        if staff.password_reset:
            self.stdout.write(f"Existing demo passwords were reset from ${PASSWORD_ENV}.")
        elif not staff.created:
            self.stdout.write(f"Existing passwords were kept (set ${PASSWORD_ENV} to reset them).")
        if staff.created and staff.password:
            source = f"from ${PASSWORD_ENV}" if os.environ.get(PASSWORD_ENV) else "generated"
            self.stdout.write(f"Password for new demo staff ({source}): {staff.password}")
        self.stdout.write(f"\n{'username':<12} {'role':<24} TOTP secret (base32)")
        for user in staff.users:
            device = demo_totp_device(user)
            secret = totp_secret_base32(device) if device else "(own authenticator)"
            self.stdout.write(f"{user.username:<12} {user.role_label:<24} {secret}")
        self.stdout.write(
            "\nAdd a key to an authenticator app, or run "
            "`python manage.py demo_totp USERNAME` to print the current code.\n"
        )
