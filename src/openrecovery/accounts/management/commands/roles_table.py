"""Write docs/roles.md from the role definitions in accounts/roles.py."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from openrecovery.accounts.roles import roles_table_markdown


def roles_doc_path() -> Path:
    """Return where the generated role/permission table lives in the repository."""
    return Path(settings.REPO_DIR) / "docs" / "roles.md"


class Command(BaseCommand):
    help = "Write docs/roles.md from accounts/roles.py (--check: fail if it is out of date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit non-zero if docs/roles.md differs from the code.",
        )
        parser.add_argument(
            "--output", type=Path, default=None, help="Path to write (default: docs/roles.md)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["output"] or roles_doc_path()
        wanted = roles_table_markdown()
        if options["check"]:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != wanted:
                raise CommandError(
                    f"{path} is out of date: run 'python manage.py roles_table' and commit it."
                )
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(wanted, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
