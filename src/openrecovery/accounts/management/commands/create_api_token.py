"""Issue a personal access token for a staff member and print it once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openrecovery.accounts.models import User
from openrecovery.accounts.tokens import api_token_create

ERROR_NO_SUCH_USER = "No active staff account is called {username!r}."


class Command(BaseCommand):
    help = (
        "Create a personal access token for USERNAME. The token is printed once, alone on "
        "the last line; only its hash is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for (shown in lists).")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days until the token expires (default: settings.API_TOKEN_DAYS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        days = options["days"]
        if days is not None and days <= 0:
            raise CommandError("--days must be a positive number of days.")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(ERROR_NO_SUCH_USER.format(username=username))
        row, token = api_token_create(actor=None, user=user, name=options["name"], days=days)
        self.stdout.write(
            f"Created token {row.prefix} for {user.username}, "
            f"expiring {row.expires_at:%Y-%m-%d %H:%M %Z}.\n"
            "It is shown only this once: store it now. Send it as "
            "'Authorization: Bearer <token>'. Revoke it with "
            f"'manage.py revoke_api_token {row.prefix}'."
        )
        self.stdout.write(token)
