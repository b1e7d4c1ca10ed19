"""TOTP multi-factor authentication with one-time recovery codes (django-otp)."""

import base64
import secrets
from typing import Any

import segno
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.services import audit_record

from .models import StaffSession, User

RECOVERY_DEVICE_NAME = "recovery codes"
RECOVERY_CODE_COUNT = 10
ERROR_BAD_CODE = "That code is not valid. Codes can be used only once."


def totp_secret_base32(device: TOTPDevice) -> str:
    """Return the device's secret in the base32 form authenticator apps accept."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def totp_provisioning_uri(device: TOTPDevice, issuer: str) -> str:
    """Return the otpauth:// URI an authenticator app scans."""
    label = f"{issuer}:{device.user.get_username()}".replace(" ", "%20")
    return (
        f"otpauth://totp/{label}?secret={totp_secret_base32(device)}"
        f"&issuer={issuer.replace(' ', '%20')}&digits={device.digits}&period={device.step}"
    )


def totp_qr_svg(uri: str) -> str:
    """Return an inline SVG QR code of ``uri`` (rendered locally, no third party)."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def mfa_has_confirmed_device(user: User) -> bool:
    """Return True when ``user`` has finished enrolling a TOTP device."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def mfa_pending_device(user: User) -> TOTPDevice:
    """Return the user's unconfirmed TOTP device, creating it to start enrolment."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def recovery_codes_issue(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """Replace the user's recovery codes with new ones. Return them (shown once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    audit_record(action=Action.RECOVERY_CODES_ISSUED, actor=user, request=request)
    return codes


def session_rotate(request: HttpRequest) -> None:
    """Give the session a new key once it is verified, keeping its contents.

    The key a password-only session had (which may have been seen or fixed by someone
    else) stops working; the record that lets logout and deactivation end the session
    follows the new key.
    """
    old_key = request.session.session_key
    request.session.cycle_key()
    if old_key:
        StaffSession.objects.filter(session_key=old_key).update(
            session_key=request.session.session_key
        )


def _signed_in_user(request: HttpRequest) -> User:
    # The MFA step follows the password step: the view sends anonymous visitors to sign in.
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


@transaction.atomic
def mfa_enrol_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm enrolment with a first code. Return new recovery codes, or None if it failed."""
    user = _signed_in_user(request)
    if not device.verify_token(token.strip()):
        audit_record(
            action=Action.MFA_FAILED,
            request=request,
            outcome=Outcome.FAILURE,
            detail={"step": "enrol"},
        )
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    session_rotate(request)
    audit_record(action=Action.MFA_ENROLLED, actor=user, request=request)
    return recovery_codes_issue(user=user, request=request)


@transaction.atomic
def mfa_verify(*, request: HttpRequest, token: str) -> bool:
    """Check a TOTP or recovery code for the signed-in user and mark the session verified.

    TOTP codes are refused if already used (django-otp keeps the last time step);
    a recovery code is deleted when used.
    """
    user = _signed_in_user(request)
    token = token.strip().lower()
    # Six digits are an authenticator code; anything else can only be a recovery code,
    # so a recovery code never counts as a failed TOTP attempt (which would throttle it).
    device_model: Any = TOTPDevice if token.isdigit() else StaticDevice
    devices: list[Any] = list(device_model.objects.filter(user=user, confirmed=True))
    for device in devices:
        if device.verify_is_allowed()[0] and device.verify_token(token):
            otp_login(request, device)
            session_rotate(request)
            audit_record(
                action=Action.MFA_VERIFIED,
                actor=user,
                request=request,
                detail={"method": "recovery_code" if isinstance(device, StaticDevice) else "totp"},
            )
            return True
    audit_record(action=Action.MFA_FAILED, actor=user, request=request, outcome=Outcome.FAILURE)
    return False
