"""Export the audit lane heads, to keep outside the database for ``verify_audit --heads``."""

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from openrecovery.audit.heads import heads_export


class Command(BaseCommand):
    help = (
        "Write every audit lane head (position, event id, MAC) with an HMAC, as JSON, to "
        "standard output or --output FILE. Run it on a schedule and keep the files outside "
        "the database (write-once storage); `verify_audit --heads FILE` then detects a "
        "lane wound back to hide deleted events."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", help="File to write (replaced atomically).")

    def handle(self, *args: Any, **options: Any) -> None:
        text = json.dumps(heads_export(), indent=1) + "\n"
        if not options["output"]:
            self.stdout.write(text, ending="")
            return
        target = Path(options["output"])
        with tempfile.NamedTemporaryFile(
            "w", dir=target.parent, prefix=f".{target.name}.", delete=False
        ) as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        Path(out.name).replace(target)
        self.stderr.write(f"Wrote the audit lane heads to {target}.")
