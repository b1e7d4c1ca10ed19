"""Print the current TOTP code of a demo staff member (never in production)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp

from openrecovery.accounts.models import User
from openrecovery.demo.staff import demo_totp_device

ERROR_PRODUCTION = "demo_totp does not run with production settings."
ERROR_NOT_DEMO = "%s has no demo authenticator (only users made by demo_data do)."


class Command(BaseCommand):
    help = "Print the current six-digit sign-in code of a user created by demo_data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if "production" in settings.SETTINGS_MODULE:
            raise CommandError(ERROR_PRODUCTION)
        user = User.objects.filter(username=options["username"]).first()
        device = demo_totp_device(user) if user is not None else None
        if device is None:
            raise CommandError(ERROR_NOT_DEMO % options["username"])
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
