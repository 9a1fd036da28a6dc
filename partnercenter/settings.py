"""Settings for the CSP portal.

Every value comes from the environment with a safe local default, so ``manage.py runserver`` works
on a fresh clone with SQLite and no broker. The variables are documented in README.md
("Configuration"). ``partnercenter.settings_production`` tightens these for a deployment.
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
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
    # Our apps, named for the domain.
    "core",
    "accounts",
    "partners",
    "customers",
    "delegation",
    "catalog",
    "subscriptions",
    "audit",
    "upgrades",
    "commerce",
    "portal",
    "api",
    "notifications",
    "direct",
    "opportunities",
    "bulk",
    "importer",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.language.UserLanguageMiddleware",  # a signed-in user's stored language wins over the browser's
    "accounts.actor.ActorMiddleware",
    "core.middleware.CorrelationIdMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.mfa_middleware.MfaRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.DomainErrorMiddleware",  # domain errors -> the page's 403/404/409/423 (not under /v1/)
]

ROOT_URLCONF = "partnercenter.urls"

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
                "django.template.context_processors.i18n",
                "portal.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "partnercenter.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait instead of failing with "database is locked": IMMEDIATE transactions take the
    # write lock at BEGIN (a DEFERRED one that reads and then writes can deadlock, and SQLite then fails at once
    # without waiting), a 20 s busy timeout, and WAL so readers do not block the writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )

# The largest legal request, a 10,000-item upgrade batch pretty-printed, is about 3 MiB (tests/api/
# test_bad_input.py measures it); a larger body is a 413 ServiceFault under /v1/.
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env_list(
    "DJANGO_PASSWORD_HASHERS",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher,django.contrib.auth.hashers.MD5PasswordHasher",
)

# The portal's own error page when a form arrives without a valid CSRF token.
CSRF_FAILURE_VIEW = "portal.error_views.csrf_failure"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# Each language named in itself (the switcher shows them so); Accept-Language zh-TW / zh-HK fall back to zh-hant
# and sv-SE / sv-FI to sv (Django's LANG_INFO). Catalogs: locale/<zh_Hant|sv>/LC_MESSAGES/django.po.
LANGUAGES = [("en", "English"), ("zh-hant", "繁體中文"), ("sv", "Svenska")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
# One date style on every page (partnercenter/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["partnercenter.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages come from npm (package.json, installed by scripts/setup.sh), served as our own static files.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django REST framework: the /v1/ API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.service_fault_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CSP portal API (Partner Center compatible)",
    "DESCRIPTION": "The /v1/ REST API: Partner Center resources plus bulk extensions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI / Redoc assets from the drf-spectacular-sidecar package (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_AUTHENTICATION": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Two choice sets of "billingCycle": the legacy one and new commerce's (which adds triennial).
    "ENUM_NAME_OVERRIDES": {
        "BillingCycleEnum": ["monthly", "annual"],
        "CommerceBillingCycleEnum": ["monthly", "annual", "triennial"],
    },
}

# Upgrades of a subscription with more assigned users than this run in a Celery task (upgrades.policies).
UPGRADE_BACKGROUND_ASSIGNED_USERS = int(os.environ.get("UPGRADE_BACKGROUND_ASSIGNED_USERS", "1000"))

# Celery: eager (in-process) unless a broker is configured.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", None)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL" not in os.environ)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Acknowledge after the task ran (a task of a worker that died is delivered again) and reserve one message per
# worker process at a time, so a dead worker holds back no other task than the one it was running.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis (and SQS) only: an unacknowledged message is delivered again this many seconds after it was handed out.
# Kombu's default is one hour. Keep it above the longest task (a 100-item chunk takes well under a minute; a
# chunk task running longer is safe but may run twice, its items being claimed one by one). A chunk lost with
# its worker comes back sooner through the bulk sweep below; this covers the other tasks.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300"))}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
# Delegated admin: GDAP request lapse, expiry / auto-extension, 30/7/1-day notices, terminations.
CELERY_BEAT_SCHEDULE["delegation-sweep"] = {"task": "delegation.tasks.delegation_sweep", "schedule": 900.0}
# Direct flow: decline credit checks past their two-business-day deadline; deprovision CSP E4s 120 days
# after suspension.
CELERY_BEAT_SCHEDULE["direct-credit-check-deadlines"] = {
    "task": "direct.process_credit_check_deadlines",
    "schedule": 900.0,
}
CELERY_BEAT_SCHEDULE["direct-deprovision-csp-e4"] = {"task": "direct.deprovision_suspended_csp_e4", "schedule": 3600.0}
# New commerce renewals (subscriptions.renewals): terms that ended yesterday or earlier renew (or expire) once.
CELERY_BEAT_SCHEDULE["subscriptions-renew-due"] = {"task": "subscriptions.renew_due", "schedule": 3600.0}
# Upgrade batches (bulk.processing): the worker running a chunk refreshes its heartbeat every
# BULK_HEARTBEAT_INTERVAL seconds; a chunk (or an item) whose heartbeat is older than BULK_STALE_AFTER seconds
# lost its worker: the sweep, every BULK_SWEEP_INTERVAL seconds, queues it again. Worst case from a worker's
# death to the chunk being queued again: BULK_STALE_AFTER + BULK_SWEEP_INTERVAL.
BULK_HEARTBEAT_INTERVAL = float(os.environ.get("BULK_HEARTBEAT_INTERVAL", "10"))
BULK_STALE_AFTER = float(os.environ.get("BULK_STALE_AFTER", "60"))
BULK_SWEEP_INTERVAL = float(os.environ.get("BULK_SWEEP_INTERVAL", "20"))
CELERY_BEAT_SCHEDULE["bulk-sweep-stale-chunks"] = {"task": "bulk.sweep_stale_chunks", "schedule": BULK_SWEEP_INTERVAL}

# django-axes: lock out after repeated failed sign-ins.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # a username × client IP pair, never a user everywhere
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_LOCKOUT_CALLABLE = "portal.error_views.lockout"  # the portal's lockout page (status 429)
# The client IP behind reverse proxies: with TRUSTED_PROXY_COUNT = N > 0 the N-th address from the right of
# X-Forwarded-For (the one the outermost trusted proxy saw), read with django-ipware; 0 = REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"

# Multi-factor sign-in (django-otp: TOTP + single-use recovery codes). Partner roles whose users must enrol
# (comma-separated role codes); MFA_REQUIRED_FOR_ALL covers every interactive user (partner, customer admin,
# operator); MFA_REQUIRED_FOR_OPERATORS covers superusers. Development default: nothing required.
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", "")
MFA_REQUIRED_FOR_ALL = env_bool("MFA_REQUIRED_FOR_ALL", False)
MFA_REQUIRED_FOR_OPERATORS = env_bool("MFA_REQUIRED_FOR_OPERATORS", False)
MFA_RECOVERY_CODE_COUNT = 10
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "CSP Partner Portal")

# Sessions end after this many seconds without a request (each request renews the cookie).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(14 * 24 * 3600)))
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_SAVE_EVERY_REQUEST = True

# /v1/schema/ and /v1/docs/: behind sign-in (a portal session or a Bearer token) unless API_SCHEMA_PUBLIC.
API_SCHEMA_PUBLIC = env_bool("API_SCHEMA_PUBLIC", True)


def schema_serve_permissions(public: bool) -> list[str]:
    return ["rest_framework.permissions.AllowAny" if public else "rest_framework.permissions.IsAuthenticated"]


SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = schema_serve_permissions(API_SCHEMA_PUBLIC)

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "portal@localhost")

# Business settings (domain.md §6).
DIRECT_INVOICE_MINIMUM_TOTAL = Decimal(os.environ.get("DIRECT_INVOICE_MINIMUM_TOTAL", "500.00"))
CREDIT_CHECK_THRESHOLD = Decimal(os.environ.get("CREDIT_CHECK_THRESHOLD", "5000.00"))
CREDIT_CHECK_BACKEND = os.environ.get("CREDIT_CHECK_BACKEND", "direct.credit.OperatorCreditCheck")
PAYMENTS_BACKEND = os.environ.get("PAYMENTS_BACKEND", "direct.payments.RecordingPaymentBackend")
API_PAGE_SIZE_MAX = int(os.environ.get("API_PAGE_SIZE_MAX", "500"))

# LOGGING: see "Operations (issue 15)" below (JSON or text lines, each with its correlation id).

# Queues (issue 15) ----------------------------------------------------------------------------------------------------
# Two queues, each consumed by its own worker (Procfile): "interactive" for what a user waits for (a single upgrade,
# a relationship's termination, a direct order, a grants resync) and "bulk" for the chunks of upgrade batches and the
# periodic sweeps, so a batch of thousands never delays one upgrade. A task without a route goes to
# CELERY_TASK_DEFAULT_QUEUE, which the interactive worker also consumes. The names are CELERY_QUEUE_PREFIX +
# "interactive" / "bulk"; the prefix defaults to "<CELERY_TASK_DEFAULT_QUEUE>-" when that is set in the environment
# (the CI's queue of its own per run isolates the runs' two queues too), else to "".
TASK_QUEUE_PREFIX = os.environ.get(
    "CELERY_QUEUE_PREFIX",
    f"{os.environ['CELERY_TASK_DEFAULT_QUEUE']}-" if os.environ.get("CELERY_TASK_DEFAULT_QUEUE") else "",
)
TASK_QUEUE_INTERACTIVE = f"{TASK_QUEUE_PREFIX}interactive"
TASK_QUEUE_BULK = f"{TASK_QUEUE_PREFIX}bulk"
INTERACTIVE_TASKS = (
    "upgrades.run_upgrade_operation",
    "direct.execute_order",
    "delegation.tasks.relationship_terminate",
    "delegation.tasks.grants_resync",
)
BULK_TASKS = (
    "bulk.process_upgrade_batch_chunk",
    "bulk.sweep_stale_chunks",
    "delegation.tasks.delegation_sweep",
    "direct.process_credit_check_deadlines",
    "direct.deprovision_suspended_csp_e4",
    "subscriptions.renew_due",
    "audit.retention_sweep",
    # webhook deliveries: a slow receiver (up to WEBHOOKS_TIMEOUT) never holds up an interactive upgrade
    "webhooks.deliver",
    "webhooks.sweep",
)
CELERY_TASK_ROUTES = {
    **{name: {"queue": TASK_QUEUE_INTERACTIVE} for name in INTERACTIVE_TASKS},
    **{name: {"queue": TASK_QUEUE_BULK} for name in BULK_TASKS},
}
# Time limits (seconds; enforced by the prefork pool): the soft one raises SoftTimeLimitExceeded in the task, the hard
# one kills its process. Every hard limit stays below the broker's visibility timeout (above), so a task still running
# is never handed to a second worker. A 100-item chunk or an upgrade of thousands of users takes well under a minute.
TASK_TIME_LIMITS = {
    "upgrades.run_upgrade_operation": (180, 240),
    "direct.execute_order": (60, 90),
    "delegation.tasks.relationship_terminate": (60, 90),
    "delegation.tasks.grants_resync": (180, 240),
    "bulk.process_upgrade_batch_chunk": (180, 240),
    "bulk.sweep_stale_chunks": (60, 90),
    "delegation.tasks.delegation_sweep": (180, 240),
    "direct.process_credit_check_deadlines": (60, 90),
    "direct.deprovision_suspended_csp_e4": (180, 240),
    "subscriptions.renew_due": (180, 240),
    "audit.retention_sweep": (180, 240),
    "webhooks.deliver": (30, 45),
    "webhooks.sweep": (60, 90),
}
CELERY_TASK_ANNOTATIONS = {
    name: {"soft_time_limit": soft, "time_limit": hard} for name, (soft, hard) in TASK_TIME_LIMITS.items()
}


# Operations (issue 15): health, metrics, logs
# /healthz, /readyz and /metrics (ops app); NOTES-ops15.md lists the metric names.
INSTALLED_APPS = [*INSTALLED_APPS, "ops"]
# Outermost: counts and times every request by view name and status (prometheus_client). With
# PROMETHEUS_MULTIPROC_DIR set in the environment (an empty directory shared by gunicorn and the Celery workers
# of the machine, emptied at each start) /metrics adds up every process's samples.
MIDDLEWARE = ["ops.middleware.RequestMetricsMiddleware", *MIDDLEWARE]
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
# /metrics answers a Bearer METRICS_TOKEN or a client address (accounts.client_ip, proxy-aware) inside one of
# these networks; anyone else gets a 404.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
# /readyz: seconds to wait for the broker's connection and for a worker's ping answer.
READYZ_BROKER_TIMEOUT = float(os.environ.get("READYZ_BROKER_TIMEOUT", "2"))
READYZ_WORKER_TIMEOUT = float(os.environ.get("READYZ_WORKER_TIMEOUT", "1"))
# Audit retention: records older than this many days are exported and deleted by `manage.py audit_export`
# (without --before / --older-than-days) and by the beat task below; None (unset) keeps them forever.
AUDIT_RETENTION_DAYS = int(os.environ["AUDIT_RETENTION_DAYS"]) if os.environ.get("AUDIT_RETENTION_DAYS") else None
# Where the beat task writes its exports (one file per run, audit-<cutoff>-<time>.jsonl).
AUDIT_EXPORT_DIR = os.environ.get("AUDIT_EXPORT_DIR", str(BASE_DIR / "audit-exports"))
if AUDIT_RETENTION_DAYS is not None:
    CELERY_BEAT_SCHEDULE["audit-retention"] = {"task": "audit.retention_sweep", "schedule": 86400.0}
# Logs: every line carries correlation_id (ops.logs.CorrelationIdFilter); LOG_FORMAT=json writes one JSON object
# a line (python-json-logger), "text" (the development default) readable lines. Celery workers keep this
# configuration instead of installing their own root handler.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False


def logging_config(log_format: str) -> dict:
    text = "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"
    json_fields = "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"correlation": {"()": "ops.logs.CorrelationIdFilter"}},
        "formatters": {
            "text": {"format": text},
            "json": {"()": "pythonjsonlogger.json.JsonFormatter", "format": json_fields},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["correlation"],
                "formatter": "json" if log_format == "json" else "text",
            }
        },
        "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
        # access lines (ops.requests) and task lines (ops.tasks)
        "loggers": {"ops": {"level": os.environ.get("OPS_LOG_LEVEL", "INFO")}},
    }


LOGGING = logging_config(LOG_FORMAT)


# Webhooks (issue 15): partners' registrations get signed POSTs of domain events (webhooks/, NOTES-webhooks15.md).
# WEBHOOKS_TIMEOUT: seconds per POST; WEBHOOKS_CLAIM_TIMEOUT: a delivery claimed longer ago lost its worker;
# WEBHOOKS_SWEEP_INTERVAL: how often the beat sweep sends due retries (and overdue deliveries of dead workers);
# WEBHOOKS_ALLOW_HTTP / WEBHOOKS_ALLOW_PRIVATE: accept http:// URLs / private, loopback and link-local
# addresses (development and tests: on; settings_production: off unless set).
WEBHOOKS_TIMEOUT = float(os.environ.get("WEBHOOKS_TIMEOUT", "5"))
WEBHOOKS_CLAIM_TIMEOUT = float(os.environ.get("WEBHOOKS_CLAIM_TIMEOUT", "120"))
WEBHOOKS_SWEEP_INTERVAL = float(os.environ.get("WEBHOOKS_SWEEP_INTERVAL", "30"))
# WEBHOOKS_REGISTRATION_CACHE_SECONDS: how long a process keeps the set of partners with a registration (an event
# of any other partner then costs no query); a new registration reaches the other processes within that time.
WEBHOOKS_REGISTRATION_CACHE_SECONDS = float(os.environ.get("WEBHOOKS_REGISTRATION_CACHE_SECONDS", "10"))
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", DEBUG)
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", DEBUG)
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {"task": "webhooks.sweep", "schedule": WEBHOOKS_SWEEP_INTERVAL}
