"""Create a staff account from the command line (bootstrapping production)."""

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from openrecovery.accounts.roles import Role
from openrecovery.accounts.services import staff_create

PASSWORD_ENV = "OPENRECOVERY_STAFF_PASSWORD"  # noqa: S105 (the variable's name, not a secret)
ERROR_PASSWORDS_DIFFER = "The two passwords differ."


class Command(BaseCommand):
    help = (
        "Create a staff account with one role. The password comes from "
        f"${PASSWORD_ENV} or is asked for twice (never taken as an argument). "
        "The new user sets up their authenticator at first sign-in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--first", default="", help="First name.")
        parser.add_argument("--last", default="", help="Last name.")
        parser.add_argument("--email", default="")

    def _password(self) -> str:
        password = os.environ.get(PASSWORD_ENV)
        if password:
            return password
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password (again): ") != first:
            raise CommandError(ERROR_PASSWORDS_DIFFER)
        return first

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password()
        try:
            user = staff_create(
                actor=None,
                username=options["username"],
                password=password,
                role=options["role"],
                first_name=options["first"],
                last_name=options["last"],
                email=options["email"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Created {user.username} ({user.role_label}).")
