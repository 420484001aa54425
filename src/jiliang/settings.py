"""jiliang settings: defaults, then the site's environment, then computed values.

Every setting that a deployment may change is read from an environment variable here and listed in
docs/settings.md with its default. Missing required values fail at start-up, not at first use.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("JILIANG_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


# --- defaults and site configuration -------------------------------------------------------------
DEBUG = env_bool("JILIANG_DEBUG", False)
# A production site sets JILIANG_PRODUCTION=1 and must then give its own secret key.
PRODUCTION = env_bool("JILIANG_PRODUCTION", False)
SECRET_KEY = os.environ.get("JILIANG_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("JILIANG_SECRET_KEY is required when JILIANG_PRODUCTION is set")
    SECRET_KEY = "dev-only-not-secret-jiliang"  # noqa: S105  (development, demo and tests only)

# Behind a reverse proxy that sets X-Forwarded-For, the audit trail records the client's address from it.
JILIANG_TRUST_X_FORWARDED_FOR = env_bool("JILIANG_TRUST_X_FORWARDED_FOR", False)
ALLOWED_HOSTS = [h for h in os.environ.get("JILIANG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("JILIANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("JILIANG_SQLITE_PATH", str(VAR_DIR / "jiliang.sqlite3")),
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE avoids upgrade deadlocks.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Upload limit (bytes) for Excel and CSV imports; larger bodies are refused with a message.
JILIANG_MAX_UPLOAD_BYTES = int(os.environ.get("JILIANG_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = JILIANG_MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Telemetry (docs/telemetry.md): HTTP body limit, clock tolerance, MQTT broker, online tolerance.
JILIANG_TELEMETRY_MAX_BODY_BYTES = int(os.environ.get("JILIANG_TELEMETRY_MAX_BODY_BYTES", 50 * 1024 * 1024))
JILIANG_TELEMETRY_FUTURE_TOLERANCE_S = int(os.environ.get("JILIANG_TELEMETRY_FUTURE_TOLERANCE_S", 300))
JILIANG_TELEMETRY_ONLINE_TOLERANCE_S = int(os.environ.get("JILIANG_TELEMETRY_ONLINE_TOLERANCE_S", 300))
# "inline": ingest adds to the rollups in its own transaction; "deferred": it queues the increments and
# `jiliang telemetry-rollups` (or an idle `ingest-mqtt`) folds them in batches (docs/telemetry.md).
JILIANG_TELEMETRY_ROLLUPS = os.environ.get("JILIANG_TELEMETRY_ROLLUPS", "inline")
# A reading more than this off its point's collection grid counts as misaligned (data quality).
JILIANG_TELEMETRY_ALIGNMENT_TOLERANCE_S = int(os.environ.get("JILIANG_TELEMETRY_ALIGNMENT_TOLERANCE_S", 60))
JILIANG_MQTT_URL = os.environ.get("JILIANG_MQTT_URL", "mqtt://127.0.0.1:1883")

# Uncertainty calculator (jiliang.budgets): the largest Monte Carlo M a request may ask for, and the body
# limit of POST /api/uncertainty/evaluate and /export.
JILIANG_MC_MAX_TRIALS = int(os.environ.get("JILIANG_MC_MAX_TRIALS", 10**7))
JILIANG_UNCERTAINTY_MAX_BODY_BYTES = int(os.environ.get("JILIANG_UNCERTAINTY_MAX_BODY_BYTES", 1024 * 1024))

# Directory of PTB's DCC and D-SI XML schemas (dcc-3.1.2.xsd, SI_Format-2.1.0.xsd).
JILIANG_DCC_SCHEMA_DIR = os.environ.get("JILIANG_DCC_SCHEMA_DIR", "")

# Secret from which the key wrapping the institutes' Ed25519 signing keys is derived (docs/certificates.md);
# empty = derived from SECRET_KEY.
JILIANG_SIGNING_SECRET = os.environ.get("JILIANG_SIGNING_SECRET", "")
# Public base URL of the site: certificates' QR codes point at <this>/verify/<number>.
JILIANG_PUBLIC_URL = os.environ.get("JILIANG_PUBLIC_URL", "http://127.0.0.1:8000")

EMAIL_BACKEND = os.environ.get("JILIANG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("JILIANG_FROM_EMAIL", "jiliang@localhost")

# --- applications ----------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "jiliang.core",
    "jiliang.registry",
    "jiliang.budgets",
    "jiliang.verification",
    "jiliang.telemetry",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiliang.core.locale.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jiliang.core.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "jiliang.urls"
WSGI_APPLICATION = "jiliang.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "jiliang.core.context_processors.navigation",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# --- language and time -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
# One date/time format in both languages (2026-12-04 04:32; core/formatting.py).
FORMAT_MODULE_PATH = ["jiliang.formats"]

# --- static files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static", PROJECT_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from the finders until collectstatic
WHITENOISE_USE_FINDERS = True

# --- API -------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first, so an unauthenticated request gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["jiliang.core.permissions.ScopedModelPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "jiliang.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "jiliang.core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "jiliang API",
    "DESCRIPTION": "The registry, verification, uncertainty and energy-metering API of jiliang (计量).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"WorkKindEnum": "jiliang.verification.models.WorkKind",
                            "CalibrationSourceEnum": "jiliang.verification.models.CalibrationSource",
                            "IngestChannelEnum": "jiliang.telemetry.models.Channel"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JILIANG_LOG_LEVEL", "WARNING")},
}

# --- computed --------------------------------------------------------------------------------------
if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"
