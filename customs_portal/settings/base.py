"""All settings, read from the environment (see .env.example).

local.py, test.py and production.py only change defaults; production has no default
secrets.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "customs_portal",
    "declarations.tariff",
    "declarations",
    "inspection",
    "xray",
    "payments",
]
# The built-in sandbox payment gateway (its own tables, hosted payment page and webhooks)
# takes payments with no money moved, so it is installed only where this allows it: on
# in local and test settings, refused by production settings.
PAYMENTS_SANDBOX_ENABLED = env.bool("PAYMENTS_SANDBOX_ENABLED", default=False)
if PAYMENTS_SANDBOX_ENABLED:
    INSTALLED_APPS.append("payments.sandbox")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response, static files too.
    "customs_portal.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "customs_portal.middleware.PortalLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Empty 405 answers of pages (require_POST...) become the portal's 405 page.
    "customs_portal.middleware.MethodNotAllowedPageMiddleware",
    # Under DEBUG (`make run`), only staff see Django's 404 page that lists the URL patterns.
    "customs_portal.middleware.DebugNotFoundMiddleware",
    # Axes must come last: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "customs_portal.urls"
WSGI_APPLICATION = "customs_portal.wsgi.application"
ASGI_APPLICATION = "customs_portal.asgi.application"

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
                "customs_portal.context_processors.portal",
            ],
            "builtins": ["customs_portal.templatetags.portal_format"],
        },
    },
]

# Database: a SQLite file under var/ unless DATABASE_URL names a server.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(exist_ok=True)
    # SQLite serves web, worker and beat at once. In WAL mode readers never block the
    # writer nor the writer the readers; a second writer waits up to 20 s for the lock
    # (busy timeout) instead of failing at once with "database is locked". Every new
    # connection of every process runs the init commands.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA busy_timeout=20000;PRAGMA synchronous=NORMAL",
        }
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when CACHE_URL is given, otherwise per-process memory.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "customs_portal.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username/IP before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Then the per-address limit (LOGIN_ADDRESS_FAILURE_LIMIT), over every username.
    "customs_portal.login_throttle.AddressLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "public-home"

# Login throttling: five wrong passwords for one username from one address lock that
# pair out for 15 minutes; the lock-out is recorded and visible in the admin.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# Twenty failed logins from one address within those 15 minutes, whatever usernames they
# named, lock the whole address out (customs_portal.login_throttle).
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# How many reverse proxies stand in front of the web servers (X-Forwarded-For hops).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT

# Sessions: an officer's workstation left alone logs out after 30 minutes idle.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Messages can carry a new API token or webhook secret: keep them server-side.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_FAILURE_VIEW = "customs_portal.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Pages run only the scripts and styles vendored in static/: no inline script or style,
# no CDN, no plugin, no framing, forms post only to the portal.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
# No page uses the camera, microphone, location, payment or device APIs.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "accelerometer",
        "gyroscope",
        "magnetometer",
    ]
)

# HTTPS hardening; production.py turns these on.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Internationalisation: Japanese by default, English by the switch in the header.
LANGUAGE_CODE = "ja"
# Officers' and traders' pages are in Japanese and English; the travellers' phone pages
# and the gate kiosk are also in Chinese (simplified) and Korean
# (customs_portal.middleware.PortalLanguageMiddleware keeps those two to them).
PORTAL_LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LANGUAGES = [*PORTAL_LANGUAGES, ("zh-hans", _("Chinese (simplified)")), ("ko", _("Korean"))]
TRAVELLER_PATH_PREFIXES = ("/travel/", "/kiosk/", "/api/v1/traveller-declarations/", "/api/v1/kiosk/")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="customs-portal@localhost")

# Celery. Without CELERY_BROKER_URL a file-system broker under var/ is used, so
# `make run` needs no server; production and tests use Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://localhost/")
CELERY_VISIBILITY_TIMEOUT = 2100
_broker_dir = VAR_DIR / "celery" / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {
        # Redis hands an unacknowledged task to another worker after this long: just
        # above the longest hard time limit of any task (risk model training, 2,000 s),
        # so a running task is never given out twice and a dead worker's task waits no
        # longer than needed (tests/customs_portal/test_celery_settings.py checks it).
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        # A broker that is down must fail a publish within seconds (the outbox keeps the
        # task), not hold a web request for the default retries.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 1,
    }
)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "results").mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = env(
    "CELERY_RESULT_BACKEND",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else f"file://{VAR_DIR / 'celery' / 'results'}",
)
CELERY_RESULT_EXPIRES = timedelta(days=1)
# The Redis result backend retries a lost connection 20 times a second apart by default;
# a caller waiting on a result should fail within seconds instead.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only after it ran, so a worker killed mid-task hands it to
# another; every task is therefore written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Scoring and image inference run on their own queue, so a long training or batch
# rescoring never delays notifications and payments.
CELERY_TASK_ROUTES = {
    # Payments and the sandbox gateway stay on the default queue, away from ML work.
    "payments.*": {"queue": "celery"},
    "declarations.tasks.declaration_screen": {"queue": "ml"},
    "declarations.manifest_tasks.manifest_screen": {"queue": "ml"},
    "declarations.manifest_tasks.manifest_screen_chunk": {"queue": "ml"},
    "inspection.tasks.risk_model_retrain": {"queue": "ml"},
    "inspection.tasks.risk_rescore_open": {"queue": "ml"},
    # X-ray images are read by a worker of their own (torch, batched): a queue of scans
    # never waits behind risk scoring, nor risk scoring behind it.
    "xray.tasks.*": {"queue": "xray"},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # Payment intents left unpaid past their expiry become expired (the gateway is asked first).
    "payments-expire-intents": {"task": "payments.tasks.payments_expire_stale", "schedule": 300.0},
    # Payments left pending by a gateway timeout: ask the gateway for the final status.
    "payments-poll-pending": {"task": "payments.tasks.payments_poll_pending", "schedule": 120.0},
    # Once a day: import the gateway's settlement file of the day before and reconcile it.
    "payments-settlement-import": {"task": "payments.tasks.settlement_import_daily", "schedule": 86400.0},
    # Daily; the first run of a month turns last month's deferred taxes into one assessment per company.
    "payments-deferred-consolidate": {
        "task": "payments.tasks.deferred_consolidate_previous_month",
        "schedule": 86400.0,
    },
    # Manifests whose worker died mid-import (lease expired) or whose task never started.
    "manifest-resume-stalled": {"task": "declarations.manifest_tasks.manifest_resume_stalled", "schedule": 60.0},
    # Manifest screening chunks whose task was lost (a broker down when the import committed).
    "manifest-screening-requeue": {"task": "declarations.manifest_tasks.manifest_screening_requeue", "schedule": 300.0},
    # Outbox rows whose send after commit failed (a broker that was down): sent with backoff.
    "outbox-relay": {"task": "customs_portal.tasks.outbox_relay", "schedule": 30.0},
    # Outbox rows sent more than a week ago are deleted once a day.
    "outbox-purge-sent": {"task": "customs_portal.tasks.outbox_purge_sent", "schedule": 86400.0},
    # Declarations stuck between the two apps: awaiting payment with no assessment, or
    # with a paid or deferred assessment but not permitted.
    "payments-handoffs-repair": {"task": "payments.tasks.handoffs_repair", "schedule": 300.0},
    # X-ray images whose task was lost (a broker down at upload, no model served yet) or
    # whose worker died while reading them (lease expired): queued again.
    "xray-screening-requeue": {"task": "xray.tasks.xray_screening_requeue", "schedule": 60.0},
    # Webhook deliveries whose worker died mid-request would otherwise stay "sending".
    "webhook-requeue-stuck": {"task": "customs_portal.tasks.webhook_requeue_stuck", "schedule": 300.0},
    # Hourly: travellers' personal data past TRAVELLER_RETENTION_DAYS after arrival is erased.
    "traveller-personal-data-purge": {
        "task": "declarations.traveller_tasks.traveller_personal_data_purge",
        "schedule": 3600.0,
    },
    # The risk model learns the past week's inspection results every Sunday night; the
    # new version is served only if it is not worse than the active one.
    "risk-model-retrain": {
        "task": "inspection.tasks.risk_model_retrain",
        "schedule": crontab(hour=2, minute=0, day_of_week=0),
    },
}

# A worker writes a heartbeat this often; /healthz calls a worker dead when its
# heartbeat is older than WORKER_HEARTBEAT_STALE_SECONDS.
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=5)
WORKER_HEARTBEAT_STALE_SECONDS = env.int("WORKER_HEARTBEAT_STALE_SECONDS", default=30)

# Bulk parcel manifests (declarations.manifests): the largest CSV accepted, in bytes.
MANIFEST_MAX_UPLOAD_BYTES = env.int("MANIFEST_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)
# Parcels screened in one task run (one feature build, one predict, one transaction):
# large enough that the per-run costs vanish, small enough that two worker processes
# share a manifest evenly and a run's memory stays small.
MANIFEST_SCREEN_CHUNK = env.int("MANIFEST_SCREEN_CHUNK", default=5_000)
# The lease of a run processing a manifest: it renews it at least every few seconds, and
# another run takes the manifest over when it has not been renewed for this long.
MANIFEST_LEASE_SECONDS = env.int("MANIFEST_LEASE_SECONDS", default=60)

# X-ray screening of postal parcels (xray). Images larger than these are refused: the
# bytes of one file, the pixels of one decoded picture (a decompression bomb is a small
# file of very many pixels) and the pixels of one side.
XRAY_IMAGE_MAX_BYTES = env.int("XRAY_IMAGE_MAX_BYTES", default=20 * 1024 * 1024)
XRAY_IMAGE_MAX_PIXELS = env.int("XRAY_IMAGE_MAX_PIXELS", default=8_000 * 8_000)
XRAY_IMAGE_MAX_SIDE = env.int("XRAY_IMAGE_MAX_SIDE", default=8_000)
# Images read in one predict call: a task picks up other queued images to fill a batch.
XRAY_SCREEN_BATCH = env.int("XRAY_SCREEN_BATCH", default=16)
# Tries of an image that cannot be decoded before it is marked failed.
XRAY_SCREEN_MAX_ATTEMPTS = env.int("XRAY_SCREEN_MAX_ATTEMPTS", default=3)
# An image being read for longer than this is taken to belong to a dead worker; one
# queued for longer is sent to the queue again (its task was lost or waited for a model).
XRAY_SCREEN_LEASE_SECONDS = env.int("XRAY_SCREEN_LEASE_SECONDS", default=300)
XRAY_REQUEUE_AFTER_SECONDS = env.int("XRAY_REQUEUE_AFTER_SECONDS", default=120)

# Outgoing webhooks to traders' systems.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
# Retries wait BASE, 2*BASE, 4*BASE ... seconds, capped at one hour.
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=10)
# Production refuses webhook URLs that are not https or that point into private
# networks (a trader must not make the portal call its internal services).
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=False)

# Payments. The processor new payments go to, a name of payments.providers.PROVIDERS;
# empty: none, and creating a payment answers 503 "no payment provider is configured".
PAYMENTS_GATEWAY_PROVIDER = env("PAYMENTS_GATEWAY_PROVIDER", default="sandbox" if PAYMENTS_SANDBOX_ENABLED else "")
# The portal verifies the gateway's webhooks with this shared secret and
# refuses notifications whose timestamp is further than the tolerance from now.
PAYMENTS_GATEWAY_WEBHOOK_SECRET = env("PAYMENTS_GATEWAY_WEBHOOK_SECRET", default="sandbox-webhook-secret")
PAYMENTS_WEBHOOK_TOLERANCE_SECONDS = env.int("PAYMENTS_WEBHOOK_TOLERANCE_SECONDS", default=300)
# An unpaid payment intent expires after this long.
PAYMENTS_INTENT_TTL_MINUTES = env.int("PAYMENTS_INTENT_TTL_MINUTES", default=30)
# A pending payment older than this is polled at the gateway by the beat task.
PAYMENTS_POLL_AFTER_SECONDS = env.int("PAYMENTS_POLL_AFTER_SECONDS", default=60)
# Refunds above this amount need a second officer (a supervisor) to approve them.
PAYMENTS_REFUND_APPROVAL_THRESHOLD_JPY = env.int("PAYMENTS_REFUND_APPROVAL_THRESHOLD_JPY", default=100_000)
# Days a trader has to pay an assessment.
PAYMENTS_DUE_DAYS = env.int("PAYMENTS_DUE_DAYS", default=10)
# The sandbox gateway posts its webhooks here; empty: straight into this process's
# webhook view (development and tests, where no web server may be listening).
SANDBOX_GATEWAY_WEBHOOK_URL = env("SANDBOX_GATEWAY_WEBHOOK_URL", default="")
# A card charge that "timed out" in the sandbox settles when queried after this long.
SANDBOX_GATEWAY_TIMEOUT_SETTLE_SECONDS = env.int("SANDBOX_GATEWAY_TIMEOUT_SETTLE_SECONDS", default=60)
# When true the sandbox sends every webhook twice, the copy after a random delay
# (duplicates and out-of-order delivery, as real processors do).
SANDBOX_GATEWAY_DELIVERY_CHAOS = env.bool("SANDBOX_GATEWAY_DELIVERY_CHAOS", default=False)

REST_FRAMEWORK = {
    # Token first, so that a request without credentials is told 401 with a
    # WWW-Authenticate header rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's three, with a JSON parser that refuses too deeply nested JSON as a 400.
    "DEFAULT_PARSER_CLASSES": [
        "customs_portal.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "customs_portal.api.pagination.StandardPagination",
    # Tags each operation with its area (declarations, tariff, payments...).
    "DEFAULT_SCHEMA_CLASS": "customs_portal.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "customs_portal.api.errors.api_exception_handler",
    # Counted in the default cache, per address for anonymous callers. The travellers'
    # estimate is open to anyone (the kiosk, the public site).
    # A kiosk's limit is per kiosk, well above one traveller every few seconds.
    "DEFAULT_THROTTLE_RATES": {
        "token-login": "10/minute",
        "traveller-estimate": "60/minute",
        "traveller-declaration": "20/minute",
        "kiosk": "600/minute",
        # Per scanner or officer: a scanner sends a parcel and its images every few seconds.
        "xray-scanner": "600/minute",
    },
    "DEFAULT_VERSIONING_CLASS": None,
}
# The OpenAPI schema (/api/schema/) and its docs page (/api/docs/) need a signed-in user
# (a session or an API token); local development and the tests keep them open.
API_DOCS_REQUIRE_LOGIN = env.bool("API_DOCS_REQUIRE_LOGIN", default=True)
SPECTACULAR_SETTINGS = {
    "TITLE": "Customs portal API",
    "DESCRIPTION": "Declarations, payments and notifications for traders' systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The areas, in this order in the docs; customs_portal.api.schema tags each operation.
    "TAGS": [
        {"name": "declarations", "description": "Import and export declarations, their versions and attachments."},
        {"name": "tariff", "description": "Tariff lines, exchange rates and duty estimates."},
        {"name": "manifests", "description": "Bulk manifests of e-commerce parcels."},
        {"name": "applications", "description": "Duty relief and IP-rights suspension applications."},
        {"name": "payments", "description": "Assessments, payments, refunds, receipts and reconciliation."},
        {"name": "risk", "description": "Risk-ranked inspection lists for officers."},
        {"name": "notifications", "description": "The company's notifications, webhooks and their deliveries."},
        {"name": "account", "description": "The caller, API tokens and the audit trail."},
        {"name": "travellers", "description": "Travellers' baggage declarations (Form C5360) filed from a phone."},
        {"name": "kiosk", "description": "Electronic declaration gate kiosks: QR and passport in, gate or desk out."},
        {
            "name": "xray",
            "description": "Postal parcels, their X-ray images from registered scanners and the model's reading.",
        },
    ],
    # Several choice sets share a field name ("kind", "status"): name the declarations' ones.
    "ENUM_NAME_OVERRIDES": {
        "DeclarationKindEnum": "declarations.models.Declaration.Kind",
        "DeclarationStatusEnum": "declarations.models.Declaration.Status",
        "DeclarationAttachmentKindEnum": "declarations.models.DeclarationAttachment.Kind",
        "DeclarationActionEnum": "declarations.core.services.actions.Action.ALL",
        "AssessmentActionEnum": ["pay", "defer"],
        "PaymentActionEnum": ["continue", "cancel", "refund", "receipt"],
        "RefundActionEnum": ["approve", "reject"],
        "KioskPaymentMethodEnum": "payments.api.KIOSK_METHODS",
        "PaymentMethodEnum": "payments.models.PaymentMethod",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Demo logins printed by `make run`; seed_demo refuses to run in production.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="customs-demo-2026")

# Export control (declarations.export_control): a consignee whose normalised name is at
# least this similar (0..1, difflib) to an entity of the end-user list is sent to
# document review. Lower finds more variants and more false alarms.
EXPORT_CONTROL_MATCH_THRESHOLD = env.float("EXPORT_CONTROL_MATCH_THRESHOLD", default=0.88)
# Unit values (yen per kg) outside median ± this many IQRs of past lines of the same
# tariff code are flagged by the pre-submission check, once that many lines exist.
PRECHECK_UNIT_VALUE_IQR_FACTOR = env.float("PRECHECK_UNIT_VALUE_IQR_FACTOR", default=3.0)
PRECHECK_UNIT_VALUE_MIN_SAMPLES = env.int("PRECHECK_UNIT_VALUE_MIN_SAMPLES", default=8)
# A declaration dated further ahead than this is refused: its rates would be guesses.
DECLARATION_DATE_MAX_DAYS_AHEAD = env.int("DECLARATION_DATE_MAX_DAYS_AHEAD", default=30)

# Model artefacts live outside git, one ML_ARTEFACT_ROOT/<model>/<version>/ folder per
# registered version (customs_portal.ml_registry).
ML_ARTEFACT_ROOT = env.path("ML_ARTEFACT_ROOT", default=str(VAR_DIR / "ml"))
# Real X-ray scans for training and benchmarks (research licence: read in place, never
# copied into the project).
XRAY_REAL_DATA_DIR = env.path("XRAY_REAL_DATA_DIR", default=str(BASE_DIR.parent / "shared" / "xray-real"))
# Risk scoring (inspection app).
# Share of each office's daily inspections picked at random so the model keeps learning.
INSPECTION_EXPLORATION_SHARE = env.float("INSPECTION_EXPLORATION_SHARE", default=0.10)
# Lanes: an office's red threshold is the score quantile that fills its daily inspection
# capacity given its daily volume (both over the last RISK_LANE_WINDOW_DAYS), but however
# large its capacity, at most this share of declarations goes red.
RISK_RED_MAX_SHARE = env.float("RISK_RED_MAX_SHARE", default=0.05)
# The yellow lane (document review): the next this share of declarations below red.
RISK_YELLOW_BAND_SHARE = env.float("RISK_YELLOW_BAND_SHARE", default=0.18)
# Days of declarations (volume) and scores (their distribution) the thresholds follow.
RISK_LANE_WINDOW_DAYS = env.int("RISK_LANE_WINDOW_DAYS", default=28)
# The quantiles are of the office's latest this many scores by the served model, once it
# has at least RISK_LANE_MIN_RECENT_SCORES; before, of the model's hold-out scores.
RISK_LANE_RECENT_SCORES = env.int("RISK_LANE_RECENT_SCORES", default=2000)
RISK_LANE_MIN_RECENT_SCORES = env.int("RISK_LANE_MIN_RECENT_SCORES", default=20)
# Priors of the features (read when a model is trained, kept in its artefact): a rate or
# an origin share from few records is shrunk toward its chapter's or the overall one, as
# if this many more records had that prior value...
RISK_PRIOR_STRENGTH = env.float("RISK_PRIOR_STRENGTH", default=20.0)
# ... and a rate or an origin share is quoted as a reason only from this many records.
RISK_PRIOR_MIN_COUNT = env.int("RISK_PRIOR_MIN_COUNT", default=30)
# Training refuses to produce a model from fewer labels than this.
RISK_MIN_TRAINING_ROWS = env.int("RISK_MIN_TRAINING_ROWS", default=500)
RISK_MIN_ILLICIT_LABELS = env.int("RISK_MIN_ILLICIT_LABELS", default=30)

# Authorised Economic Operators (customs_portal.aeo).
# An AEO declaration's share of its office's red and yellow lanes is the usual share times
# this factor (0..1); the per-office map ("1A=0.2,1B=0.5") overrides it for those offices.
AEO_INSPECTION_SHARE_FACTOR = env.float("AEO_INSPECTION_SHARE_FACTOR", default=0.3)
AEO_INSPECTION_SHARE_FACTOR_BY_OFFICE = env.dict(
    "AEO_INSPECTION_SHARE_FACTOR_BY_OFFICE", cast={"value": float}, default={}
)
# A trader is warned on its dashboard when a valid certificate ends within this many days.
AEO_EXPIRY_WARNING_DAYS = env.int("AEO_EXPIRY_WARNING_DAYS", default=60)

# Share of each office's inspection capacity filled from the expected-revenue head of the
# model (undervaluation, misclassification); the rest comes from the probability head
# (origin fraud, IP, prohibited goods: illicit goods that carry little revenue). 0.7 is
# the split that kept both heads' strengths on every synthetic and BACUDA-format file
# tried (`manage.py evaluate_risk`): less loses revenue@1 %, more loses precision@5 %.
RISK_PORTFOLIO_REVENUE_SHARE = env.float("RISK_PORTFOLIO_REVENUE_SHARE", default=0.7)
# A new version is promoted unless its revenue@5 % on the hold-out is more than this
# below the active version's on the same hold-out.
RISK_PROMOTION_TOLERANCE = env.float("RISK_PROMOTION_TOLERANCE", default=0.005)
# "Probably wrong": the chapter is suspected when the description reads as another
# chapter and gives the declared one a probability below this; the value is suspected
# when the unit value per kg is below the median by more than this log ratio
# (-0.35: about 30 % below).
RISK_WRONG_CHAPTER_MAX_PROBABILITY = env.float("RISK_WRONG_CHAPTER_MAX_PROBABILITY", default=0.2)
RISK_WRONG_VALUE_LOG_RATIO = env.float("RISK_WRONG_VALUE_LOG_RATIO", default=-0.35)
# The text model's score of a training row comes from a model fitted on the other folds.
RISK_TEXT_FOLDS = env.int("RISK_TEXT_FOLDS", default=5)
# OpenMP threads of the gradient boosting. On a small shared machine, threads spinning for
# cores that other processes hold make training ten times slower than one thread does.
ML_THREADS = env.int("ML_THREADS", default=1)

# Personal data (customs_portal.personal_data): the HMAC key of passport look-ups and the
# Fernet keys of the encrypted copies (the first encrypts; older ones still decrypt, for
# rotation). Empty in local and test settings: derived from SECRET_KEY there.
PERSONAL_DATA_HASH_KEY = env("PERSONAL_DATA_HASH_KEY", default="")
PERSONAL_DATA_ENCRYPTION_KEYS = env.list("PERSONAL_DATA_ENCRYPTION_KEYS", default=[])

# Travellers (declarations.travellers). The QR token is signed with Ed25519: the private
# key (base64 of its 32-byte seed) signs, and kiosks verify with the public keys alone
# (TRAVELLER_TOKEN_KEY_ID names the signing key; TRAVELLER_TOKEN_OLD_PUBLIC_KEYS lists
# "kid:base64" keys of earlier pairs still accepted). Empty: derived from SECRET_KEY
# (local and test only; production refuses it).
TRAVELLER_TOKEN_SIGNING_KEY = env("TRAVELLER_TOKEN_SIGNING_KEY", default="")
TRAVELLER_TOKEN_KEY_ID = env("TRAVELLER_TOKEN_KEY_ID", default="k1")
TRAVELLER_TOKEN_OLD_PUBLIC_KEYS = env.list("TRAVELLER_TOKEN_OLD_PUBLIC_KEYS", default=[])
# A QR code is valid until the end of the day after the arrival date (Japan time).
TRAVELLER_TOKEN_GRACE_DAYS = env.int("TRAVELLER_TOKEN_GRACE_DAYS", default=1)
# How far ahead an arrival date may be declared.
TRAVELLER_ARRIVAL_MAX_DAYS_AHEAD = env.int("TRAVELLER_ARRIVAL_MAX_DAYS_AHEAD", default=30)
# Personal data of a traveller declaration is erased this many days after arrival.
TRAVELLER_RETENTION_DAYS = env.int("TRAVELLER_RETENTION_DAYS", default=30)
# A kiosk screen goes back to the start after this many seconds without a touch.
KIOSK_IDLE_RESET_SECONDS = env.int("KIOSK_IDLE_RESET_SECONDS", default=60)
