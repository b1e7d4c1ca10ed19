"""Benchmarks: production settings served over plain HTTP on 127.0.0.1, floors enabled."""

from .production import *  # noqa: F403

BENCH_ENDPOINTS = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
