"""Settings come from the environment only (twelve-factor).

DATABASE_URL   default: a SQLite file under var/ (the embedded default for `make demo`)
DEBUG          "1"/"true" to enable; off by default
SECRET_KEY     required when DEBUG is off
ALLOWED_HOSTS  comma-separated; default localhost names
The rest (transport security, sessions, login throttling, two-factor) is listed in README.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HTXSO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Chưa đặt SECRET_KEY: đặt SECRET_KEY (máy chủ thật) hoặc DEBUG=1 (máy phát triển). "
            "SECRET_KEY must be set when DEBUG is off: set SECRET_KEY (production) or DEBUG=1 "
            "(development)."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "htxso.core.apps.HtxAdminConfig",  # django.contrib.admin with the officers' admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # `runserver` (make demo) leaves static files to WhiteNoise, as in production: the vendored
    # assets' pre-compressed copies are sent and the pages load as they will on a phone.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "django_otp",
    "django_otp.plugins.otp_totp",
    "htxso.core",
    "htxso.registry",
    "htxso.exchange",
    "htxso.reporting",
    "htxso.registration",
    "htxso.tasks",
    "htxso.marketplace",
    "htxso.prices",
    "htxso.traceability",
    "htxso.assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "htxso.core.audit.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "htxso.core.api.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "htxso.core.twofactor.OtpRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = os.environ.get("ROOT_URLCONF", "htxso.urls")
WSGI_APPLICATION = "htxso.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "htxso" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "htxso.core.nav.nav",  # the navigation bar's links for this user
            ],
        },
    }
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'htxso.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while a generator writes; a busy timeout avoids
    # "database is locked" errors on a second writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's rules with the project's Vietnamese messages (core/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "htxso.core.passwords.UserAttributeSimilarityValidator"},
    {
        "NAME": "htxso.core.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "12"))},
    },
    {"NAME": "htxso.core.passwords.CommonPasswordValidator"},
    {"NAME": "htxso.core.passwords.NumericPasswordValidator"},
]
# Django's backend, refusing locked accounts (core/lockout.py).
AUTHENTICATION_BACKENDS = ["htxso.core.lockout.LockAwareBackend"]
# Login throttling (core/lockout.py): failures that lock an account (each within the window of
# the previous one), failures that block a client address for its window (seconds).
LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5"))
LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", "900"))
LOGIN_FAILURES_PER_IP = int(os.environ.get("LOGIN_FAILURES_PER_IP", "20"))
LOGIN_IP_WINDOW = int(os.environ.get("LOGIN_IP_WINDOW", "900"))
# How long a lock lasts (seconds): the first, doubled for each further round of failures before
# a successful sign-in, at most the maximum. An officer may lift it sooner.
LOGIN_LOCK_SECONDS = int(os.environ.get("LOGIN_LOCK_SECONDS", "900"))
LOGIN_LOCK_MAX_SECONDS = int(os.environ.get("LOGIN_LOCK_MAX_SECONDS", str(86400)))
# Roles that must sign in with a second factor (TOTP), comma-separated, e.g.
# "system_admin,central_officer,provincial_officer". Anyone may enrol voluntarily.
# In production the national roles (the admin and all personal data) need one by default.
OTP_REQUIRED_ROLES = frozenset(
    r.strip()
    for r in os.environ.get(
        "OTP_REQUIRED_ROLES", "" if DEBUG else "system_admin,central_officer"
    ).split(",")
    if r.strip()
)
OTP_TOTP_ISSUER = "HTX Số"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "htxso" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False  # numbers are grouped with |intcomma where meant

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "htxso.core.static_storage.StaticFilesStorage"  # WhiteNoise's, URLs kept
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Transport security. With DEBUG off every default is the production one (HTTPS only, HSTS for a
# year); with DEBUG on (`make demo`, the tests) plain HTTP on localhost keeps working.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The preload directive only consents to the browsers' built-in HTTPS list; it takes effect when
# the registrable domain is submitted there. Set 0 where the parent domain cannot commit to it.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
# Behind a proxy that terminates TLS: "HTTP_X_FORWARDED_PROTO,https" (the proxy must overwrite
# that header, never pass a client's through) — otherwise SECURE_SSL_REDIRECT loops.
_proxy_ssl_header = [p.strip() for p in os.environ.get("SECURE_PROXY_SSL_HEADER", "").split(",")]
SECURE_PROXY_SSL_HEADER = (
    (_proxy_ssl_header[0], _proxy_ssl_header[1]) if len(_proxy_ssl_header) == 2 else None
)
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
SECURE_REFERRER_POLICY = os.environ.get("SECURE_REFERRER_POLICY", "same-origin")
# Officers work on personal data: a session lasts a working day (not Django's two weeks) and
# ends with the browser.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
# Client addresses (login throttling): the number of reverse proxies in front of the application
# that append to X-Forwarded-For. 0 (default): the TCP peer address, which a client cannot forge.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# The API's rate limits read the client address by the same rule (ninja trusts every
# X-Forwarded-For entry otherwise, so a client could pick a fresh bucket per request).
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Page size of registry lists; the API and exports reuse it.
REGISTRY_PAGE_SIZE = 50
# Counting matches stops here; the page then says "more than N".
REGISTRY_COUNT_LIMIT = 10_000
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "htxso" / "static"]
FORMAT_MODULE_PATH = ["htxso.formats"]

# Cache: Redis when REDIS_URL is set (production, shared by all workers: API throttling needs
# that), otherwise per-process memory.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Job progress and heartbeats are read by other processes (the web server, the CLI, workers):
# Redis when there is one, otherwise files under var/.
CACHES["jobs"] = (
    {**CACHES["default"], "KEY_PREFIX": "jobs"}
    if os.environ.get("REDIS_URL")
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "jobs"),
    }
)

# API rate limits (django-ninja throttling), per client IP / per user.
API_RATE_ANONYMOUS = os.environ.get("API_RATE_ANONYMOUS", "120/min")
API_RATE_AUTHENTICATED = os.environ.get("API_RATE_AUTHENTICATED", "1200/min")
# Adding a member by CCCD: identity facts that do not match a registered person are refused
# and audited; a user gets this many a day, then adding by CCCD is refused until the next day.
IDENTITY_MISMATCH_LIMIT = int(os.environ.get("IDENTITY_MISMATCH_LIMIT", "5"))
API_PAGE_SIZE = 100
API_MAX_PAGE_SIZE = 500

# Uploaded files (import jobs keep their file: the dry run, the commit and a re-run read it).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served publicly: files are read by the jobs only

# Registration (htxso/registration): dossier files (PDF/JPEG/PNG) up to this size; the tax
# code issuer (the embedded one hands out valid MST of a configured range of nine-digit
# prefixes; a connector to the tax authority replaces it: registration/tax_authority.py).
# Traceability (htxso/traceability): the most events one EPCIS capture may hold, and the address
# printed in the QR labels' GS1 Digital Link URIs (this site's resolver: /01/<gtin>/10/<lot>).
TRACE_CAPTURE_MAX_EVENTS = int(os.environ.get("TRACE_CAPTURE_MAX_EVENTS", "10000"))
TRACE_RESOLVER_DOMAIN = os.environ.get("TRACE_RESOLVER_DOMAIN", "https://htxso.vn").rstrip("/")

REGISTRATION_MAX_FILE_BYTES = int(os.environ.get("REGISTRATION_MAX_FILE_BYTES", str(10 * 2**20)))
REGISTRATION_TAX_CODE_ISSUER = os.environ.get(
    "REGISTRATION_TAX_CODE_ISSUER", "htxso.registration.tax_authority.RangeIssuer"
)
REGISTRATION_TAX_CODE_RANGE = tuple(
    os.environ.get("REGISTRATION_TAX_CODE_RANGE", "970000000-979999999").split("-")
)
# Classification evidence (htxso/assessment): PDF/JPEG/PNG up to this size, this many a criterion.
ASSESSMENT_MAX_FILE_BYTES = int(os.environ.get("ASSESSMENT_MAX_FILE_BYTES", str(10 * 2**20)))
ASSESSMENT_FILES_PER_CRITERION = int(os.environ.get("ASSESSMENT_FILES_PER_CRITERION", "5"))
# Steering-committee follow-up (htxso/tasks): report attachments (PDF/JPEG/PNG) up to this size;
# reminders start this many working days before a deadline; at most this many per kind a run.
TASKS_MAX_FILE_BYTES = int(os.environ.get("TASKS_MAX_FILE_BYTES", str(10 * 2**20)))
TASKS_WARN_WORKING_DAYS = int(os.environ.get("TASKS_WARN_WORKING_DAYS", "5"))
TASKS_CHASE_BATCH = int(os.environ.get("TASKS_CHASE_BATCH", "20000"))
# Marketplace (htxso/marketplace): product photos up to this size (re-drawn to 1200 px), and the
# shared secret a bank signs its payment notices with (HMAC-SHA256; unset: the webhook is off).
MARKETPLACE_MAX_PHOTO_BYTES = int(os.environ.get("MARKETPLACE_MAX_PHOTO_BYTES", str(8 * 2**20)))
MARKETPLACE_BANK_WEBHOOK_SECRET = os.environ.get("MARKETPLACE_BANK_WEBHOOK_SECRET", "")
# Notifications to applicants: Django's mail backend (the console when developing).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "HTX Số <khong-tra-loi@htxso.gov.vn>")

# Background jobs (imports). "celery": a Celery worker on CELERY_BROKER_URL (production);
# "thread": a thread in the web process (the embedded default); "inline": in the request
# (tests). A running job beats every JOB_HEARTBEAT seconds; one silent for JOB_STALE seconds
# (its worker was killed) is marked failed, and nothing it wrote survives (one transaction).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
JOBS_BACKEND = os.environ.get("JOBS_BACKEND", "celery" if CELERY_BROKER_URL else "thread")
JOB_HEARTBEAT = float(os.environ.get("JOB_HEARTBEAT", "5"))
JOB_STALE = float(os.environ.get("JOB_STALE", "60"))
CELERY_TASK_ACKS_LATE = False  # a killed import is reported failed and re-run by a person
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
# Daily jobs of Celery beat (production; the embedded default runs the same management
# commands from cron): the steering committee's reminders (htxso/tasks/chasing.py), the
# marketplace's median prices kept as price series (htxso/prices/sales.py).
CELERY_BEAT_SCHEDULE = {
    "tasks-chase": {"task": "tasks.chase", "schedule": 24 * 3600.0},
    "prices-market": {"task": "prices.ingest_market", "schedule": 24 * 3600.0},
}
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(2 * 1024**3)))
IMPORT_MAX_ISSUES = int(os.environ.get("IMPORT_MAX_ISSUES", "20000"))
# An import creating at least this many memberships drops the member tables' secondary indexes
# and foreign keys and builds them again after writing (core.bulk.indexes_rebuilt): ~3x faster
# for a national load, but the tables are locked until the import commits.
IMPORT_REBUILD_ROWS = int(os.environ.get("IMPORT_REBUILD_ROWS", "1000000"))
# An organisation import adding this many (and at least doubling the table) rebuilds its indexes
# once at the end instead of updating them row by row (registry/writes/organisation_stage.py).
IMPORT_REBUILD_ORGANISATIONS = int(os.environ.get("IMPORT_REBUILD_ORGANISATIONS", "20000"))
