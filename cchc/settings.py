"""One env-driven settings module for cchc.

Every variable read here is documented in `.env.example`. A wrong value fails loudly at start-up
(ImproperlyConfigured), never silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines from `.env` without overriding the real environment."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip())


_load_dotenv(BASE_DIR / ".env")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# pytest exports PYTEST_VERSION: tests run with DEBUG off but need no secrets or collectstatic.
TESTING = "PYTEST_VERSION" in os.environ
SECRET_KEY = env_str("SECRET_KEY")
# Commands that never sign anything may run without a key (e.g. makemigrations --check in hooks).
_KEYLESS_COMMANDS = {"makemigrations", "makemessages", "compilemessages"}
_COMMAND = sys.argv[1] if len(sys.argv) > 1 else ""
if not SECRET_KEY:
    if not (DEBUG or TESTING or _COMMAND in _KEYLESS_COMMANDS):
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is false")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-" + "x" * 20

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "cchc.core",
    "cchc.accounts",
    "cchc.organizations",
    "cchc.calendars",
    "cchc.procedures",
    "cchc.dossiers",
    "cchc.portal",
    "cchc.reports",
    "cchc.reform_plans",
    "cchc.indices",
    "django_tasks_db",
    "cchc.integrations",
    "cchc.operations",
    "health_check",
    "cchc.site",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "cchc.core.axes_app.AxesConfig",
]

MIDDLEWARE = [
    "cchc.core.tenancy.ProvinceDatabaseMiddleware",
    "cchc.operations.logs.RequestIdMiddleware",
    "cchc.operations.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cchc.core.middleware.RequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cchc.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cchc.core.middleware.StaffIdleTimeoutMiddleware",
    "cchc.core.middleware.StaffAreaMiddleware",
    "cchc.operations.middleware.MaintenanceMiddleware",
    "cchc.operations.middleware.UsageMiddleware",
    "cchc.operations.replica.ReplicaReadsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "cchc.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "cchc.urls"
WSGI_APPLICATION = "cchc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cchc" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cchc.site.context.identity",
                "cchc.operations.context.maintenance",
                "cchc.operations.replica.context",
            ],
        },
    }
]

# Database: embedded SQLite (WAL) by default; PostgreSQL through DATABASE_URL in production.
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 60)
_database_url = env_str("DATABASE_URL")


def _database(url: str) -> dict[str, Any]:
    """The settings of a database given by URL (the default one, a province's)."""
    database: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True)
    )
    if database["ENGINE"].endswith("postgresql") and not env_bool("DB_JIT", False):
        # Short OLTP queries: PostgreSQL's JIT compiles for 10–40 ms when a generic plan
        # overestimates rows (seen on the lookup at 5 million dossiers, bench/RESULTS.md).
        database.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    if env_bool("DB_PGBOUNCER", False):
        # Behind PgBouncer in transaction pooling (deploy/pgbouncer): a connection is shared
        # between transactions, so no server-side cursors and no prepared statements, and no
        # startup options (set `ALTER ROLE cchc SET jit = off` on the server instead).
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
        options = database.setdefault("OPTIONS", {})
        options.pop("options", None)
        options["prepare_threshold"] = None
    return database


if _database_url:
    DATABASES = {"default": _database(_database_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / env_str("SQLITE_NAME", "db.sqlite3"),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
# A streaming replica for the reports and dashboards (cchc/operations/replica.py): the report
# pages below read from it, with its lag shown; everything else uses the primary.
if _replica_url := env_str("REPLICA_DATABASE_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["cchc.operations.replica.ReplicaRouter"]
CCHC_REPLICA_PATHS = env_list("CCHC_REPLICA_PATHS", "/bao-cao/,/dich-vu-cong/thong-ke/")
# Several provinces on one platform (cchc/core/tenancy.py): "host=alias,…"; each alias's
# database in DATABASE_URL_<ALIAS>. Every other host works in the default database.
CCHC_PROVINCE_HOSTS = {
    host.strip().lower(): alias.strip()
    for host, _sep, alias in (pair.partition("=") for pair in env_list("CCHC_PROVINCE_HOSTS"))
}
for _alias in sorted(set(CCHC_PROVINCE_HOSTS.values())):
    if _alias in ("default", "replica") or not re.fullmatch(r"[a-z][a-z0-9_]*", _alias):
        raise ImproperlyConfigured(f"CCHC_PROVINCE_HOSTS: {_alias!r} is not a usable alias")
    if not (_url := env_str(f"DATABASE_URL_{_alias.upper()}", "")):
        raise ImproperlyConfigured(
            f"CCHC_PROVINCE_HOSTS names {_alias}: set DATABASE_URL_{_alias.upper()}"
        )
    DATABASES[_alias] = _database(_url)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Sessions end after this many hours at the latest; officials also after an idle spell.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12) * 3600
CCHC_STAFF_IDLE_MINUTES = env_int("CCHC_STAFF_IDLE_MINUTES", 30)
CSRF_FAILURE_VIEW = "cchc.site.views.csrf_failure"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock an account/IP pair after repeated failures.
AXES_VERBOSE = False  # no "AXES: BEGIN…" banner on every command and worker start
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "cchc.core.throttle.axes_client_ip"  # the trusted proxy's real client
# Failed sign-ins from one address in 30 minutes, whatever the usernames (spraying).
CCHC_LOGIN_FAILURES_PER_IP = env_int("CCHC_LOGIN_FAILURES_PER_IP", 30)

# Internationalisation: Vietnamese first, English second; Vietnam's time zone.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("Tiếng Anh"))]
LOCALE_PATHS = [BASE_DIR / "cchc" / "locale"]
FORMAT_MODULE_PATH = ["cchc.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / env_str("STATIC_ROOT", "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "cchc" / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    ("vendor/swagger-ui", BASE_DIR / "node_modules" / "swagger-ui-dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / env_str("MEDIA_ROOT", "media")
# Several web nodes (docs/operations.md, "Growing past one machine"): stored files on an
# S3-compatible object store through django-storages, private, never overwritten; they still
# leave only through the views that check the reader's scope (cchc/core/files.py).
if _bucket := env_str("CCHC_S3_BUCKET", ""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "endpoint_url": env_str("CCHC_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("CCHC_S3_REGION", "") or None,
            "access_key": env_str("CCHC_S3_ACCESS_KEY", ""),
            "secret_key": env_str("CCHC_S3_SECRET_KEY", ""),
            "location": env_str("CCHC_S3_PREFIX", ""),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
# A cache shared by every web node and the worker (Redis: `redis://host:6379/1`); without it
# each process keeps its own, which is right only for a single process. Rate limits (lookups,
# verification codes), the maintenance notice and the replica's lag are kept in it.
# Cache keys carry the province's database alias when several share the platform.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": "cchc.core.tenancy.cache_key",
    }
}
if _cache_url := env_str("CACHE_URL", ""):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _cache_url,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "cchc"),
        "KEY_FUNCTION": "cchc.core.tenancy.cache_key",
    }

# Sessions are read from the shared cache and written through to the database, which saves a
# query on every signed-in request. Only with a shared cache: with one cache per process a
# sign-out on one process would leave the session alive in the others' caches.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if _cache_url
    else "django.contrib.sessions.backends.db"
)

# Django 6.1 mailers: SMTP in production, the console on a developer's machine.
_EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if not (DEBUG or TESTING)
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS: dict[str, dict[str, object]] = {"default": {"BACKEND": _EMAIL_BACKEND}}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cchc@localhost")

# Security: secure cookies and HTTPS everywhere outside debug.
_PRODUCTION = not (DEBUG or TESTING)
SESSION_COOKIE_SECURE = _PRODUCTION
CSRF_COOKIE_SECURE = _PRODUCTION
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _PRODUCTION
SECURE_HSTS_PRELOAD = _PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Logs go to the console (journald under systemd): plain text, or one JSON object a line
# with CCHC_LOG_FORMAT=json; every record carries the request id and the user id
# (cchc/operations/logs.py). CCHC_REQUEST_LOG writes one line per request.
CCHC_LOG_FORMAT = env_str("CCHC_LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "cchc.operations.logs.ContextFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(user_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "json" if CCHC_LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "cchc.request": {
            "level": "INFO" if env_bool("CCHC_REQUEST_LOG", not (DEBUG or TESTING)) else "WARNING"
        }
    },
}
# Error reports to a Sentry-compatible service (Sentry, GlitchTip) when a DSN is given; no
# personal data is sent (send_default_pii off).
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(dsn=SENTRY_DSN, send_default_pii=False, traces_sample_rate=0.0)
# Prometheus scrapes /metrics; with a token set, only with it (Authorization: Bearer).
CCHC_METRICS_TOKEN = env_str("CCHC_METRICS_TOKEN", "")

# SQLite cannot enforce NULLS NOT DISTINCT; PostgreSQL (production, CI) does.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

# cchc's own settings.
CCHC_DEFAULT_PROVINCE_CODE = env_str("CCHC_DEFAULT_PROVINCE_CODE", "14")
CCHC_DATA_DIR = BASE_DIR / "data"
# Public address printed in receipts' QR codes (the portal's lookup page).
CCHC_PUBLIC_BASE_URL = env_str("CCHC_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# Dossiers received on or after this date follow Decree 118/2025 (codes, forms, R-VERSION).
CCHC_RULES_2025_FROM = env_str("CCHC_RULES_2025_FROM", "2025-07-01")
# R-TRANSFER: paper dossiers received after this hour go to the agency the next working day.
CCHC_PAPER_TRANSFER_CUTOFF = env_str("CCHC_PAPER_TRANSFER_CUTOFF", "15:00")
# R-TIME-5.1: supplement requests during processing within N working days of reception;
# a dossier not completed N calendar days after the request may be closed by the desk.
CCHC_SUPPLEMENT_WINDOW_DAYS = env_int("CCHC_SUPPLEMENT_WINDOW_DAYS", 3)
CCHC_SUPPLEMENT_CLOSE_DAYS = env_int("CCHC_SUPPLEMENT_CLOSE_DAYS", 15)
CCHC_APOLOGY_MAX_DAYS = env_int("CCHC_APOLOGY_MAX_DAYS", 90)
CCHC_CORRECTION_DAYS = env_int("CCHC_CORRECTION_DAYS", 3)
# A dossier with no action for this many working hours is flagged "stalled".
CCHC_STALLED_AFTER_HOURS = env_int("CCHC_STALLED_AFTER_HOURS", 16)
# Deadline alerts go to holders this many working hours before a due moment.
CCHC_ALERT_BEFORE_HOURS = env_int("CCHC_ALERT_BEFORE_HOURS", 8)
# Largest scan accepted at reception (bytes).
CCHC_SCAN_MAX_BYTES = env_int("CCHC_SCAN_MAX_BYTES", 10 * 1024 * 1024)
CCHC_IMAGE_MAX_PIXELS = env_int("CCHC_IMAGE_MAX_PIXELS", 50_000_000)
# Production: let the web server send stored files (nginx: X-Accel-Redirect, Apache: X-Sendfile)
CCHC_SENDFILE_HEADER = env_str("CCHC_SENDFILE_HEADER", "")
CCHC_SENDFILE_PREFIX = env_str("CCHC_SENDFILE_PREFIX", "/protected-media/")
# Dotted path of the SMS sender class; the default only logs messages in the database.
CCHC_SMS_SENDER = env_str("CCHC_SMS_SENDER", "cchc.dossiers.notify.LogSmsSender")
# Public portal: whether citizens may submit online here (a 2019-style provincial portal, a
# demo) or only read the catalog, look up, rate and send feedback (since 2025 online dossiers
# come from the National Public Service Portal through /api/v1/intake/).
CCHC_PORTAL_OPEN = env_bool("CCHC_PORTAL_OPEN", True)
# Failed dossier lookups allowed per client in 10 minutes.
CCHC_LOOKUP_LIMIT = env_int("CCHC_LOOKUP_LIMIT", 10)
# A counter's rating tablet shows a dossier for this many minutes after its return.
CCHC_KIOSK_MINUTES = env_int("CCHC_KIOSK_MINUTES", 15)
# Working days to answer feedback and petitions (R-RATING).
CCHC_FEEDBACK_DAYS = env_int("CCHC_FEEDBACK_DAYS", 15)
CCHC_FEEDBACK_REMIND_DAYS = env_int("CCHC_FEEDBACK_REMIND_DAYS", 2)
# Identity providers that count as the national electronic identification (R-766 "vneid").
CCHC_EID_PROVIDERS = env_list("CCHC_EID_PROVIDERS", "vneid")
# Benchmark only (bench/run.py): mount the raw-cursor floor views under /_bench/.
CCHC_BENCH_VIEWS = env_bool("CCHC_BENCH_VIEWS", False)
CCHC_BENCH_SQL_DIR = env_str("CCHC_BENCH_SQL_DIR", str(BASE_DIR / "bench" / "out" / "sql"))
CCHC_BENCH_SAMPLES = env_int("CCHC_BENCH_SAMPLES", 1000)
# Reform plans: remind lead agencies this many working days before reporting and task deadlines.
CCHC_PLAN_REMIND_DAYS = env_int("CCHC_PLAN_REMIND_DAYS", 3)
# Working days before the reform index's self-assessment deadline that agencies are reminded.
CCHC_INDEX_REMIND_DAYS = env_int("CCHC_INDEX_REMIND_DAYS", 3)

# Bootstrap's alert colours for Django's message levels (an error shows as alert-danger).
MESSAGE_TAGS = {40: "danger"}

# Security limits (docs/security.md). Reverse proxies whose X-Forwarded-For is believed.
CCHC_TRUSTED_PROXIES = env_list("CCHC_TRUSTED_PROXIES")
# Verification and reset codes: wrong entries per code, sends per account / target / client
# address per hour, and seconds between two sends to one account.
CCHC_CODE_MAX_ATTEMPTS = env_int("CCHC_CODE_MAX_ATTEMPTS", 5)
CCHC_CODE_SENDS_PER_HOUR = env_int("CCHC_CODE_SENDS_PER_HOUR", 5)
CCHC_CODE_SENDS_PER_IP_HOUR = env_int("CCHC_CODE_SENDS_PER_IP_HOUR", 20)
CCHC_CODE_RESEND_SECONDS = env_int("CCHC_CODE_RESEND_SECONDS", 60)
# Wrong codes guessed from one client address in 10 minutes, whatever the account.
CCHC_CODE_GUESSES_PER_IP = env_int("CCHC_CODE_GUESSES_PER_IP", 30)
# Days an integration token (API) lasts from its creation.
CCHC_API_TOKEN_DAYS = env_int("CCHC_API_TOKEN_DAYS", 180)
# Counter tablets: how long a binding lasts, and ratings one tablet may send in an hour.
CCHC_KIOSK_DEVICE_DAYS = env_int("CCHC_KIOSK_DEVICE_DAYS", 365)
CCHC_KIOSK_RATINGS_PER_HOUR = env_int("CCHC_KIOSK_RATINGS_PER_HOUR", 60)
# Satisfaction survey answers a desk's kiosk may take in an hour (issue 15: no stuffing).
CCHC_SURVEY_KIOSK_PER_HOUR = env_int("CCHC_SURVEY_KIOSK_PER_HOUR", 60)
# The audit trail's HMAC key, held outside the database (default: derived from SECRET_KEY);
# retired keys stay listed to verify older events; signed daily anchors of every chain head
# are written to CCHC_AUDIT_ANCHOR_DIR and, if set, mailed to CCHC_AUDIT_ANCHOR_MAIL.
CCHC_AUDIT_KEY = (
    env_str("CCHC_AUDIT_KEY")
    or "derived:" + hashlib.sha256(("cchc-audit:" + SECRET_KEY).encode()).hexdigest()
)
CCHC_AUDIT_OLD_KEYS = env_list("CCHC_AUDIT_OLD_KEYS")
CCHC_AUDIT_ANCHOR_DIR = BASE_DIR / env_str("CCHC_AUDIT_ANCHOR_DIR", "var/audit")  # or absolute
CCHC_AUDIT_ANCHOR_MAIL = env_list("CCHC_AUDIT_ANCHOR_MAIL")
# Retention (docs/security.md): days each kind of record is kept before `manage.py prune`
# (daily) removes it. Dossiers, forms, results and the audit trail are records of the State
# and are not pruned here.
CCHC_RETENTION_DAYS = {
    "draft": env_int("CCHC_RETAIN_DRAFT_DAYS", 90),  # online drafts not touched since
    "rate_counter": env_int("CCHC_RETAIN_RATE_COUNTER_DAYS", 2),
    "verification_code": env_int("CCHC_RETAIN_CODE_DAYS", 30),
    "account_notification": env_int("CCHC_RETAIN_ACCOUNT_NOTICE_DAYS", 90),  # codes sent
    "access_attempt": env_int("CCHC_RETAIN_ACCESS_ATTEMPT_DAYS", 180),  # failed sign-ins
    "orphan_file": env_int("CCHC_RETAIN_ORPHAN_FILE_DAYS", 1),  # stored files no row names
}
# What citizen accounts may open (path prefixes); every other page is the staff side.
# Digital signatures (cchc/core/signing.py, docs/adr/0012-signing.md): one PKCS#12 file per
# agency in CCHC_SIGNING_DIR, its password, and trust roots in CCHC_SIGNING_DIR/trust/. The
# demo CA issues missing certificates in development and tests only.
CCHC_SIGNING_DIR = env_str(
    "CCHC_SIGNING_DIR", str(BASE_DIR / "var" / ("test-keys" if TESTING else "keys"))
)
CCHC_SIGNING_PASSWORD = env_str("CCHC_SIGNING_PASSWORD", "cchc-demo")
CCHC_DEMO_SIGNING = env_bool("CCHC_DEMO_SIGNING", DEBUG or TESTING)
CCHC_TSA_URL = env_str("CCHC_TSA_URL", "")  # an RFC 3161 timestamp service, when there is one

# Whose system this is, in every page's heading: by default the one province in the registry.
CCHC_AUTHORITY_NAME = env_str("CCHC_AUTHORITY_NAME", "")
CCHC_EMBLEM_URL = env_str(
    "CCHC_EMBLEM_URL", ""
)  # the province's emblem file; a plain star by default
CCHC_PUBLIC_PATHS = [
    "/dich-vu-cong/",
    "/tich-hop/",  # the national systems' callbacks (payment results, SMS receipts)
    "/suc-khoe/",  # liveness, readiness and status, for the monitoring
    "/mo-phong/",  # the national systems' simulators (the payment page a citizen is sent to)
    "/xac-thuc/",
    "/tra-cuu/",
    "/khao-sat/",
    "/dang-nhap/",
    "/dang-xuat/",
    "/doi-mat-khau/",
    "/tai-khoan/",
    "/i18n/",
    "/static/",
    "/api/",
    "/healthz",
    "/lich/",
    "/bao-cao/man-hinh/",
]
# A staff page a citizen may have a link to (a notice, a bookmark): its portal counterpart.
CCHC_PUBLIC_REDIRECTS = [(r"^/ho-so/(?P<pk>\d+)/$", "portal:my_dossier")]

# -- the national systems, the outbox and the worker (issue 18; docs/integrations.md) -------
# Outbound messages are rows delivered by the worker (`manage.py db_worker`, django-tasks-db).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
CCHC_OUTBOX_RETRY_SECONDS = env_int("CCHC_OUTBOX_RETRY_SECONDS", 30)
CCHC_OUTBOX_RETRY_CAP_SECONDS = env_int("CCHC_OUTBOX_RETRY_CAP_SECONDS", 6 * 3600)
# 16 attempts with that backoff span about two days before a message is set aside
CCHC_OUTBOX_MAX_ATTEMPTS = env_int("CCHC_OUTBOX_MAX_ATTEMPTS", 16)
# The local simulators of the national systems, under /mo-phong/: never in production.
CCHC_SIMULATORS = env_bool("CCHC_SIMULATORS", DEBUG or TESTING) and not _PRODUCTION
# National Public Service Portal: the status exchange's base address and bearer token; with the
# simulators on and no address given, the local simulator.
CCHC_DVCQG_URL = env_str(
    "CCHC_DVCQG_URL",
    f"{CCHC_PUBLIC_BASE_URL.rstrip('/')}/mo-phong/dvcqg/" if CCHC_SIMULATORS else "",
)
CCHC_DVCQG_TOKEN = env_str("CCHC_DVCQG_TOKEN", "mo-phong-dvcqg" if CCHC_SIMULATORS else "")
CCHC_DVCQG_TIMEOUT = float(env_str("CCHC_DVCQG_TIMEOUT", "20"))
# Prefix of the stable local dossier id sent with every event (the province's system code).
CCHC_DVCQG_SYSTEM_CODE = env_str("CCHC_DVCQG_SYSTEM_CODE", "CCHC")
# The records the simulator's procedure catalogue serves (LayThuTuc, LayDanhSachTTHC).
CCHC_DVCQG_CATALOG_FILE = env_str(
    "CCHC_DVCQG_CATALOG_FILE",
    str(BASE_DIR / "data" / "catalog" / "national" / "mau-laythutuc.json"),
)
# Overrides of the status table (JSON: {"paused": 8, …}); see integrations/dvcqg/mapping.py.
CCHC_DVCQG_STATUS_CODES: dict[str, int] = json.loads(env_str("CCHC_DVCQG_STATUS_CODES", "{}"))
# SMS through an HTTP gateway (cchc.integrations.sms.HttpSmsSender): address, credentials,
# sender name, wording template, and the token the gateway sends with delivery receipts.
CCHC_SMS_URL = env_str(
    "CCHC_SMS_URL",
    f"{CCHC_PUBLIC_BASE_URL.rstrip('/')}/mo-phong/sms/gui/" if CCHC_SIMULATORS else "",
)
CCHC_SMS_USER = env_str("CCHC_SMS_USER", "mo-phong" if CCHC_SIMULATORS else "")
CCHC_SMS_PASSWORD = env_str("CCHC_SMS_PASSWORD", "mo-phong" if CCHC_SIMULATORS else "")
CCHC_SMS_BRAND = env_str("CCHC_SMS_BRAND", "DICHVUCONG")
CCHC_SMS_TEMPLATE = env_str("CCHC_SMS_TEMPLATE", "{text}")
CCHC_SMS_RECEIPT_TOKEN = env_str(
    "CCHC_SMS_RECEIPT_TOKEN", "mo-phong-sms" if CCHC_SIMULATORS else ""
)
# Online payment (cchc.integrations.payment): the gateway's payment page and API, the
# merchant code and the signing secret; the dossier statuses whose online payments are refunded.
_SIM = f"{CCHC_PUBLIC_BASE_URL.rstrip('/')}/mo-phong/thanh-toan/"
CCHC_PAYMENT_URL = env_str("CCHC_PAYMENT_URL", _SIM if CCHC_SIMULATORS else "")
CCHC_PAYMENT_API = env_str("CCHC_PAYMENT_API", _SIM if CCHC_SIMULATORS else "")
CCHC_PAYMENT_MERCHANT = env_str("CCHC_PAYMENT_MERCHANT", "CCHC")
CCHC_PAYMENT_SECRET = env_str(
    "CCHC_PAYMENT_SECRET", "mo-phong-thanh-toan" if CCHC_SIMULATORS else ""
)
CCHC_PAYMENT_REFUND_STATUSES = env_list("CCHC_PAYMENT_REFUND_STATUSES", "not_received,withdrawn")

# The public postal service (cchc.integrations.postal): its order API, the access token and
# customer code the postal operator issues, the token it sends with tracking reports, and its
# tracking codes mapped to ours (JSON; the real list is unconfirmed: docs/integrations.md).
CCHC_POSTAL_URL = env_str(
    "CCHC_POSTAL_URL",
    f"{CCHC_PUBLIC_BASE_URL.rstrip('/')}/mo-phong/buu-chinh/" if CCHC_SIMULATORS else "",
)
CCHC_POSTAL = bool(CCHC_POSTAL_URL)
CCHC_POSTAL_TOKEN = env_str("CCHC_POSTAL_TOKEN", "mo-phong-buu-chinh" if CCHC_SIMULATORS else "")
CCHC_POSTAL_CUSTOMER_CODE = env_str("CCHC_POSTAL_CUSTOMER_CODE", "CCHC")
CCHC_POSTAL_CALLBACK_TOKEN = env_str(
    "CCHC_POSTAL_CALLBACK_TOKEN", "mo-phong-hanh-trinh" if CCHC_SIMULATORS else ""
)
CCHC_POSTAL_STATUS_CODES: dict[str, str] = json.loads(env_str("CCHC_POSTAL_STATUS_CODES", "{}"))

# VNeID sign-in through the national single sign-on (cchc.integrations.vneid, OpenID Connect
# with mozilla-django-oidc): the provider's address (its endpoints below it unless given one
# by one) and this system's client credentials; with the simulators on and no provider given,
# the local simulator. Off when no provider is set.
CCHC_VNEID_ISSUER = env_str(
    "CCHC_VNEID_ISSUER",
    f"{CCHC_PUBLIC_BASE_URL.rstrip('/')}/mo-phong/vneid/" if CCHC_SIMULATORS else "",
)
CCHC_VNEID = bool(CCHC_VNEID_ISSUER)
# the name identities are kept under (ExternalIdentity.provider; counted by CCHC_EID_PROVIDERS)
CCHC_VNEID_PROVIDER = env_str("CCHC_VNEID_PROVIDER", "vneid")
# what is asked of the provider for each identification level (acr_values) [U for level 2]
CCHC_VNEID_ACR: dict[str, str] = json.loads(env_str("CCHC_VNEID_ACR", '{"1": "LoA1", "2": "LoA2"}'))
_issuer = CCHC_VNEID_ISSUER.rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str(
    "OIDC_OP_AUTHORIZATION_ENDPOINT", f"{_issuer}/oauth2/authorize"
)
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", f"{_issuer}/oauth2/token")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", f"{_issuer}/oauth2/userinfo")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", f"{_issuer}/oauth2/jwks")
OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_OP_LOGOUT_ENDPOINT", f"{_issuer}/oauth2/logout")
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "cchc" if CCHC_SIMULATORS else "")
OIDC_RP_CLIENT_SECRET = env_str(
    "OIDC_RP_CLIENT_SECRET", "mo-phong-vneid" if CCHC_SIMULATORS else ""
)
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid")
OIDC_AUTHENTICATION_CALLBACK_URL = "vneid_callback"
OIDC_TIMEOUT = float(env_str("OIDC_TIMEOUT", "20"))
OIDC_STORE_ID_TOKEN = True  # for the provider's sign-out
if CCHC_VNEID:
    AUTHENTICATION_BACKENDS.append("cchc.integrations.vneid.backend.VneidBackend")

# Operations (cchc.operations, docs/operations.md): the working days a maintenance window is
# announced ahead (checklist item 41); staff accounts unused this many days are locked (item
# 37); how often each process adds its request counters (item 28); the waits after which the
# status page reports the worker or the outbox as failing.
CCHC_MAINTENANCE_NOTICE_DAYS = env_int("CCHC_MAINTENANCE_NOTICE_DAYS", 5)
CCHC_ACCOUNT_IDLE_DAYS = env_int("CCHC_ACCOUNT_IDLE_DAYS", 90)
CCHC_USAGE_FLUSH_SECONDS = env_int("CCHC_USAGE_FLUSH_SECONDS", 0 if TESTING else 60)
CCHC_HEALTH_TASK_WAIT_SECONDS = env_int("CCHC_HEALTH_TASK_WAIT_SECONDS", 600)
CCHC_HEALTH_OUTBOX_WAIT_SECONDS = env_int("CCHC_HEALTH_OUTBOX_WAIT_SECONDS", 3600)

# The Ministry's usage-measurement (EMC) script on the portal's pages (checklist item 33): its
# address and the site code the Ministry assigns; the CSP lets that origin load and report.
CCHC_EMC_SCRIPT_URL = env_str("CCHC_EMC_SCRIPT_URL", "")
CCHC_EMC_SITE_CODE = env_str("CCHC_EMC_SITE_CODE", "")


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


if _emc := _origin(CCHC_EMC_SCRIPT_URL):
    SECURE_CSP["script-src"] = [*SECURE_CSP["script-src"], _emc]
    SECURE_CSP["connect-src"] = [*SECURE_CSP["connect-src"], _emc]
    SECURE_CSP["img-src"] = [*SECURE_CSP["img-src"], _emc]
# the applicant's browser goes from our payment form to the gateway (a redirect the CSP checks)
if (_gateway := _origin(CCHC_PAYMENT_URL)) and _gateway != _origin(CCHC_PUBLIC_BASE_URL):
    SECURE_CSP["form-action"] = [*SECURE_CSP["form-action"], _gateway]

# signing out of a VNeID session ends it at the provider too (a redirect after our form)
if CCHC_VNEID and (_sso := _origin(OIDC_OP_LOGOUT_ENDPOINT)) != _origin(CCHC_PUBLIC_BASE_URL):
    SECURE_CSP["form-action"] = [*SECURE_CSP["form-action"], _sso]

# The dossier code (R-CODE): "agency" = <agency code>-YYMMDD-NNNN (Circular 01/2018 art. 19);
# "centralised" = <agency code>-YYMMDD-<series><NNNN>, the shape of the centralised systems
# (the two-letter series, CCHC_DOSSIER_CODE_SERIES, is unconfirmed: shared/domain [U]).
CCHC_DOSSIER_CODE_FORMAT = env_str("CCHC_DOSSIER_CODE_FORMAT", "agency")
CCHC_DOSSIER_CODE_SERIES = env_str("CCHC_DOSSIER_CODE_SERIES", "AA")
