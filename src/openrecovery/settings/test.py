"""Tests: fast hashing is not used on purpose (PBKDF2 is what production runs)."""

from .base import *  # noqa: F403
from .base import PASSWORD_HASHERS

SECRET_KEY = "test-secret-key-not-for-production-" + "x" * 40  # noqa: S105
DEBUG = False
AUDIT_HMAC_KEY = "test-audit-key-0123456789abcdef0123456789abcdef"
BENCH_ENDPOINTS = True
ALLOWED_HOSTS = ["*"]
# A cheap PBKDF2 keeps the suite fast; the algorithm stays the one production uses.
PASSWORD_HASHERS = ["openrecovery.accounts.passwords.FastPBKDF2PasswordHasher", *PASSWORD_HASHERS]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Every prepared query (core/prepared.py) is checked against the queryset it stands for.
PREPARED_QUERY_CHECK = True
