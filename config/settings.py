"""Settings, read from the environment (see .env.example).

With nothing set the portal runs on SQLite and runs tasks in-process, so a
newcomer needs only Python and make. DATABASE_URL switches to PostgreSQL and
REDIS_URL to Redis (Celery broker and cache). DJANGO_DEBUG=0 is production:
it refuses to start without a real SECRET_KEY and ALLOWED_HOSTS.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from .env import env_bool, env_int, env_list, env_required, env_str, next_redis_db

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)
# Django's own (English) debug pages for a 404 under DEBUG; else the portal's page.
DEBUG_PAGES = env_bool("DJANGO_DEBUG_PAGES", False)
DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY") or DEV_SECRET_KEY
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
else:
    SECRET_KEY = env_required("SECRET_KEY")
    if (
        SECRET_KEY == DEV_SECRET_KEY
        or SECRET_KEY.startswith("change-me")  # .env.example's placeholder
        or len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
    ):
        raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name the hosts the portal is served on.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "bootstrap",
    "core",
    "centers",
    "alliance",
    "credits",
    "funding",
    "training",
    "studios",
    "evaluation",
    "dashboards",
]

MIDDLEWARE = [
    # Counts and times every request by view (docs/deploy.md, "Monitoring").
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(); then the portal sends a signed-in user who
    # owes a second factor to its verification or enrolment page.
    "django_otp.middleware.OTPMiddleware",
    "core.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages (it says why the session ended), before the audit context.
    "core.middleware.SessionTimeoutMiddleware",
    "core.middleware.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    "core.middleware.FriendlyNotFoundMiddleware",
]

# Everything comes from the portal itself (Bootstrap is served locally); no
# inline script or style, no plugins, no framing. Bootstrap's icons are data: URIs.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()"
)

# core.ratelimit: "count/period" per address and, signed in, per user. The log-in
# and token limits slow password guessing across addresses (the lock-out is per
# address); the verify page is public; the API counts each user or address.
# Two-factor sign-in (TOTP, recovery codes), 等保 level 3 8.1.4.1 (docs/security.md).
# Members of these roles must enrol and verify a second factor after their password;
# anyone else who has enrolled (a teacher, optionally) must verify it too. Enforced in
# production; off by default under DJANGO_DEBUG so the demo accounts of `make run` and
# the tests sign in with their password (`check --deploy` warns when it is off).
TWO_FACTOR_ENFORCED = env_bool("TWO_FACTOR_ENFORCED", not DEBUG)
TWO_FACTOR_REQUIRED_ROLES = env_list(
    "TWO_FACTOR_REQUIRED_ROLES", ["bureau", "secretariat", "center_staff", "district_staff"]
)
TWO_FACTOR_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = "广州教师发展中心联盟"

RATE_LIMITS = {
    "login": env_str("RATE_LIMIT_LOGIN") or "20/min",
    "token": env_str("RATE_LIMIT_TOKEN") or "20/min",
    "verify": env_str("RATE_LIMIT_VERIFY") or "30/min",
    "api_user": env_str("RATE_LIMIT_API_USER") or "1200/min",
    "api_anon": env_str("RATE_LIMIT_API_ANON") or "120/min",
}

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
                "core.context_processors.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")


def _database(url: str) -> dict:
    database = dj_database_url.parse(url, conn_max_age=60)
    if database["ENGINE"].endswith("postgresql"):
        # No JIT: the portal's queries are short, and PostgreSQL's cost model
        # JIT-compiled the city completion (correlated look-ups per teacher)
        # for 2.4 s of its 4.1 s (docs/benchmarks.md, "Floors and ratios").
        database.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    return database


if DATABASE_URL:
    DATABASES = {"default": _database(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
if env_str("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
# A read replica (streaming replication of the primary) for the dashboards and the
# exports; reads that must see their own writes stay on the primary (core/replica.py,
# docs/deploy.md "Scale-out"). Tests use it as a mirror of the test database.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _database(DATABASE_REPLICA_URL)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker, tasks -----------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# The cache lives in another Redis database than the broker's queues, so clearing
# the cache (FLUSHDB) never drops a queued task.
REDIS_CACHE_URL = env_str("REDIS_CACHE_URL") or (REDIS_URL and next_redis_db(REDIS_URL))
if REDIS_CACHE_URL and env_str("PYTEST_XDIST_WORKER"):
    # Parallel test workers (gw0, gw1, …) each clear the cache between tests: give
    # each its own Redis database so one never empties the other's mid-test.
    REDIS_CACHE_URL = next_redis_db(REDIS_CACHE_URL, int(env_str("PYTEST_XDIST_WORKER")[2:]))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
# A queue per workload, each with its own workers (docker-compose.yml, docs/deploy.md
# "Scale-out"): a long city-wide export never holds up the evaluations' scores or the
# reminders. A worker started without -Q (`make worker`, development) takes them all.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [
    Queue(name) for name in ("default", "exports", "evaluations", "notifications")
]
CELERY_TASK_ROUTES = {
    "core.tasks.run_export_job": {"queue": "exports"},
    "credits.tasks.remind_at_risk_teachers": {"queue": "notifications"},
    "evaluation.tasks.remind_and_close_surveys": {"queue": "notifications"},
    "evaluation.tasks.*": {"queue": "evaluations"},
}
CELERY_BEAT_SCHEDULE = {
    # Key figures of the month for the dashboards' trends (closed months never change).
    "dashboards-monthly-snapshot": {
        "task": "dashboards.tasks.take_monthly_snapshot",
        "schedule": timedelta(hours=6),
    },
    "delete-expired-exports": {
        "task": "core.tasks.delete_expired_exports",
        "schedule": timedelta(hours=1),
    },
    "sweep-stalled-exports": {
        "task": "core.tasks.sweep_stalled_exports",
        "schedule": timedelta(minutes=5),
    },
    "remind-and-close-surveys": {
        "task": "evaluation.tasks.remind_and_close_surveys",
        "schedule": timedelta(hours=1),
    },
    "purge-old-audit-entries": {
        "task": "core.tasks.purge_old_audit_entries",
        "schedule": timedelta(days=1),
    },
    "credits-remind-at-risk": {
        "task": "credits.tasks.remind_at_risk_teachers",
        "schedule": timedelta(days=1),  # one reminder per person per month
    },
    # At risk depends on the date: the dashboards' standings of the new day
    # (a reader finding yesterday's computes from the balances meanwhile).
    "credits-refresh-standings": {
        "task": "credits.tasks.refresh_completion_standings",
        "schedule": crontab(hour=0, minute=5),
    },
    "credits-purge-sync-requests": {
        "task": "credits.tasks.purge_sync_requests",
        "schedule": timedelta(days=1),
    },
    "funding-purge-figure-batches": {
        "task": "funding.tasks.purge_figure_batches",
        "schedule": timedelta(days=1),
    },
    # The chair rotation: secretariat rights follow the chair on the term's
    # first day (also done on the first sign-in or alliance page of the day).
    "alliance-sync-secretariat": {
        "task": "alliance.tasks.sync_secretariat",
        "schedule": timedelta(hours=1),
    },
}

# --- Accounts, log-in, sessions ------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.backends.RoleBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.validators.CharacterClassValidator"},
]
# Sessions end after 30 minutes idle and 12 hours in all (core.middleware).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
# Django's database sessions, read by a statement compiled once (core/sessions.py).
SESSION_ENGINE = "core.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Five failed log-ins lock the account for 30 minutes (pages and API alike).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
# Lock a username *from one address* (django-axes' combination): a stranger
# elsewhere cannot lock a teacher, a clerk or a district system out by typing
# wrong passwords, and a school's shared NAT address is not locked for all its
# teachers either. The address is the one the audit log records
# (REMOTE_ADDR, or X-Forwarded-For behind a trusted proxy), so a client cannot
# pick a new one per attempt.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.audit.client_ip"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The page shows the template, the API its one error body (core.views.locked_out).
AXES_LOCKOUT_CALLABLE = "core.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ACCESS_FAILURE_LOG = False
GUARDIAN_ANONYMOUS_USER_NAME = None
ANONYMOUS_USER_NAME = None

# --- Internationalisation ---------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Dates read 2026-12-09 and times 2026-12-09 09:00 (local) in every language.
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static and uploaded files ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
# Behind nginx: private files leave through X-Accel-Redirect to this internal location
# (core/files.py, docs/deploy.md "Private files"); unset, Django streams them itself.
PRIVATE_FILES_ACCEL_PREFIX = env_str("PRIVATE_FILES_ACCEL_PREFIX", "")
# Where `manage.py backup` writes its dated folders (docs/deploy.md, "Backups").
BACKUP_ROOT = Path(env_str("BACKUP_ROOT") or BASE_DIR / "backups")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded and exported files on S3-compatible object storage (MinIO in docker-compose.yml,
# or a cloud's), shared by every web and worker host instead of the `media` volume
# (docs/deploy.md "Scale-out"). Needs django-storages[s3] (boto3); private, each download
# still passes the view's permission check (core/files.py; PRIVATE_FILES_ACCEL_PREFIX unset).
S3_BUCKET = env_str("S3_BUCKET", "")
if S3_BUCKET:
    try:
        import storages.backends.s3  # noqa: F401
    except ImportError as exc:
        raise ImproperlyConfigured(
            "S3_BUCKET is set but django-storages[s3] (with boto3) is not installed."
        ) from exc
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "region_name": env_str("S3_REGION") or None,
            "addressing_style": "path",  # MinIO and most S3 doubles: bucket in the path
            "default_acl": None,  # the bucket's own policy: private
            "querystring_auth": True,
            "file_overwrite": False,  # a second file of the same name gets a new name
        },
    }
# Development and tests serve static files straight from the apps (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- REST API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        # ``?ordering=``, and ``?updated_since=`` read in the order of its changes.
        "core.api.filters.FeedOrderingFilter",
    ],
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    # core.ratelimit's windows (RATE_LIMITS below): 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttles.PortalThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "广州市教师发展中心联盟门户 API",
    "DESCRIPTION": "REST API of the Guangzhou teacher-development center federation portal.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two apps name a field "source": the credit ledger's and a budget line's.
    # (the values, not the choices: the schema's enums carry no labels).
    "ENUM_NAME_OVERRIDES": {
        "CreditSourceEnum": "credits.models.SOURCE_VALUES",
        "FundingSourceEnum": "funding.models.FUNDING_SOURCE_VALUES",
    },
}
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 365)

# --- Exports and audit --------------------------------------------------------------
EXPORT_FILE_TTL_HOURS = env_int("EXPORT_FILE_TTL_HOURS", 48)
# A running export that reported no progress for this long lost its worker: the
# sweep queues it again (core.exports.sweep_stalled). It reports every 500 rows.
EXPORT_STALL_MINUTES = env_int("EXPORT_STALL_MINUTES", 10)
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)
if AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be at least 180.")

# --- Security (production) ------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # The container health check asks over plain HTTP from inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^metrics$"]
# Behind a reverse proxy that sets X-Forwarded-For, audit the client's address.
AUDIT_TRUST_X_FORWARDED_FOR = env_bool("AUDIT_TRUST_X_FORWARDED_FOR", False)

# --- Monitoring and logs (core/observability.py) -------------------------------------
# /metrics answers only to `Authorization: Bearer <METRICS_TOKEN>`; unset, it is a 404.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# Logs go to standard output, one JSON object a line in production (plain in
# development), each with its request id and never an ID number.
LOG_FORMAT = env_str("LOG_FORMAT") or ("text" if DEBUG else "json")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.observability.RequestIdFilter"}},
    "formatters": {
        "text": {
            "()": "core.observability.ScrubbingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "core.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # One line per request (what gunicorn's access log said, scrubbed); runserver
        # prints its own in development.
        "portal.request": {"level": "WARNING" if DEBUG else "INFO"},
    },
}

# The ledger the restore drill compares (core names no app: the project does).
BACKUP_LEDGER_MODEL = "credits.CreditEntry"

# ID numbers at rest (centers/fields.py, docs/security.md): Fernet keys, the first
# encrypts and all decrypt (rotation); and the key of the lookup hash. Without them
# (development, tests) both derive from SECRET_KEY.
ID_NUMBER_KEYS = env_list("ID_NUMBER_KEYS")
ID_NUMBER_HASH_KEY = env_str("ID_NUMBER_HASH_KEY") or ""
