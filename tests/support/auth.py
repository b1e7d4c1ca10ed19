"""Sign in through the Django test client: the password step, TOTP codes, the session."""

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.support.factories import PASSWORD

MFA_URL = "/accounts/mfa/"


def sign_in(
    client: Client, username: str, password: str = PASSWORD, ip: str = "127.0.0.1"
) -> object:
    """Post the password step of the login form from ``ip``; return the response."""
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def session_user_id(client: Client) -> str | None:
    """Return the id of the user the client's session is signed in as, if any."""
    return client.session.get("_auth_user_id")


def totp_code(device: TOTPDevice | bytes, drift: int = 0) -> str:
    """Return the code an authenticator app would show now (``drift`` time steps away).

    Takes a device, or a bare key (as an enrolment page shows it) with a device's
    defaults: 30-second steps from 0, six digits.
    """
    if isinstance(device, bytes):
        device = TOTPDevice(key=device.hex())
    value = totp(device.bin_key, device.step, device.t0, device.digits, drift)
    return str(value).zfill(device.digits)
