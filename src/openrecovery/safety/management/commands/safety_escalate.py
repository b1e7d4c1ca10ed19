"""Re-alert the clinical directors to high suicide-risk alerts nobody acknowledged."""

from typing import Any

from django.core.management.base import BaseCommand

from openrecovery.safety.services import alerts_escalate


class Command(BaseCommand):
    help = (
        "Send unacknowledged high suicide-risk alerts to the clinical directors after "
        "SAFETY_REALERT_MINUTES (default 15). Run it every minute (cron or a timer)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        raised = alerts_escalate()
        patients = len({a.patient_id for a in raised})
        self.stdout.write(f"Re-alerted {len(raised)} director copies for {patients} patients.")
