"""Send further the withdrawal alerts nobody acknowledged in the protocol's time."""

from typing import Any

from django.core.management.base import BaseCommand

from openrecovery.withdrawal.services import escalations_reescalate


class Command(BaseCommand):
    help = (
        "Send unacknowledged withdrawal alerts (CIWA-B, vital signs) to the physician on "
        "call and the clinical directors after the protocol's re-escalation minutes "
        "(default 15). Run it every minute (cron or a timer), beside safety_escalate."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        raised = escalations_reescalate()
        patients = len({a.patient_id for a in raised})
        self.stdout.write(f"Re-escalated {len(raised)} alert copies for {patients} patients.")
