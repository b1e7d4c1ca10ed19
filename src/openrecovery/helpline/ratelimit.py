"""Per-client rate limiting of public callback requests (``HELPLINE_RATE_LIMIT``).

A fixed window per client, counted in the database so every worker process and
machine shares one count: one UPSERT per accepted request, inside the request's
own transaction (no extra commit). A rejected request rolls its increment back, so
the stored count is the number of accepted requests in the window. ``off`` skips
all of this (no query at all).
"""

import dataclasses
import functools
import hashlib
import hmac
import re
import secrets
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from .models import RateLimitBucket

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE_PATTERN = re.compile(r"^\s*(\d{1,9})\s*/\s*([smhd])\s*$")
PRUNE_ONE_IN = 1000  # roughly one accepted request in this many prunes stale rows
PRUNE_AFTER_SECONDS = 86400


@dataclasses.dataclass(frozen=True)
class Rate:
    """At most ``count`` requests per ``period`` seconds."""

    count: int
    period: int


@functools.lru_cache(maxsize=8)
def rate_parse(raw: str) -> Rate | None:
    """Parse ``"20/m"`` into a Rate; ``"off"`` gives None. Raise ImproperlyConfigured."""
    if raw.strip().lower() == "off":
        return None
    match = RATE_PATTERN.match(raw)
    if match is None or int(match.group(1)) == 0:
        raise ImproperlyConfigured(
            f'HELPLINE_RATE_LIMIT must look like "20/m" (per s, m, h or d) or "off", got {raw!r}'
        )
    return Rate(int(match.group(1)), PERIODS[match.group(2)])


def client_key(source_ip: str) -> str:
    """Return a keyed hash of the client address, so raw addresses are never stored."""
    digest = hmac.new(settings.SECRET_KEY.encode(), source_ip.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def rate_limit_hit(source_ip: str) -> int | None:
    """Count one request from ``source_ip``; return seconds to wait if over the limit.

    Call inside the transaction that writes the request, and raise when a number
    is returned so the increment rolls back with it.
    """
    rate = rate_parse(settings.HELPLINE_RATE_LIMIT)
    if rate is None:
        return None
    now = int(time.time())
    window = now - now % rate.period
    q = connection.ops.quote_name
    table, key, start, hits_col = (
        q(RateLimitBucket._meta.db_table),
        q("key"),
        q("window_start"),
        q("hits"),
    )
    # One statement on both databases (SQLite >= 3.35, PostgreSQL >= 9.5): start or bump
    # this client's count, resetting it when a new window has begun.
    sql = (
        f"INSERT INTO {table} ({key}, {start}, {hits_col}) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f"{hits_col} = CASE WHEN {table}.{start} = excluded.{start} "
        f"THEN {table}.{hits_col} + 1 ELSE 1 END, {start} = excluded.{start} "
        f"RETURNING {hits_col}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [client_key(source_ip), window])
        (hits,) = cursor.fetchone()
        if secrets.randbelow(PRUNE_ONE_IN) == 0:
            RateLimitBucket.objects.filter(window_start__lt=now - PRUNE_AFTER_SECONDS).delete()
    if hits > rate.count:
        return max(1, window + rate.period - now)
    return None
