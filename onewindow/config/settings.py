"""One settings module for every environment; everything that differs comes from the environment.

Why one module: a second "production.py" drifts from the tested one. Unsafe development defaults
are refused by a system check when DEBUG is off (see onewindow.core.checks).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext

# Django's generic classes (ModelAdmin[Model], Field[...], lookups) subscriptable at run time, so the
# type parameters that strict mypy asks for are written in the code itself.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("ONEWINDOW_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEV_SECRET_KEY = "dev-insecure-onewindow-key-change-me"  # noqa: S105 - refused in production by a check
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = os.environ.get("DEBUG", "1") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-ninja's own static files (Swagger UI): /api/v1/docs renders with no CDN.
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    # django-csp: the Content-Security-Policy header on every response (policy below).
    "csp",
    # Before django_tasks_db: core's `db_worker` (reconnects after a database blip, keeps a
    # heartbeat) shadows the upstream command of the same name.
    "onewindow.core",
    "django_tasks_db",
    "onewindow.accounts",
    "onewindow.catalog",
    "onewindow.hall",
    "onewindow.cases",
    "onewindow.appointments",
    "onewindow.materials",
    "onewindow.filings",
    "onewindow.assistance",
    "onewindow.welfare",
    "onewindow.townships",
    "onewindow.ratings",
    "onewindow.portal",
    "onewindow.workbench",
    "onewindow.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses HTML pages (not the API: core.middleware.HtmlGZipMiddleware); after whitenoise, which answers static files itself with
    # the copies collectstatic compressed. Django adds random bytes to each gzip header (its BREACH
    # mitigation) and masks CSRF tokens per page.
    "onewindow.core.middleware.HtmlGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Pins a browser that wrote to the primary for a few seconds (core/dbrouter.py); does nothing
    # unless a replica is configured.
    "onewindow.core.dbrouter.ReplicaPinMiddleware",
    "onewindow.core.middleware.DefaultChineseLocaleMiddleware",
    "onewindow.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "onewindow.core.middleware.StripNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A `?county=<code>` link parameter chooses the visitor's county (accounts/visitor.py).
    "onewindow.accounts.visitor.VisitorCountyMiddleware",
    "onewindow.accounts.idle.StaffIdleTimeoutMiddleware",
    "onewindow.accounts.signin.StaffSignInMiddleware",
    "onewindow.core.uploads.UploaderMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "onewindow.core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "onewindow.config.urls"
WSGI_APPLICATION = "onewindow.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            # `|provisional_mark` after a due date on any page (core/templatetags/duedates.py).
            "builtins": ["onewindow.core.templatetags.duedates"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "onewindow.core.context_processors.site",
                # The county the visitor chose, for the header (accounts/visitor.py).
                "onewindow.accounts.visitor.county_context",
            ],
        },
    },
]

# SQLite by default (one-command start); PostgreSQL when DATABASE_URL is set.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'onewindow.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web process and the worker write without "database is locked";
    # IMMEDIATE transactions take the write lock up front so concurrent writers queue instead of
    # failing on lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The rollup tables' covering indexes (INCLUDE columns, for PostgreSQL's index-only scans at a
    # province's volume) are plain indexes on SQLite; saying so on every command is noise.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# Tests on SQLite use a file (not :memory:) so concurrency tests can open real extra connections;
# parallel developers / CI jobs on one PostgreSQL server need distinct test database names.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / os.environ.get("TEST_DB_NAME", f"test-{os.getpid()}.sqlite3"))}
elif os.environ.get("TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}

# A PostgreSQL streaming replica (docs/deployment.md): when DATABASE_REPLICA_URL is set, the views
# marked `@replica_read` (core/dbrouter.py) read from it, unless this browser wrote within
# REPLICA_PIN_SECONDS, the replica lags more than REPLICA_MAX_LAG_SECONDS, or it does not answer.
# Writes and every other read stay on the primary. Tests use the primary for both (MIRROR).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0"))
    )
    # A stopped replica must cost a request seconds, not a minute: connect fails fast, then the
    # view runs on the primary.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = int(os.environ.get("REPLICA_CONNECT_TIMEOUT", "2"))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["onewindow.core.dbrouter.ReplicaRouter"]
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "10"))
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "30"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "5"))
REPLICA_RETRY_SECONDS = float(os.environ.get("REPLICA_RETRY_SECONDS", "10"))

# Field-level encryption of ID and phone numbers (onewindow/core/fieldcrypto/): keys from the
# environment; the development keys below are refused by a system check when DEBUG is off.
from onewindow.core.fieldcrypto import DEV_FIELD_KEYS, DEV_INDEX_KEY  # noqa: E402

# The deployment's first county (区县, its 6-digit administrative division code): the county of an
# org tree created without one, and of every row that existed before counties (docs/tenancy.md).
ONEWINDOW_REGION_CODE = os.environ.get("REGION_CODE", "360803")
ONEWINDOW_FIELD_KEYS = os.environ.get("ONEWINDOW_FIELD_KEYS", DEV_FIELD_KEYS)
ONEWINDOW_FIELD_CIPHER = os.environ.get("ONEWINDOW_FIELD_CIPHER", "aes-gcm")
ONEWINDOW_INDEX_KEY = os.environ.get("ONEWINDOW_INDEX_KEY", DEV_INDEX_KEY)

# Audit log: kept at least this many days (等保 level 3 asks for 6 months; a system check refuses
# less); older entries are deleted only by the audit administrator's `manage.py purge_audit`.
ONEWINDOW_AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "365"))
ONEWINDOW_AUDIT_ADMIN_ROLE = os.environ.get("AUDIT_ADMIN_ROLE", "audit_admin")

# Uploads (core/uploads.py, core/scan.py): malware scanner (auto = ClamAV when installed) and the
# storage quota of each user in MB (0 = none).
ONEWINDOW_UPLOAD_SCANNER = os.environ.get("UPLOAD_SCANNER", "auto")
ONEWINDOW_UPLOAD_QUOTA_MB = int(os.environ.get("UPLOAD_QUOTA_MB", "500"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Only guarded backends (accounts.guard): every sign-in path goes through the one lockout.
AUTHENTICATION_BACKENDS = [
    "onewindow.accounts.backends.GuardedPasswordBackend",
    "onewindow.accounts.backends.PhoneCodeBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "onewindow.accounts.passwords.StaffPasswordValidator"},
]
# Staff password policy (accounts/passwords.py, 等保 level 3): length, character classes (of
# lower, upper, digit, symbol), no reuse of the last N, expiry in days (0: never).
ONEWINDOW_STAFF_PASSWORD_MIN_LENGTH = int(os.environ.get("STAFF_PASSWORD_MIN_LENGTH", "10"))
ONEWINDOW_STAFF_PASSWORD_CLASSES = int(os.environ.get("STAFF_PASSWORD_CLASSES", "3"))
ONEWINDOW_STAFF_PASSWORD_HISTORY = int(os.environ.get("STAFF_PASSWORD_HISTORY", "5"))
ONEWINDOW_STAFF_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("STAFF_PASSWORD_MAX_AGE_DAYS", "90"))
# Second factor for staff and administrators (accounts/mfa.py): TOTP, SMS as fallback. On unless
# the environment says STAFF_OTP_REQUIRED=0 (a system check warns when it is off in production).
ONEWINDOW_STAFF_OTP_REQUIRED = os.environ.get("STAFF_OTP_REQUIRED", "1") == "1"
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "一窗通办")
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Staff sessions end after this many minutes without a request (accounts/idle.py); 0 turns it off.
ONEWINDOW_STAFF_IDLE_MINUTES = int(os.environ.get("STAFF_IDLE_MINUTES", "15"))
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed (core/clientip.py);
# empty: the peer address is the client, and the header is ignored.
ONEWINDOW_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
# The login guard (accounts/guard.py): failures are counted per (account, address) pair, with a
# delay that doubles after the free tries, and, more loosely, per address.
ONEWINDOW_LOGIN_WINDOW_MINUTES = int(os.environ.get("LOGIN_WINDOW_MINUTES", "15"))
ONEWINDOW_LOGIN_FREE_TRIES = int(os.environ.get("LOGIN_FREE_TRIES", "5"))
ONEWINDOW_LOGIN_FIRST_DELAY_SECONDS = int(os.environ.get("LOGIN_FIRST_DELAY_SECONDS", "60"))
ONEWINDOW_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "30"))

LANGUAGE_CODE = "zh-hans"
# Language names are shown in their own language, so they are not translated.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start-up when it is missing
# Uploaded files live outside the web root and are served only through permission-checked views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
PRIVATE_STORAGE_ROOT = Path(os.environ.get("PRIVATE_STORAGE_ROOT", VAR_DIR / "private"))
# PRIVATE_STORAGE=filesystem (default: PRIVATE_STORAGE_ROOT, a local disk or a shared mount such as
# NFS when several web hosts run) or s3 (any S3-compatible object store through django-storages:
# MinIO, Ceph RGW, a cloud's OSS/COS; docs/deployment.md). Objects stay private: no public ACL,
# served only through the permission-checked views, which read them through this storage.
_PRIVATE_STORAGE: dict[str, object] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT), "base_url": None},
}
if os.environ.get("PRIVATE_STORAGE", "filesystem") == "s3":
    _PRIVATE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("S3_BUCKET", ""),
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", "private"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,
        },
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": _PRIVATE_STORAGE,
    "staticfiles": {
        "BACKEND": "onewindow.core.staticstorage.StaticStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# The scale-out option (docs/deployment.md): TASKS_BACKEND=django_tasks_rq.RQBackend puts tasks on
# an RQ queue in Redis (REDIS_URL), run by `manage.py rq_worker` on any number of hosts. The
# database worker stays the default.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": int(os.environ.get("RQ_TIMEOUT", "900"))}}

# Cache (CACHE_BACKEND): "locmem" (default, per process: nothing the platform shares lives in it),
# "database" (the `cache` table, `manage.py createcachetable`) or "redis" (REDIS_CACHE_URL, else
# REDIS_URL; Django's own RedisCache). Sessions (SESSION_BACKEND): "db" (default, in the database,
# so any web host reads any session) or "cached_db" (read through the cache, written to both).
# Locks and counters are rows in the database (ratelimit, select_for_update, conditional updates),
# so a web process keeps nothing another one needs.
_CACHE_BACKEND = os.environ.get("CACHE_BACKEND", "locmem")
if _CACHE_BACKEND == "redis":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("REDIS_CACHE_URL", REDIS_URL),
            "KEY_PREFIX": "onewindow",
        }
    }
elif _CACHE_BACKEND == "database":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "onewindow_cache"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# "db": Django's database store with its per-request read compiled once (core/sessions.py).
SESSION_ENGINE = {"db": "onewindow.core.sessions", "cached_db": "django.contrib.sessions.backends.cached_db"}[
    os.environ.get("SESSION_BACKEND", "db")
]
# Services that come back (docs/ops.md): a worker or the scheduler whose heartbeat is older than
# these answers 503 on /health/worker/ and /health/scheduler/; a task RUNNING for TASK_STUCK_MINUTES
# whose worker is silent is requeued by the sweep (failed after TASK_MAX_ATTEMPTS runs).
WORKER_HEARTBEAT_STALE_SECONDS = int(os.environ.get("WORKER_HEARTBEAT_STALE_SECONDS", "60"))
SCHEDULER_HEARTBEAT_STALE_SECONDS = int(os.environ.get("SCHEDULER_HEARTBEAT_STALE_SECONDS", "180"))
TASK_STUCK_MINUTES = int(os.environ.get("TASK_STUCK_MINUTES", "15"))
TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "3"))
# Private files no row refers to are deleted by the sweep once older than this (core/orphans.py).
ORPHAN_FILE_GRACE_HOURS = float(os.environ.get("ORPHAN_FILE_GRACE_HOURS", "24"))
# Retention of personal data (PIPL art. 19; core/retention.py, docs/security.md): after these many
# days the sweep anonymises closed queue tickets and past bookings (name, ID number, phone; the
# figures stay) and deletes drafts abandoned or untouched, with the files uploaded for them.
RETENTION_TICKET_DAYS = int(os.environ.get("RETENTION_TICKET_DAYS", "180"))
RETENTION_BOOKING_DAYS = int(os.environ.get("RETENTION_BOOKING_DAYS", "365"))
RETENTION_DRAFT_DAYS = int(os.environ.get("RETENTION_DRAFT_DAYS", "90"))
# Where `manage.py backup` writes its archives unless --dest is given.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))

# Notification delivery backends (pluggable; the default writes to the outbox table and the log).
ONEWINDOW_SMS_BACKEND = os.environ.get("SMS_BACKEND", "onewindow.core.notify.LogBackend")
ONEWINDOW_EMAIL_BACKEND = os.environ.get("EMAIL_NOTIFY_BACKEND", "onewindow.core.notify.LogBackend")
# The API's bearer tokens: the function that returns the user of a token, or None (core/apikit.py).
ONEWINDOW_API_BEARER_USER = "onewindow.accounts.services.api_token_user"
ONEWINDOW_PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
ONEWINDOW_SITE_NAME = os.environ.get("SITE_NAME", "青原区政务服务网")
# 实名认证 (accounts/realname.py): the offline local backend checks numbers only and marks nobody
# verified; point this at the province identity service's adapter in production (a check warns).
ONEWINDOW_REALNAME_BACKEND = os.environ.get("REALNAME_BACKEND", "onewindow.accounts.realname.LocalBackend")
# Self-service registrations per client address per hour (accounts.services.registration_throttle).
ONEWINDOW_REGISTER_PER_HOUR = int(os.environ.get("REGISTER_PER_HOUR", "10"))
# The version of the privacy notice (/accounts/privacy/) that registration asks consent to; raise it
# when the notice's text changes in substance (accounts/consent.py records it with each consent).
PRIVACY_NOTICE_VERSION = os.environ.get("PRIVACY_NOTICE_VERSION", "2026-12")
# 低保 审核确认 (onewindow/welfare/process/conf.py): the 公示's length and unit (the 2021 rules: 7
# calendar days) and the household economic cross-check backend (a local one by default).
ONEWINDOW_WELFARE_NOTICE_DAYS = int(os.environ.get("WELFARE_NOTICE_DAYS", "7"))
ONEWINDOW_WELFARE_NOTICE_UNIT = os.environ.get("WELFARE_NOTICE_UNIT", "calendar")
ONEWINDOW_WELFARE_CROSSCHECK_BACKEND = os.environ.get(
    "WELFARE_CROSSCHECK_BACKEND", "onewindow.welfare.process.crosscheck.LocalBackend"
)

# The largest request body (bytes) accepted for a file upload: several materials of at most 10 MB
# each (core/uploads.py). Anything larger is refused from its Content-Length before it is read.
ONEWINDOW_MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_MB", "60")) * 1024 * 1024

# Content-Security-Policy (django-csp): scripts and styles only from our own static files; no
# inline script, no inline event handler, no javascript: address, no eval (htmx is configured
# without it: core/templates/core/_htmx_config.html), no inline style. Images also from data: and
# blob: (the signature pad's preview, ECharts' export). `core/tests/test_csp.py` fails on a
# template with an inline script or handler; the browser walks fail on a reported violation.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}


def _flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0") == "1"


# Transport (docs/deploy.md, deploy/production.env.example). With DEBUG=0 every switch defaults to
# the safe side, so a forgotten variable cannot weaken production; each can still be set.
# `manage.py check --deploy` is clean under the documented production environment
# (core/tests/test_deploy_settings.py runs it).
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 86400)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = _flag("SECURE_HSTS_PRELOAD", not DEBUG)
# Behind a reverse proxy that ends TLS (nginx, HAProxy) Django sees plain HTTP: name the header the
# proxy sets, e.g. SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO (value "https"). Only when the
# proxy always sets or overwrites that header: a client could otherwise claim HTTPS itself.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER"], "https")
# Paths (regular expressions) a health probe may read over plain HTTP on the loopback.
SECURE_REDIRECT_EXEMPT = [r for r in os.environ.get("SECURE_REDIRECT_EXEMPT", "").split(",") if r]
SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = _flag("CSRF_COOKIE_SECURE", SESSION_COOKIE_SECURE)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_ids": {"()": "onewindow.core.identity.MaskIdentityFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_ids"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# 好差评 district settings (defaults in onewindow/ratings/conf.py): rating period, follow-up
# clocks in working days (回访核实 1, 整改反馈 15), flood limits.
ONEWINDOW_RATINGS: dict[str, int] = {}
