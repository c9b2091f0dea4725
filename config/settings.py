"""Settings for Gongjian, read from the environment.

Every variable is read through one of the small typed helpers of config/env.py; a bad value stops start-up
with an ImproperlyConfigured that names the variable. A fresh checkout runs with no variables set:
SQLite under var/ and an embedded (filesystem) Celery broker.
"""

import contextlib
import datetime
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    LOG_LEVELS,
    envbool,
    envchoice,
    envint,
    envlist,
    envorigins,
    envsecret,
    envstr,
    envurl,
)
from core.logformat import SITE_TIME_ZONE, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGJIAN_VAR_DIR", BASE_DIR / "var"))


def _release(base_dir: Path = BASE_DIR) -> str:
    """The running code's release: the package version and the commit — read from the git
    checkout, else from the RELEASE file deploy/install.sh writes beside the code it copies
    (without .git), so that every installed release has a cache key prefix of its own."""
    try:
        release = version("gongjian")
    except PackageNotFoundError:
        release = "dev"
    commit = ""
    try:
        ref = (base_dir / ".git" / "HEAD").read_text(encoding="utf-8").strip()
        if ref.startswith("ref: "):
            ref = (base_dir / ".git" / ref[5:]).read_text(encoding="utf-8").strip()
        commit = ref
    except OSError:
        with contextlib.suppress(OSError):
            commit = (base_dir / "RELEASE").read_text(encoding="utf-8").strip()
    return f"{release}-{commit[:10]}" if commit else release


DEBUG = envbool("DEBUG", False)

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) is required when DEBUG is off; "
            "set DEBUG=1 for development or give a long random SECRET_KEY."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # nosec B105  # used only with DEBUG on

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
if not ALLOWED_HOSTS and not DEBUG:
    # Set but empty: every request would be refused (400) while /healthz's callers see a server up.
    raise ImproperlyConfigured("ALLOWED_HOSTS is empty: name the site's host, as "
                               "gongjian.example.gov.cn (comma-separated for several)")
CSRF_TRUSTED_ORIGINS = envorigins("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "csp",
    "core",
    "campaign",
    "projects",
    "supervision",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "web.middleware.PasswordChangeRequiredMiddleware",
    "web.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "web.middleware.KeepFormAcrossSignInMiddleware",
    "web.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "web.context_processors.notifications",
                "web.context_processors.restored_form",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'gongjian.sqlite3'}"
_database_url = os.environ.get("DATABASE_URL") or _default_db
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except Exception as exc:  # dj_database_url raises several kinds for a bad URL
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL ({exc}); got {_database_url!r}") from None
#: Seconds libpq waits for PostgreSQL to accept a connection and answer its start-up (a server
#: that accepts TCP and never answers would otherwise hold a request, and /healthz, forever).
DATABASE_CONNECT_TIMEOUT = envint("DATABASE_CONNECT_TIMEOUT", 5, minimum=2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {"connect_timeout": DATABASE_CONNECT_TIMEOUT,
                                       **DATABASES["default"].get("OPTIONS", {})}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    # SQLite builds the reports' index (projects/0010) without its included column, the percent
    # (a PostgreSQL covering index for the scan): the same index, one page read more a row.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
#: The pages' reads built once (core.prepared) are prepared on the PostgreSQL server, once a
#: database session. Off (0) behind a connection pooler that gives each transaction another
#: session (PgBouncer in transaction mode): a prepared statement lives in its session.
DATABASE_PREPARED_STATEMENTS = envbool("DATABASE_PREPARED_STATEMENTS", True)

# --- Cache: Redis when REDIS_URL is set, else nothing is cached ---------------------------------
REDIS_URL = envstr("REDIS_URL")
#: Every release reads and writes its own keys: a deploy needs no "empty the cache" step, and two
#: versions running side by side during a deploy never read each other's entries.
RELEASE = envstr("GONGJIAN_RELEASE") or _release()
# What django-redis ignores (Redis unreachable) it logs, to our cache logger.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "gongjian.cache"
if REDIS_URL:
    envurl("REDIS_URL", REDIS_URL, {"redis", "rediss", "unix"})
    # django-redis; with IGNORE_EXCEPTIONS a Redis that cannot be reached only slows the pages
    # (every read misses, core.pagecache computes from the database) and a session is read from
    # the database (cached_db), so nobody is logged out and no write fails.
    CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"gj:{RELEASE}",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, "IGNORE_EXCEPTIONS": True},
    }}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth ---------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "web.auth.LockoutBackend",
    "web.auth.UserBackend",
    # The backend sessions made before the web/ package name; it authenticates nobody and only
    # keeps those sessions valid. Remove one release after 0.2.
    "campaign.viewer.CachedModelBackend",
]
# django-axes: after AXES_FAILURE_LIMIT failed logins for one username from one address, that pair
# is locked out for AXES_COOLOFF_MINUTES and answered 429; each failure and lockout is logged.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The log says which account was tried from where (passwords are never logged).
AXES_SENSITIVE_PARAMETERS: list[str] = []
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "web.auth.lockout_username"


def client_address_settings(proxy_count: int) -> dict:
    """django-ipware's settings for django-axes, from the number of reverse proxies in front.

    Each proxy appends the address it was reached from to X-Forwarded-For (nginx's
    `$proxy_add_x_forwarded_for`), so with N proxies the client is the N-th entry from the right;
    anything to its left was written by the client and is ignored. With no proxy the header is
    not read at all (anyone could write it) and the address is the connection's.
    """
    if proxy_count == 0:
        return {"AXES_IPWARE_META_PRECEDENCE_ORDER": ("REMOTE_ADDR",),
                "AXES_IPWARE_PROXY_COUNT": None, "AXES_IPWARE_PROXY_ORDER": "left-most"}
    # ipware counts the proxies listed inside the header; the last proxy is the connection itself.
    return {"AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
            "AXES_IPWARE_PROXY_COUNT": proxy_count - 1,
            "AXES_IPWARE_PROXY_ORDER": "left-most"}


PROXY_COUNT = envint("PROXY_COUNT", 0, minimum=0)
_client_address = client_address_settings(PROXY_COUNT)
AXES_IPWARE_META_PRECEDENCE_ORDER = _client_address["AXES_IPWARE_META_PRECEDENCE_ORDER"]
AXES_IPWARE_PROXY_COUNT = _client_address["AXES_IPWARE_PROXY_COUNT"]
AXES_IPWARE_PROXY_ORDER = _client_address["AXES_IPWARE_PROXY_ORDER"]
# Not strict: a header the client already filled in ("spoofed, real") still yields the real
# address; strict mode would fall back to the proxy's own address and lock out everyone behind it.
IPWARE_STRICT = False
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 12 * 60 * 60, minimum=300)
#: "记住我" on the login page keeps that device signed in this long instead (web.views_login).
REMEMBER_ME_DAYS = envint("REMEMBER_ME_DAYS", 30, minimum=1)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# "/" sends a team member or leader on to 待办 and shows everyone else the dashboard.
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time --------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = SITE_TIME_ZONE
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# 9 photos of at most 10 MB each, plus the form fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Django's renderer, with 请选择 instead of "---------" as every select's empty choice.
FORM_RENDERER = "core.forms.FormRenderer"

# Where users reach this site; e-mail and webhook messages link to it. Empty: relative links only.
SITE_URL = envstr("SITE_URL").rstrip("/")
if SITE_URL:
    envurl("SITE_URL", SITE_URL, {"http", "https"})

# Group-robot webhooks (core.webhooks): https to a public address only, unless these allow more.
WEBHOOK_ALLOW_HTTP = envbool("WEBHOOK_ALLOW_HTTP", False)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = envbool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_HOST = envstr("EMAIL_HOST")
EMAIL_PORT = envint("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "gongjian@localhost")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = envurl(
    "CELERY_BROKER_URL",
    "filesystem://",
    {"filesystem", "redis", "rediss", "amqp", "amqps", "memory"},
)
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Above the longest retry delay and ETA we ever use (the delivery backoff caps at 1 hour), so
    # a slow task is not delivered twice; a dead broker fails a publish in seconds, not minutes.
    # A broker that accepts and never answers fails a read in seconds too (socket_timeout).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60,
                                       "socket_connect_timeout": 3, "socket_timeout": 5}
    # Several sites (or a test run) on one Redis keep their queues apart by a key prefix.
    if envstr("CELERY_BROKER_KEY_PREFIX"):
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = envstr("CELERY_BROKER_KEY_PREFIX")
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# One beat process runs this schedule (DESIGN.md, Runtime). The hourly scan at minute 0 is also
# the 07:00 morning scan: one entry, so it is never scheduled twice under two names.
CELERY_BEAT_SCHEDULE = {
    "scan-all-campaigns-hourly": {
        "task": "supervision.scan_all",
        "schedule": crontab(minute=0),
        "options": {"expires": 55 * 60},
    },
    "reevaluate-all-campaigns-nightly": {
        # The safety net under the review moments: every project assessed, each batch logging
        # the outputs it changed (supervision.reevaluate_campaigns).
        "task": "supervision.reevaluate_all",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 3 * 60 * 60},
    },
    "urge-overdue-notices-daily": {
        "task": "supervision.urge_notices",
        "schedule": crontab(hour=8, minute=30),
    },
    "reminders": {
        # Report due tomorrow / today / missed, and due-soon items; deduplicated, so hourly
        # runs in the working day send each reminder once.
        "task": "supervision.send_reminders",
        "schedule": crontab(hour="8-20", minute=30),
        "options": {"expires": 55 * 60},
    },
    "deliver-due-notifications": {
        "task": "supervision.deliver_due",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    "weekly-bulletin-draft": {
        # Last week's bulletin (Monday to Sunday) for every active campaign; safe to run twice.
        "task": "supervision.draft_weekly_bulletins",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon"),
        "options": {"expires": 6 * 60 * 60},
    },
}

# --- Security -----------------------------------------------------------------------------------
# Safe by default with DEBUG off; `make run` turns the HTTPS-only parts off for a plain-HTTP demo.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if envbool("TRUST_X_FORWARDED_PROTO", False):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
#: A form sent with a stale token: the site's own page, in the user's language, with what was typed.
CSRF_FAILURE_VIEW = "web.errors.csrf_failure"
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script anywhere: scripts only from our own static files. Inline style attributes are
# allowed (progress bars set their width), inline images as data: URLs (Bootstrap's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Logging: one line per event, key=value, to stderr -------------------------------------------
LOG_LEVEL = envchoice("LOG_LEVEL", "INFO", LOG_LEVELS)
# axes: failures and lockouts are warnings; its start-up banner is not worth a line per command.
LOGGING_CONFIG = "core.logformat.configure"
LOGGING = logging_config(LOG_LEVEL, {"django.db.backends": {"level": "INFO"},
                                     "axes": {"level": "WARNING"}})

# --- Demo ---------------------------------------------------------------------------------------
DEMO_PASSWORD = envstr("DEMO_PASSWORD", "gongjian-demo-2026")
