"""Password policy pieces Django does not ship."""

import secrets
import string

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.exceptions import ValidationError

MAX_PASSWORD_LENGTH = 64
ERROR_PASSWORD_TOO_LONG = "Use at most %(max)d characters."  # noqa: S105


class MaximumLengthValidator:
    """Reject passwords longer than 64 characters (NIST SP 800-63B allows this cap)."""

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > MAX_PASSWORD_LENGTH:
            raise ValidationError(
                ERROR_PASSWORD_TOO_LONG,
                code="password_too_long",
                params={"max": MAX_PASSWORD_LENGTH},
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {MAX_PASSWORD_LENGTH} characters long."


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 with few iterations, for the test suite only."""

    iterations = 1000


def password_generate() -> str:
    """Return a first password for a new account: 24 random characters (about 143 bits)."""
    alphabet = string.ascii_letters + string.digits
    groups = ["".join(secrets.choice(alphabet) for _ in range(6)) for _ in range(4)]
    return "-".join(groups)
