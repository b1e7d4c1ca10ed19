"""Write docs/access.md from the views' declared permissions."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from openrecovery.chart.access_table import access_table_markdown


def access_doc_path() -> Path:
    """Return where the generated access table lives in the repository."""
    return Path(settings.REPO_DIR) / "docs" / "access.md"


class Command(BaseCommand):
    help = "Write docs/access.md from the URLconf (--check: fail if it is out of date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit non-zero if docs/access.md differs from the code.",
        )
        parser.add_argument(
            "--output", type=Path, default=None, help="Path to write (default: docs/access.md)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["output"] or access_doc_path()
        wanted = access_table_markdown()
        if options["check"]:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != wanted:
                raise CommandError(
                    f"{path} is out of date: run 'python manage.py access_table' and commit it."
                )
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(wanted, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
