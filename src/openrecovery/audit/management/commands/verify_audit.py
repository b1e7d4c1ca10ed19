"""Check the audit log's HMAC chain and report the first altered, deleted or forged event."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openrecovery.audit.heads import HeadsExportInvalid, heads_check, heads_load
from openrecovery.audit.verification import audit_verify


class Command(BaseCommand):
    help = (
        "Verify the audit log's HMAC chain. Print 'OK: N events verified', or the sequence "
        "number (event id) of the first altered, deleted or forged event and exit non-zero."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="List every problem found, not only the first.",
        )
        parser.add_argument(
            "--heads",
            metavar="FILE",
            help="Also require each lane to reach the head recorded by export_audit_heads.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if options["heads"]:
            try:
                export = heads_load(Path(options["heads"]).read_text())
            except (OSError, HeadsExportInvalid) as exc:
                raise CommandError(f"--heads {options['heads']}: {exc}") from exc
            report.problems = sorted({*report.problems, *heads_check(export)})
        first = report.first
        if first is None:
            self.stdout.write(self.style.SUCCESS(f"OK: {report.events_checked} events verified"))
            return
        if options["all"]:
            for problem in report.problems:
                self.stderr.write(
                    f"#{problem.seq} ({problem.kind}, lane {problem.lane}): {problem.explanation}"
                )
        self.stdout.write(
            self.style.ERROR(
                f"FAIL: first problem at sequence number {first.seq} ({first.kind}): "
                f"{first.explanation} (lane {first.lane})"
            )
        )
        raise CommandError(
            f"audit chain broken: {len(report.problems)} problem(s) in "
            f"{report.events_checked} events checked; the first at sequence number {first.seq}"
        )
