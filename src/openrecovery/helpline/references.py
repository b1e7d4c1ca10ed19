"""Human-friendly reference codes for inquiries, such as ``HL-7K3M-Q9PX``."""

import re
import secrets

# No 0/O, 1/I/L or U: easy to read aloud over the phone and to type back.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_PATTERN = re.compile(rf"^HL-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}$")
REFERENCE_LENGTH = 12


def reference_new() -> str:
    """Return a fresh random reference code (uniqueness is enforced by the database)."""
    chars = [secrets.choice(REFERENCE_ALPHABET) for _ in range(8)]
    return f"HL-{''.join(chars[:4])}-{''.join(chars[4:])}"


def reference_normalize(raw: str) -> str | None:
    """Return ``raw`` as a well-formed reference code (case and spaces forgiven), or None."""
    value = raw.strip().upper().replace(" ", "")
    return value if REFERENCE_PATTERN.match(value) else None
