"""Production: refuse to start with DEBUG on or a missing or default secret."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import AUDIT_HMAC_KEY, AUDIT_KEY_FILE, DEBUG, SECRET_KEY
from .env import env_bool, env_int

INSECURE_SECRET_MARKERS = ("django-insecure", "change-me", "changeme", "secret", "dev", "test")
# Phrases long enough never to occur by chance in a random key, but found in the
# placeholder keys of examples and of the test settings (which are public in the repo).
INSECURE_SECRET_PHRASES = ("insecure", "not-for-production", "change-me", "changeme")

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or any(SECRET_KEY.lower().startswith(m) for m in INSECURE_SECRET_MARKERS)
    or any(p in SECRET_KEY.lower() for p in INSECURE_SECRET_PHRASES)
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production."
    )
if not AUDIT_HMAC_KEY and not Path(AUDIT_KEY_FILE).is_file():
    raise ImproperlyConfigured(
        "Set AUDIT_HMAC_KEY, or AUDIT_KEY_FILE to an existing key file, in production."
    )

BENCH_ENDPOINTS = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
