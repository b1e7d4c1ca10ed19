"""Settings shared by every environment. Values come from environment variables."""

import ipaddress
import re
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

HELPLINE_RATE_PATTERN = r"^\s*[1-9]\d{0,8}\s*/\s*[smhd]\s*$"


def helpline_rate_limit(raw: str) -> str:
    """Return ``raw`` if it reads like "20/m" (per s, m, h or d) or "off"; else refuse to start."""
    if raw.strip().lower() == "off" or re.match(HELPLINE_RATE_PATTERN, raw):
        return raw.strip()
    raise ImproperlyConfigured(f'HELPLINE_RATE_LIMIT must look like "20/m" or "off", got {raw!r}')


def trusted_proxies(raw: str) -> int | tuple[str, ...]:
    """Return the proxies trusted to name the client: a count, networks, or 0 for none."""
    raw = raw.strip()
    if not raw:
        return 0
    if raw.isdigit():
        return int(raw)
    entries = tuple(entry.strip() for entry in raw.split(",") if entry.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES must be a number of proxies or addresses/networks, got {raw!r}"
            ) from exc
    return entries


BASE_DIR = Path(__file__).resolve().parent.parent  # src/openrecovery
REPO_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(env_str("OPENRECOVERY_DATA_DIR", str(REPO_DIR / "data")))

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # the widget templates, for FORM_RENDERER below
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "openrecovery.core",
    "openrecovery.accounts",
    "openrecovery.audit",
    "openrecovery.records",
    "openrecovery.privacy",
    "openrecovery.instruments",
    "openrecovery.medications",
    "openrecovery.safety",
    "openrecovery.helpline",
    "openrecovery.assessment",
    "openrecovery.withdrawal",
    "openrecovery.treatment",
    "openrecovery.chart",
    "openrecovery.reports",
    "openrecovery.demo",  # fictional data; nothing imports it (the right edge of the layers)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "openrecovery.core.middleware.JsonBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "openrecovery.accounts.middleware.PreparedOTPMiddleware",
    "openrecovery.accounts.middleware.SessionTimeoutMiddleware",
    "openrecovery.accounts.middleware.MFARequiredMiddleware",
    "openrecovery.accounts.middleware.ConcreteUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "openrecovery.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openrecovery.urls"
WSGI_APPLICATION = "openrecovery.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openrecovery.core.context_processors.program",
                "openrecovery.core.context_processors.page_address",
                "openrecovery.chart.context_processors.alert_badge",
                "openrecovery.accounts.context_processors.session_clock",
            ],
        },
    },
]

# Every form, field group and widget renders through the project's templates.
FORM_RENDERER = "openrecovery.core.renderers.FormRenderer"


SQLITE_OPTIONS: dict[str, Any] = {
    # WAL for concurrent readers, FULL so an acknowledged commit survives power loss,
    # IMMEDIATE so writers queue on the busy timeout instead of failing.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
}


def sqlite_config(name: str | Path) -> dict[str, Any]:
    """Return the settings of the SQLite database ``name``: always WAL, FULL, IMMEDIATE.

    A relative file name is resolved against the working directory once, here, so every
    process and thread opens the same file. ``:memory:`` stays as it is.
    """
    path = str(name)
    if path != ":memory:" and not path.startswith("file:"):
        path = str(Path(path).expanduser().resolve())
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": path, "OPTIONS": dict(SQLITE_OPTIONS)}


def database_config(url: str) -> dict[str, Any]:
    """Return Django's database settings for ``url``, or SQLite in the data folder.

    Every SQLite database gets the same durable options, however it is named: unset,
    ``sqlite:///relative/path`` or ``sqlite:////absolute/path``.
    """
    if not url:
        return sqlite_config(DATA_DIR / "openrecovery.sqlite3")
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=0, conn_health_checks=False)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return sqlite_config(config["NAME"])
    if config["ENGINE"] == "django.db.backends.postgresql":
        options = config.setdefault("OPTIONS", {})
        options["pool"] = {"min_size": 2, "max_size": 8}
        # Parameters travel apart from the SQL, and psycopg prepares statements a
        # connection repeats: less quoting in Python, less parsing in PostgreSQL.
        options["server_side_binding"] = True
    return config


DATABASES = {"default": database_config(env_str("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "openrecovery.accounts.backends.RoleBackend",
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "openrecovery.accounts.passwords.MaximumLengthValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "chart:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout (django-axes): per username and, separately, per source address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# The client behind the trusted reverse proxies (core/clients.py), as the audit log
# and the callback rate limit see it.
AXES_CLIENT_IP_CALLABLE = "openrecovery.core.clients.client_address"
TRUSTED_PROXIES = trusted_proxies(env_str("TRUSTED_PROXIES"))

# Sessions: server-side, idle timeout plus an absolute lifetime.
SESSION_ENGINE = "openrecovery.accounts.sessions"
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 15 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60)
# Seconds before the idle sign-out at which the page warns, with a "stay signed in" button.
SESSION_IDLE_WARNING = env_int("SESSION_IDLE_WARNING", 2 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Audit chain: the HMAC key lives outside the database (environment or a key file).
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY")
AUDIT_KEY_FILE = env_str("AUDIT_KEY_FILE", str(DATA_DIR / "audit.key"))
AUDIT_CHAIN_LANES = env_int("AUDIT_CHAIN_LANES", 64)

BREAK_GLASS_MINUTES = env_int("BREAK_GLASS_MINUTES", 60)
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
BENCH_ENDPOINTS = False
# Run every prepared query's queryset too and compare the SQL (core/prepared.py; tests).
PREPARED_QUERY_CHECK = False

PROGRAM_NAME = env_str("PROGRAM_NAME", "OpenRecovery Demo Program")
PROGRAM_PHONE = env_str("PROGRAM_PHONE", "1-800-555-0100")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # Request logs carry URLs only; URLs never carry PHI (search is a POST).
    "loggers": {"axes": {"level": "ERROR"}},
}

# Helpline: callback rate limit per client ("20/m"; "off" for load tests), the response
# target of the admissions queue, and the largest callback request body accepted.
HELPLINE_RATE_LIMIT = helpline_rate_limit(env_str("HELPLINE_RATE_LIMIT", "20/m"))
HELPLINE_RESPONSE_MINUTES = env_int("HELPLINE_RESPONSE_MINUTES", 15)
HELPLINE_MAX_BODY_BYTES = env_int("HELPLINE_MAX_BODY_BYTES", 16384)
HELPLINE_QUEUE_POLL_SECONDS = env_int("HELPLINE_QUEUE_POLL_SECONDS", 10)

# The suicide-risk pathway: minutes before a high-risk alert nobody acknowledged reaches
# the clinical directors (`manage.py safety_escalate`), and days before a risk level is
# due again in withdrawal management and treatment.
SAFETY_REALERT_MINUTES = env_int("SAFETY_REALERT_MINUTES", 15)
# The every-minute checks (`manage.py periodic` runs them in a loop; cron may run each).
PERIODIC_COMMANDS = ["safety_escalate", "withdrawal_escalate"]
SAFETY_RESCREEN_DAYS = env_int("SAFETY_RESCREEN_DAYS", 7)

# Withdrawal management: how often the unit board refreshes itself (seconds). The
# protocol (intervals, vital-sign limits, escalation) is data, edited in the app.
WITHDRAWAL_BOARD_POLL_SECONDS = env_int("WITHDRAWAL_BOARD_POLL_SECONDS", 30)

# Treatment: the program's note format ("dap" or "birp"), days after a session when a
# note is a late entry, days between plan reviews by setting, days an objective may go
# unaddressed before it is flagged, the group size that warns, and how often each
# measure is due (days) unless an episode's schedule says otherwise.
TREATMENT_NOTE_FORMAT = env_str("TREATMENT_NOTE_FORMAT", "dap")
TREATMENT_LATE_ENTRY_DAYS = env_int("TREATMENT_LATE_ENTRY_DAYS", 7)
TREATMENT_REVIEW_DAYS = {
    "residential": env_int("TREATMENT_REVIEW_DAYS_RESIDENTIAL", 30),
    "outpatient": env_int("TREATMENT_REVIEW_DAYS_OUTPATIENT", 90),
}
TREATMENT_THREAD_DAYS = env_int("TREATMENT_THREAD_DAYS", 30)
TREATMENT_GROUP_WARN_SIZE = env_int("TREATMENT_GROUP_WARN_SIZE", 12)
MEASUREMENT_SCHEDULE_DAYS = {"phq9": 14, "gad7": 14, "bam": 30}
