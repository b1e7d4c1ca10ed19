"""Bulk-load synthetic helpline inquiries for benchmarks (``make bench``): open and closed.

``--open N --closed M`` adds inquiries until the database holds N open and M closed
ones, with ``bulk_create`` in batches and one audit event for the whole load (no
per-row events), then refreshes the planner statistics (ANALYZE). The rows are
fictional: names like "Bench 000123", phones in the 555-01xx range. Closed inquiries
carry the denormalised disposition kind only (no Disposition rows): the queue and the
figures read the inquiry table alone.
"""

import datetime as dt
import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from openrecovery.accounts.models import User
from openrecovery.audit.choices import Action
from openrecovery.audit.services import audit_record
from openrecovery.helpline.choices import (
    DispositionKind,
    ForWhom,
    InquirySource,
    InquiryStatus,
    Urgency,
)
from openrecovery.helpline.models import OPEN, Inquiry
from openrecovery.helpline.references import REFERENCE_ALPHABET
from openrecovery.helpline.validation import phone_digits

BATCH = 5000
CODES = len(REFERENCE_ALPHABET) ** 8
# A multiplier coprime with 30**8 makes ``i -> i * STEP mod 30**8`` a bijection, so the
# generated references are unique and scattered like random ones.
STEP = 2_147_483_647  # a prime (2**31 - 1) that divides no power of 30
OPEN_DAYS = 3
CLOSED_DAYS = 730
CLAIMER = "admissions"
KINDS = list(DispositionKind.values)


def reference_at(i: int) -> str:
    """Return the i-th synthetic reference code (unique for 0 <= i < 30**8)."""
    n = (i * STEP) % CODES
    chars = []
    for _ in range(8):
        n, digit = divmod(n, len(REFERENCE_ALPHABET))
        chars.append(REFERENCE_ALPHABET[digit])
    return f"HL-{''.join(chars[:4])}-{''.join(chars[4:])}"


class Command(BaseCommand):
    help = (
        "Bulk-load synthetic helpline inquiries for benchmarks until the database holds "
        "--open N open and --closed M closed ones (one audit event for the load)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--open", type=int, default=10_000, help="open inquiries (10000)")
        parser.add_argument(
            "--closed", type=int, default=1_000_000, help="closed inquiries (1000000)"
        )
        parser.add_argument("--seed", type=int, default=4, help="random seed (4)")

    def handle(self, *args: Any, **options: Any) -> None:
        want_open, want_closed = options["open"], options["closed"]
        if want_open < 0 or want_closed < 0:
            raise CommandError("--open and --closed must not be negative.")
        started = time.monotonic()
        rng = random.Random(options["seed"])  # noqa: S311 (synthetic data, not secrets)
        have_open = Inquiry.objects.filter(OPEN).count()
        have_closed = Inquiry.objects.exclude(OPEN).count()
        add_open, add_closed = max(0, want_open - have_open), max(0, want_closed - have_closed)
        if not add_open and not add_closed:
            self.stdout.write("The database already holds that many inquiries.")
            return
        first = (Inquiry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        # A few open inquiries are claimed, by the demo admissions coordinator when present.
        self.claimer = User.objects.filter(username=CLAIMER).first()
        now = timezone.now()
        quiet = options["verbosity"] < 1
        with tqdm(total=add_open + add_closed, unit="inquiry", disable=quiet) as bar:
            made = 0
            for closed, count in ((True, add_closed), (False, add_open)):
                span = (CLOSED_DAYS if closed else OPEN_DAYS) * 86400
                for offset in range(0, count, BATCH):
                    size = min(BATCH, count - offset)
                    # Oldest first, as a real table fills up: the rows of one time window
                    # sit together on disk, which is what range scans meet in production.
                    rows = [
                        self._inquiry(
                            rng,
                            first + made + k,
                            now - dt.timedelta(seconds=span * (count - offset - k) / count),
                            closed,
                        )
                        for k in range(size)
                    ]
                    self._store(rows)
                    made += size
                    bar.update(size)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Inquiry._meta.db_table}")
        audit_record(
            action=Action.CREATE,
            object_type="helpline_bench_data",
            detail={"open": add_open, "closed": add_closed},
            actor_username="helpline_bench_data",
        )
        self.stdout.write(
            f"Created {add_open} open and {add_closed} closed inquiries "
            f"in {time.monotonic() - started:.1f} s."
        )

    @staticmethod
    def _store(rows: list[Inquiry]) -> None:
        taken = set(
            Inquiry.objects.filter(reference__in=[r.reference for r in rows]).values_list(
                "reference", flat=True
            )
        )
        with transaction.atomic():
            Inquiry.objects.bulk_create([r for r in rows if r.reference not in taken])

    def _inquiry(self, rng: random.Random, i: int, received: dt.datetime, closed: bool) -> Inquiry:
        urgency = rng.choices(Urgency.values, weights=(1, 4, 20))[0]
        inquiry = Inquiry(
            reference=reference_at(i),
            source=rng.choice((InquirySource.WEB, InquirySource.WEB, InquirySource.API)),
            status=InquiryStatus.OPEN,
            urgency=urgency,
            received_at=received,
            name=f"Bench {i:07d}",
            phone=(phone := f"+1 555 01{i % 100:02d} {i % 10000:04d}"),
            phone_digits=phone_digits(phone),
            best_time="evenings" if i % 2 else "",
            for_whom=ForWhom.MYSELF if i % 3 else ForWhom.SOMEONE_ELSE,
            voicemail_ok=bool(i % 2),
            consent=True,
        )
        if closed:
            contact = received + dt.timedelta(minutes=rng.randrange(1, 240))
            inquiry.status = InquiryStatus.CLOSED
            inquiry.first_contact_at = contact
            inquiry.closed_at = contact + dt.timedelta(minutes=rng.randrange(5, 2880))
            inquiry.disposition_kind = rng.choice(KINDS)
        elif rng.random() < 0.3:
            inquiry.first_contact_at = received + dt.timedelta(minutes=rng.randrange(1, 60))
            if self.claimer is not None and rng.random() < 0.2:
                inquiry.status, inquiry.claimed_by = InquiryStatus.CLAIMED, self.claimer
                inquiry.claimed_at = inquiry.first_contact_at
        return inquiry
