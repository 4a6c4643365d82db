"""The only settings module of the portal.

Every value comes from the environment; the defaults are the embedded first-look setup
(SQLite, Celery tasks in-process, e-mail to the console). Production turns on with
DJANGO_DEBUG=false plus DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from config.release import release_digest

BASE_DIR = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------
# Environment helpers: they fail loudly on malformed values instead of guessing.
# ---------------------------------------------------------------------------
def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# ---------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------
DEBUG = env_bool("DJANGO_DEBUG", True)
_DEV_SECRET = "dev-only-insecure-key-change-me"  # noqa: S105 - refused below outside DEBUG
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # The admin site demands a verified second factor from staff (portal/admin_site.py).
    "portal.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",  # search lookups; inert on SQLite
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",  # its system checks catch settings left in the 3.x format
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "knox",
    # Change history of the audited models (who, when, what) in their admin pages.
    "simple_history",
    "portal",
    "companies",
    "products",
    "brokers",
    "deals",
    "support",
    # The export results sit on top of the others: nothing imports them but config.
    "results",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The content versions a page's caches are keyed by are read once per request.
    "portal.http.page_cache.generations_per_request",
    # After whitenoise: static files are the portal's own and need no policy; every response of a
    # view gets one (a view's own header wins: /media/ sends a stricter one).
    "portal.http.csp.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view looks a URL part or a form field up; after authentication, so that the
    # 400 page renders like every other page.
    "portal.http.middleware.reject_nul_bytes",
    # After authentication: request.user.is_verified() (django-otp), then staff without a
    # verified second factor reach only the two-factor pages (portal/accounts/two_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "portal.accounts.two_factor.StaffSecondFactorMiddleware",
    "portal.accounts.security_log.DeniedAccessLogMiddleware",  # every 403, with who and from where
    "django.contrib.messages.middleware.MessageMiddleware",
    # Who made a change, for the history rows (django-simple-history): it only keeps the request
    # in a context variable for the request's duration, no query.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the lockouts flagged by the authentication backends (django-axes).
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
                "portal.http.context_processors.portal",
                "brokers.context_processors.inbox",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Database: SQLite by default, PostgreSQL (or anything dj-database-url knows) from DATABASE_URL
# ---------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # Persistent connections pay off in production (one per gunicorn worker, checked before
        # reuse). Not under the development server: it serves each request in a new thread, and
        # every thread's kept connection stayed open (83 idle after 15 minutes, then "too many
        # clients"). Never on an embedded SQLite file.
        conn_max_age=(
            0 if DATABASE_URL.startswith("sqlite") else env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60)
        ),
        conn_health_checks=True,
    )
}
# A request reads a page or counts up to a cap: a parallel plan starts two more server processes
# for a query of a few milliseconds (the catalog's count by country: 8.3 ms with two workers,
# 1.8 ms without), and under load they take the cores the other requests are waiting for. -1 sends
# nothing (PgBouncer refuses the `options` startup parameter: set it per role there instead).
DATABASE_PARALLEL_WORKERS = env_int("DATABASE_PARALLEL_WORKERS", 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_PARALLEL_WORKERS >= 0:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _parallel = f"-c max_parallel_workers_per_gather={DATABASE_PARALLEL_WORKERS}"
    _options["options"] = f"{_options.get('options', '')} {_parallel}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
# Argon2 for new and re-hashed passwords; older hashes still verify and are upgraded on log-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# django-axes' backend first: a locked-out client is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# One lockout policy for every door that checks a secret or could be used to probe accounts: site and
# admin log-in, API tokens, password reset, sign-up and invitation links (portal/accounts/lockout.py, on top
# of django-axes, counted in the shared cache). Three counters, each with its own limit:
#  - the (account, address) pair: LOCKOUT_PAIR_LIMIT failures lock that pair for LOCKOUT_COOL_OFF;
#  - the address, whatever accounts it tries: LOCKOUT_ADDRESS_LIMIT failures lock the address;
#  - the account, from all addresses together: LOCKOUT_ACCOUNT_LIMIT failures lock the account for a
#    bounded LOCKOUT_COOL_OFF counted from the first failure (refused attempts never extend it), and a
#    successful password reset lifts it at once, so nobody elsewhere can keep its owner out for long.
LOCKOUT_PAIR_LIMIT = env_int("LOCKOUT_PAIR_LIMIT", 10)
LOCKOUT_ADDRESS_LIMIT = env_int("LOCKOUT_ADDRESS_LIMIT", 30)
LOCKOUT_ACCOUNT_LIMIT = env_int("LOCKOUT_ACCOUNT_LIMIT", 20)
LOCKOUT_COOL_OFF = timedelta(minutes=env_int("LOCKOUT_COOL_OFF_MINUTES", 15))
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_HANDLER = "portal.accounts.lockout.TieredLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_FAILURE_LIMIT = LOCKOUT_PAIR_LIMIT  # the handler applies each counter's own limit
AXES_COOLOFF_TIME = LOCKOUT_COOL_OFF
AXES_RESET_ON_SUCCESS = False  # a success from one address must not wipe another address's count
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # refused attempts never extend a lockout
AXES_USERNAME_CALLABLE = "portal.accounts.lockout.username_of"
AXES_CLIENT_IP_CALLABLE = "portal.http.client.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.accounts.lockout.lockout_response"
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Export Support Portal")
OTP_TOTP_THROTTLE_FACTOR = 1  # django-otp: each wrong code doubles the wait before the next try
AXES_VERBOSE = False  # the security log (portal.SecurityEvent) records attempts and lockouts
AXES_ENABLE_ADMIN = False  # counts live in the cache, not in axes' tables: nothing to show there
AXES_SENSITIVE_PARAMETERS = ["password", "new_password1", "new_password2", "password1", "password2", "token"]
# Sessions live where every web process finds them, never in one process's memory: in the database,
# read through the Redis cache when there is one (a cache eviction only costs a database read).
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if env_str("REDIS_URL") else "db")

# ---------------------------------------------------------------------------
# Languages and time: Persian first, Tehran time, always timezone-aware
# ---------------------------------------------------------------------------
LANGUAGE_CODE = "fa"
# Persian and English everywhere; Arabic and Russian for buyers on the public pages (the signed-in
# side falls back to the English texts there). portal/i18n/languages.py holds each one's conventions.
LANGUAGES = [("fa", _("Persian")), ("en", _("English")), ("ar", _("Arabic")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tehran"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

# ---------------------------------------------------------------------------
# Static and media files (whitenoise serves static files in every setup)
# ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploads on local disk by default; with a bucket named, in S3-compatible object storage, so that
# every web and worker process on every machine reads and writes the same files. The bucket stays
# private: /media/ checks access, then redirects to a URL signed for MEDIA_SIGNED_URL_SECONDS
# ("redirect"), or streams the object itself ("stream", when browsers cannot reach the endpoint).
MEDIA_S3_BUCKET = env_str("DJANGO_STORAGE_S3_BUCKET")
MEDIA_S3_DELIVERY = env_str("DJANGO_STORAGE_S3_DELIVERY", "redirect")
if MEDIA_S3_DELIVERY not in {"redirect", "stream"}:
    raise ImproperlyConfigured(f"DJANGO_STORAGE_S3_DELIVERY={MEDIA_S3_DELIVERY!r}: use redirect or stream")
MEDIA_SIGNED_URL_SECONDS = env_int("DJANGO_STORAGE_S3_URL_SECONDS", 60)
UPLOADS_STORAGE = (
    {
        "BACKEND": "portal.uploads.media.s3_storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "location": env_str("DJANGO_STORAGE_S3_PREFIX"),  # a key prefix, to share a bucket
            # Endpoint, region and keys: unset means AWS and boto3's own lookup (e.g. an IAM role).
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,  # "path" for MinIO
            "signature_version": "s3v4",
            # Private objects; "" sends no ACL, for AWS buckets whose ACLs are disabled (still private).
            "default_acl": env_str("DJANGO_STORAGE_S3_ACL", "private") or None,
            "querystring_auth": True,
            "querystring_expire": MEDIA_SIGNED_URL_SECONDS,
            "file_overwrite": False,  # as on disk: a name already taken gets a new one
            "max_memory_size": 2 * 1024 * 1024,  # larger objects spill to a temporary file when read
        },
    }
    if MEDIA_S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": UPLOADS_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# ---------------------------------------------------------------------------
# E-mail: console by default; SMTP (or any backend) from the environment
# ---------------------------------------------------------------------------
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Export Portal <no-reply@export-portal.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---------------------------------------------------------------------------
# Cache: Redis when REDIS_URL is set, else per-process memory
# ---------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# How long one Redis call may wait (connect, then each reply) before the cache or a publish gives
# up: a Redis outage must cost a request a fraction of a second, never hang it (SECURITY.md,
# "Outage behaviour").
REDIS_TIMEOUT_SECONDS = env_float("REDIS_TIMEOUT_SECONDS", 0.5)
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache that answers as an empty cache while Redis is unreachable.
            "BACKEND": "portal.http.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "portal"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
                # After a failure, skip Redis for this long instead of each request trying again.
                "DOWN_SECONDS": env_float("REDIS_RETRY_SECONDS", 5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Renderings kept under keys that name everything they depend on (the release, the content's
# generation, the language): each process keeps a copy of the most used ones in front of the shared
# cache, saving a round trip per header, footer, filter list and card (portal/http/cache.py).
CACHES["fragments"] = {
    "BACKEND": "portal.http.cache.LocalFirstCache",
    "OPTIONS": {
        "BEHIND": "default",
        "LOCAL_SECONDS": env_int("FRAGMENT_LOCAL_SECONDS", 60),
        "MAX_ENTRIES": env_int("FRAGMENT_LOCAL_ENTRIES", 5000),
    },
}
# Public pages served to anonymous visitors from the cache for this long at most (any change to
# public content makes them stale at once: portal/http/page_cache.py); 0 turns it off, as in development.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0 if DEBUG else 60)
# Rendered fragments (catalog cards) kept as long, made stale the same way; 0 turns them off.
FRAGMENT_CACHE_SECONDS = env_int("FRAGMENT_CACHE_SECONDS", 0 if DEBUG else 300)
# The release id in the keys of everything cached as rendered output (pages, cards, API entries,
# template fragments, sitemaps), so that a new release never serves the previous one's. A deployment
# may set PORTAL_RELEASE (the git commit); otherwise a digest of the project's own code, templates,
# compiled translations and static manifest, computed once per process (config/release.py).
RELEASE = env_str("PORTAL_RELEASE").strip() or release_digest(
    base_dir=BASE_DIR,
    apps=INSTALLED_APPS,
    template_dirs=[Path(directory) for engine in TEMPLATES for directory in engine["DIRS"]],
    locale_paths=LOCALE_PATHS,
    static_root=STATIC_ROOT,
    code_dirs=[BASE_DIR / "config"],
)

# ---------------------------------------------------------------------------
# Celery: Redis broker when REDIS_URL is set; otherwise tasks run in-process (eager)
# ---------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None  # tasks write their outcome to the database, not to a result store
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# Each task's own policy (late acknowledgement, retries with backoff and jitter) is one class:
# portal.tasks.PortalTask, the base of every task.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that enqueues while the broker is down gives up quickly (one retry, short socket
# timeouts; portal/enqueue.py then stops trying for BROKER_RETRY_SECONDS); the work is already
# recorded in the database and the sweeps below queue it once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = max(REDIS_TIMEOUT_SECONDS, 1.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,
    "socket_connect_timeout": max(REDIS_TIMEOUT_SECONDS, 1.0),
    # Longer than kombu's 1 s BRPOP wait, so a worker's idle poll is never cut short.
    "socket_timeout": max(REDIS_TIMEOUT_SECONDS, 5.0),
}
BROKER_RETRY_SECONDS = env_float("BROKER_RETRY_SECONDS", 5)
# Named queues, so that one kind of work never waits behind another: a fan-out to thousands of
# companies fills "fanout" while screening and e-mail keep their own workers (README, "Scaling out").
# Declared, so a worker started without -Q consumes all five (one worker is enough on one machine);
# each with its own exchange and key, as Celery makes them when it creates queues on the fly
# (a bare Queue(name) would be bound to the "default" key and receive every queue's messages).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name)
    for name in ("default", "email", "screening", "fanout", "periodic")
]
# Every task by name; tests/portal/test_celery_queues.py fails when a new task is not listed here.
CELERY_TASK_ROUTES = {
    # A person waits for these: notification e-mails, invitations, password resets.
    "portal.tasks.notification_email_send": "email",
    "portal.tasks.email_send": "email",
    "companies.tasks.company_invitation_send": "email",
    "brokers.tasks.broker_invitation_send": "email",
    "brokers.tasks.inquiry_acknowledge": "email",
    "brokers.tasks.inquiry_reply_send": "email",
    # A company waits for its application to reach a reviewer.
    "support.tasks.application_screen": "screening",
    # One message can become thousands of notifications: offers to companies, inquiries to brokers.
    "brokers.tasks.offer_fanout": "fanout",
    "brokers.tasks.offer_fanout_batch": "fanout",
    "brokers.tasks.inquiry_route": "fanout",
    # Beat's sweeps and reminders (the schedule below); what they enqueue goes to its own queue.
    "portal.tasks.notification_emails_sweep": "periodic",
    "portal.tasks.notifications_prune": "periodic",
    "companies.tasks.company_certificates_expiry_warn": "periodic",
    "companies.tasks.company_invitations_sweep": "periodic",
    "products.tasks.certificates_expiry_warn": "periodic",
    "brokers.tasks.offers_expire": "periodic",
    "brokers.tasks.inquiries_route_sweep": "periodic",
    "brokers.tasks.inquiry_emails_sweep": "periodic",
    "brokers.tasks.inquiries_escalate": "periodic",
    "brokers.tasks.offers_fanout_sweep": "periodic",
    "brokers.tasks.broker_invitations_sweep": "periodic",
    "brokers.tasks.brokers_licence_check": "periodic",
    "support.tasks.reviews_overdue_remind": "periodic",
    "support.tasks.managers_weekly_summary": "periodic",
    "support.tasks.applications_screen_sweep": "periodic",
    "support.tasks.applications_overdue_escalate": "periodic",
    "products.tasks.product_thumbnails_sweep": "periodic",
    # Everything else: thumbnails.
    "products.tasks.product_thumbnail_make": "default",
}
CELERY_BEAT_SCHEDULE = {
    # Every five minutes: send every notification e-mail still pending (broker outage, crash).
    "notification_emails_sweep": {
        "task": "portal.tasks.notification_emails_sweep",
        "schedule": timedelta(minutes=5),
    },
    # Daily at 08:00 Tehran time: warn companies about product certificates expiring in 60 days.
    "certificates_expiry_warn": {
        "task": "products.tasks.certificates_expiry_warn",
        "schedule": crontab(hour=8, minute=0),
    },
    # Daily at 08:05: warn companies whose knowledge-based certificate expires within 60 days.
    "company_certificates_expiry_warn": {
        "task": "companies.tasks.company_certificates_expiry_warn",
        "schedule": crontab(hour=8, minute=5),
    },
    # Daily at 08:10: warn brokerages whose licence ends in 30 or 7 days, tell those whose licence
    # expired (their offers and services leave the public pages until a new licence is approved).
    "brokers_licence_check": {
        "task": "brokers.tasks.brokers_licence_check",
        "schedule": crontab(hour=8, minute=10),
    },
    # Every hour: close open offers whose deadline has passed and tell their brokers.
    "offers_expire": {
        "task": "brokers.tasks.offers_expire",
        "schedule": crontab(minute=15),
    },
    # Daily at 09:00: remind reviewers of applications under review past the programme's period.
    "reviews_overdue_remind": {
        "task": "support.tasks.reviews_overdue_remind",
        "schedule": crontab(hour=9, minute=0),
    },
    # Hourly at :40: applications past the date promised to the applicant, not yet decided, go to
    # the programme managers (once per application; support.workflow.application_escalate).
    "applications_overdue_escalate": {
        "task": "support.tasks.applications_overdue_escalate",
        "schedule": crontab(minute=40),
    },
    # Saturdays at 08:30 (the start of the Iranian week): figures for programme managers.
    "managers_weekly_summary": {
        "task": "support.tasks.managers_weekly_summary",
        "schedule": crontab(hour=8, minute=30, day_of_week="sat"),
    },
    # Every 10 minutes: screen submitted applications and route inquiries whose message was lost.
    "applications_screen_sweep": {
        "task": "support.tasks.applications_screen_sweep",
        "schedule": timedelta(minutes=10),
    },
    "inquiries_route_sweep": {
        "task": "brokers.tasks.inquiries_route_sweep",
        "schedule": timedelta(minutes=10),
    },
    "inquiry_emails_sweep": {
        "task": "brokers.tasks.inquiry_emails_sweep",
        "schedule": timedelta(minutes=10),
    },
    # Hourly at :50: inquiries nobody answered for the working days set in the admin's inbox
    # settings go to the programme managers (once per inquiry; brokers.services.inquiry_escalate).
    "inquiries_escalate": {
        "task": "brokers.tasks.inquiries_escalate",
        "schedule": crontab(minute=50),
    },
    "product_thumbnails_sweep": {
        "task": "products.tasks.product_thumbnails_sweep",
        "schedule": timedelta(minutes=10),
    },
    "company_invitations_sweep": {
        "task": "companies.tasks.company_invitations_sweep",
        "schedule": timedelta(minutes=10),
    },
    "broker_invitations_sweep": {
        "task": "brokers.tasks.broker_invitations_sweep",
        "schedule": timedelta(minutes=10),
    },
    # Every 30 minutes: finish the fan-out of offers published in the last two days (safe to repeat).
    "offers_fanout_sweep": {
        "task": "brokers.tasks.offers_fanout_sweep",
        "schedule": timedelta(minutes=30),
    },
    # Nightly at 03:30 Tehran time: drop read notifications older than a year.
    "notifications_prune": {
        "task": "portal.tasks.notifications_prune",
        "schedule": crontab(hour=3, minute=30),
    },
}
# A notification e-mail still "sending" after this long is taken to be lost and re-sent.
NOTIFICATION_EMAIL_STALE_AFTER = timedelta(minutes=env_int("NOTIFICATION_EMAIL_STALE_MINUTES", 15))
NOTIFICATION_EMAIL_MAX_ATTEMPTS = env_int("NOTIFICATION_EMAIL_MAX_ATTEMPTS", 8)

# ---------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Browser sessions; HTTP Basic only in development, where it helps trying the API by hand.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Integrations: per-user tokens, stored hashed, revocable (portal/accounts/api_tokens.py).
        "portal.accounts.api_tokens.ApiTokenAuthentication",
        *(["rest_framework.authentication.BasicAuthentication"] if DEBUG else []),
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # JSON nested deeper than Python's recursion limit is a 400, not a server error.
    "DEFAULT_PARSER_CLASSES": [
        "portal.rest.plumbing.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.rest.plumbing.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.rest.plumbing.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min"},
    # The throttles' client address: the entry our own proxies added (TRUSTED_PROXY_COUNT below).
    "NUM_PROXIES": None,  # set below, with the other consumers of TRUSTED_PROXY_COUNT
}
# API tokens (django-rest-knox): only a hash is stored; the prefix lets secret scanners spot leaks.
KNOX_TOKEN_MODEL = "portal.ApiToken"  # noqa: S105 - a model name, not a secret
# knox's own migrations create its default token table even when the model is swapped (they do not
# mark it swappable), and a leftover table with a foreign key to users breaks flushes: skip them.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_PREFIX": "exp_",
    "TOKEN_TTL": None,  # each token's expiry is chosen when it is created (or none)
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
FILTERS_EMPTY_CHOICE_LABEL = _("Any")  # django-filter's "no choice" option in filter forms
SPECTACULAR_SETTINGS = {
    "TITLE": "Export Support Portal API",
    "DESCRIPTION": "Anti-COVID equipment export programme: catalog, brokers, offers, support.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Offers and products share one unit list: one enum in the schema.
    # A deal's stages name its status and its timeline's from/to: one enum, named apart from the others.
    "ENUM_NAME_OVERRIDES": {
        "UnitEnum": "products.models.Product.Unit",
        "DealStatusEnum": "deals.models.Status",
        "InquiryCloseReasonEnum": "brokers.models.BuyerInquiry.CloseReason",
        # Referrals and co-brokering invitations (offers, deals) are answered the same way.
        "InvitationStatusEnum": "deals.models.DealPartner.Status",
    },
    # Every operation documents the errors it can answer (400/401/403/404/429, one shape).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.rest.openapi.add_error_responses",
    ],
}

# ---------------------------------------------------------------------------
# Security: strict whenever DEBUG is off (`manage.py check --deploy` is clean then)
# ---------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies of ours stand in front of Django, each appending the address it saw to
# X-Forwarded-For. 0: the header is ignored (clients can write anything in it) and the client is
# REMOTE_ADDR. N: the client is the N-th entry from the right, the one our outermost proxy wrote;
# entries further left are the client's own claims and never trusted. One setting drives every
# consumer: portal.http.client.client_ip (log-in lockouts, inquiry limits, the security log), DRF's
# throttles (NUM_PROXIES) and django-axes (through AXES_CLIENT_IP_CALLABLE).
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT must be 0 or more")
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every page (django-csp 4.x format). Scripts only from the portal's own
# static files: no inline <script>, no onclick= (templates load portal/static/... files instead), so
# an injected tag or attribute never runs. Styles likewise: Bootstrap, Chart.js and Swagger UI set
# styles from JavaScript (element.style, which CSP allows), and no template has a style= attribute
# or a <style> block; Django's admin has one <style> block, on change lists without any action
# bar, which only widens a column and is refused harmlessly. Pictures also as data: URIs (Bootstrap
# draws its form arrows and toggler icon with them), and from the bucket when /media/ redirects there.
_MEDIA_ORIGINS = env_list(
    "DJANGO_CSP_MEDIA_ORIGINS",
    (
        [env_str("AWS_S3_ENDPOINT_URL") or "https://*.amazonaws.com"]
        if MEDIA_S3_BUCKET and MEDIA_S3_DELIVERY == "redirect"
        else []
    ),
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        **({"upgrade-insecure-requests": True} if not DEBUG else {}),
    }
}
SILENCED_SYSTEM_CHECKS = ["security.W021"] if not SECURE_HSTS_PRELOAD else []

# ---------------------------------------------------------------------------
# Logging: everything to stderr, as process managers expect
# ---------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# ---------------------------------------------------------------------------
# Change history (django-simple-history)
# ---------------------------------------------------------------------------
# History is read, never replayed: a revert would write past the services and the immutable
# records (decisions, reviews, payments). portal.history.AuditedAdmin also refuses its POST.
SIMPLE_HISTORY_REVERT_DISABLED = True
