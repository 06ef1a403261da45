"""Settings for KRS, read from the environment (see ``.env.example``).

With no environment at all the app runs on SQLite in ``var/`` and a Celery broker on the file
system, so a newcomer's ``make run`` needs no server. Production sets ``DEBUG=false`` and must then
give a real ``SECRET_KEY`` and ``ALLOWED_HOSTS`` or the process refuses to start.
"""

from __future__ import annotations

import zoneinfo
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from krs.env import Env

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

VAR_DIR = Path(env.str("KRS_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", True)

_INSECURE_KEY_PREFIX = "django-insecure-"
SECRET_KEY = env.str("SECRET_KEY", _INSECURE_KEY_PREFIX + "krs-development-only-never-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

if not DEBUG:
    if SECRET_KEY.startswith(_INSECURE_KEY_PREFIX) or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a long random value when DEBUG=false "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host names when DEBUG=false.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "simple_history",
    "krs",
    "indicators",
    "reporting",
    "certification",
    "attachments",
    "reports",
    # The HTTP API for linked systems and scripts (docs/api.md); "ninja" serves the Swagger UI's files.
    "ninja",
    "api",
]

MIDDLEWARE = [
    # First: a request id for every log line, and one line per request (krs/logs.py).
    "krs.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "krs.middleware.NoStoreHtml",
    "django.middleware.csrf.CsrfViewMiddleware",
    "krs.middleware.RefuseNulCharacters",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "krs.urls"
WSGI_APPLICATION = "krs.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "krs.context_processors.navigation",
                "reporting.context_processors.entry_statuses",
            ],
            "builtins": ["krs.templatetags.thai"],
        },
    }
]

DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'krs.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and the scheduler share one file: wait for a lock instead of failing,
    # and take the write lock at the start of a transaction so two writers queue rather than deadlock.
    # Write-ahead logging lets readers go on while one writes, and with it synchronous=NORMAL is safe from
    # corruption while syncing less often: the first migrate and demo load take about a fifth less time.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE",
                                       "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "krs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600, minimum=600)

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", True)
# The client's address behind the proxy (X-Forwarded-For), not the proxy's: krs/http.py.
AXES_CLIENT_IP_CALLABLE = "krs.http.client_ip"

# Thai first, English second; the language switch posts to Django's set_language view.
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("ไทย")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", "Asia/Bangkok")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not a known time zone.") from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
try:  # WhiteNoise warns on every request until the folder exists; collectstatic fills it in production.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:
    pass
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(VAR_DIR / "media")))
# No MEDIA_URL on purpose: evidence files are served only through a view that checks permission.
# Evidence files go through Django's storage API: local files under MEDIA_ROOT, or S3-compatible object
# storage through django-storages (pip install '.[s3]'; docs/attachments.md). Objects stay private.
FILE_STORAGE = env.choice("KRS_FILE_STORAGE", "filesystem", {"filesystem", "s3"})
if FILE_STORAGE == "s3":
    if not env.str("KRS_S3_BUCKET"):
        raise ImproperlyConfigured("KRS_FILE_STORAGE=s3 needs KRS_S3_BUCKET.")
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("KRS_S3_BUCKET"),
            "endpoint_url": env.str("KRS_S3_ENDPOINT_URL") or None,
            "region_name": env.str("KRS_S3_REGION") or None,
            "access_key": env.str("KRS_S3_ACCESS_KEY") or None,
            "secret_key": env.str("KRS_S3_SECRET_KEY") or None,
            "location": env.str("KRS_S3_PREFIX", ""),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads: the largest evidence file accepted (bytes), and the request size around it.
KRS_MAX_UPLOAD_BYTES = env.int("KRS_MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_MB", 5, minimum=1) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# E-mail: the console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env.str("EMAIL_HOST", "")
EMAIL_PORT = env.int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "KRS <krs@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people open KRS at, for the links in e-mails; by default the development server's port, which
# `make run` passes as KRS_PORT (PORT=8080 make run mails links to port 8080).
KRS_PORT = env.int("KRS_PORT", 8000, minimum=1)
KRS_SITE_URL = env.str("KRS_SITE_URL", f"http://127.0.0.1:{KRS_PORT}")
ADMINS = [("KRS admins", addr) for addr in env.list("ADMIN_EMAILS", [])]

# Celery: a broker that needs no server (kombu's filesystem transport) unless CELERY_BROKER_URL is set.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "celery" / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("in", "processed", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "in"),
        "data_folder_out": str(CELERY_BROKER_DIR / "in"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # Fanout/control exchanges; kombu's default is a "control" folder in the working directory.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
elif not CELERY_BROKER_URL.startswith(("redis://", "rediss://", "amqp://", "memory://")):
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL={CELERY_BROKER_URL!r}: use redis://…, amqp://… or leave it unset."
    )
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", None)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# How often the deadline sweep runs (seconds); the schedule itself lives in krs/celery.py.
KRS_SWEEP_SECONDS = env.int("KRS_SWEEP_SECONDS", 60, minimum=5)
# A sweep holds its lease this long at most: a worker that died mid-sweep blocks the next one no longer.
KRS_SWEEP_LEASE_SECONDS = env.int("KRS_SWEEP_LEASE_SECONDS", 1800, minimum=60)
# Days before a round's deadline when districts with unreported entries are reminded ("7,3,1"; empty = none).
try:
    KRS_REMINDER_DAYS = sorted({int(day) for day in env.list("KRS_REMINDER_DAYS", ["7", "3", "1"]) if day.strip()})
except ValueError as exc:
    raise ImproperlyConfigured(f"KRS_REMINDER_DAYS must be whole days, e.g. 7,3,1: {exc}") from exc
if any(day < 1 for day in KRS_REMINDER_DAYS):
    raise ImproperlyConfigured("KRS_REMINDER_DAYS must be whole days of 1 or more, e.g. 7,3,1")

# Cache: the API's per-token rate limit counts calls here. Local memory by default (one process, e.g.
# tests and `make run`); production sets KRS_CACHE_URL=redis://… so every gunicorn worker shares the count.
KRS_CACHE_URL = env.str("KRS_CACHE_URL", "")
if KRS_CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": KRS_CACHE_URL}}
elif KRS_CACHE_URL:
    raise ImproperlyConfigured(f"KRS_CACHE_URL={KRS_CACHE_URL!r}: use redis://… or leave it unset.")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The HTTP API (docs/api.md): calls per token per window (fixed window, 429 with Retry-After beyond it),
# and the most items one batch may carry.
KRS_API_RATE_LIMIT = env.int("KRS_API_RATE_LIMIT", 120, minimum=1)
KRS_API_RATE_WINDOW_SECONDS = env.int("KRS_API_RATE_WINDOW_SECONDS", 60, minimum=1)
KRS_API_MAX_BATCH = env.int("KRS_API_MAX_BATCH", 5000, minimum=1)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security: everything `manage.py check --deploy` asks for, on whenever DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
KRS_BEHIND_PROXY = False  # requests arrive through a TLS-terminating proxy (X-Forwarded-Proto/-For)
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", True)
    if env.bool("BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        KRS_BEHIND_PROXY = True

# Content-Security-Policy (django-csp): scripts only from this site's static files, never inline, never
# eval (htmx is told so in templates/base.html). Styles allow inline because tree pages indent rows with
# style="padding-left: …" attributes; a style cannot run code. Bootstrap draws some icons as data: SVG.
from csp import constants as csp  # noqa: E402  (lowercase: every uppercase name here becomes a setting)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, "'unsafe-inline'"],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
# Load balancers probe /health/ over plain HTTP (krs/health.py).
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# Logs: text lines by default, JSON lines (one object per line, with request_id, user_id, path, status,
# duration_ms) with KRS_LOG_FORMAT=json, for the web and the worker alike (krs/logs.py).
from krs.logs import logging_config  # noqa: E402

LOG_FORMAT = env.choice("KRS_LOG_FORMAT", "text", {"text", "json"})
LOGGING = logging_config(json=LOG_FORMAT == "json",
                         level=env.choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"}))
# The worker logs through LOGGING too, instead of Celery's own setup.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# What a task prints goes to the log at INFO, not Celery's default WARNING: the console mail backend of
# development prints each notification e-mail, which is no warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
