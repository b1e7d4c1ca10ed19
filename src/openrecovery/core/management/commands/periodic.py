"""Run the every-minute checks in a loop: what cron does in production, for one process."""

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run each of settings.PERIODIC_COMMANDS (the safety and withdrawal re-escalation "
        "checks) every --interval seconds (60) until stopped, or once with --once. A "
        "failing check is logged (its exception type only) and the others still run. "
        "`make demo` runs it beside the server; in production run it on one machine "
        "(systemd, a container) or run each command from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=int, default=60, help="Seconds between runs.")
        parser.add_argument("--once", action="store_true", help="Run each check once, then stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"]
        if interval < 1:
            raise CommandError("--interval must be at least 1 second.")
        while True:
            started = time.monotonic()
            failed = self.run_all()
            if options["once"]:
                if failed:
                    raise CommandError(f"Failed: {', '.join(failed)}.")
                return
            close_old_connections()  # between runs, as after a request: none held stale
            time.sleep(max(0.0, interval - (time.monotonic() - started)))

    def run_all(self) -> list[str]:
        """Run every check once; return the names of those that failed."""
        failed = []
        for name in settings.PERIODIC_COMMANDS:
            try:
                call_command(name, stdout=self.stdout, stderr=self.stderr)
            except Exception as exc:  # noqa: BLE001 (one failing check must not stop the rest)
                # The type only: a message could carry a patient's data into the log.
                logger.error("periodic check %s failed: %s", name, type(exc).__name__)
                failed.append(name)
        return failed
