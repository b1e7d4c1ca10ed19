"""Revoke a personal access token by the prefix embedded in it."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openrecovery.accounts.models import ApiToken
from openrecovery.accounts.tokens import TOKEN_PREFIX, api_token_revoke

ERROR_NO_SUCH_TOKEN = "No token has the prefix {prefix!r}."  # noqa: S105


class Command(BaseCommand):
    help = (
        "Revoke the API token whose prefix is PREFIX (the 8 hex digits in "
        f"{TOKEN_PREFIX}_<prefix>_<secret>)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        prefix = options["prefix"].strip()
        # Accept a whole token too, so an operator can paste what they have.
        if prefix.startswith(f"{TOKEN_PREFIX}_"):
            prefix = prefix.split("_")[1] if prefix.count("_") >= 2 else ""
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(ERROR_NO_SUCH_TOKEN.format(prefix=prefix))
        if token.revoked_at is not None:
            self.stdout.write(f"Token {prefix} was already revoked at {token.revoked_at}.")
            return
        api_token_revoke(actor=None, token=token)
        self.stdout.write(f"Revoked token {prefix} of {token.user.username}.")
