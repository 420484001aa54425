"""jiliang settings: defaults, then the site's environment, then computed values.

Every setting that a deployment may change is read from an environment variable here and listed in
docs/settings.md with its default. Missing required values fail at start-up, not at first use.
"""

import os
import secrets
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
SECRETS_DIR = VAR_DIR / "secrets"


def installation_secret(name: str) -> str:
    """A random secret generated on first use and kept in ``var/secrets/<name>`` (mode 0600).

    Development, demo and tests run on these, never on a constant: a copy of the database alone does not
    give the key that wraps the signing keys, keys the audit chain or signs sessions. Production mode
    never reaches here (its secrets come from the environment).
    """
    path = SECRETS_DIR / name
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    SECRETS_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = secrets.token_urlsafe(48)
    try:  # O_EXCL: two processes starting at once agree on the first one written
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(value + "\n")
    return value


def required_secret(env_name: str, file_name: str) -> str:
    value = os.environ.get(env_name, "")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{env_name} is required when JILIANG_PRODUCTION is set")
    return installation_secret(file_name)


SECRET_KEY = required_secret("JILIANG_SECRET_KEY", "secret_key")

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
# What an uploaded .xlsx may unpack to (a 600 KB zip can inflate to gigabytes): total uncompressed size,
# shared strings, rows of a sheet, and cells of a sheet's grid (last row × last column).
JILIANG_XLSX_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("JILIANG_XLSX_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024))
JILIANG_XLSX_MAX_SHARED_STRINGS = int(os.environ.get("JILIANG_XLSX_MAX_SHARED_STRINGS", 1_000_000))
JILIANG_XLSX_MAX_ROWS = int(os.environ.get("JILIANG_XLSX_MAX_ROWS", 200_000))
JILIANG_XLSX_MAX_CELLS = int(os.environ.get("JILIANG_XLSX_MAX_CELLS", 6_000_000))
# Largest PDF the public certificate check (POST /verify/<number>) compares; larger bodies get 413 unread.
# Early warning of standards whose assessment certificate or calibration lapses within this many days (traceability).
JILIANG_TRACEABILITY_WARNING_DAYS = int(os.environ.get("JILIANG_TRACEABILITY_WARNING_DAYS", 60))
JILIANG_VERIFY_MAX_PDF_BYTES = int(os.environ.get("JILIANG_VERIFY_MAX_PDF_BYTES", 20 * 1024 * 1024))

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
# Ingest answers stay small: at most this many per-row results are listed (counts cover every row), and
# one enterprise may have at most this many ingest requests running at once (429 beyond).
JILIANG_TELEMETRY_MAX_RESULT_ROWS = int(os.environ.get("JILIANG_TELEMETRY_MAX_RESULT_ROWS", 1000))
JILIANG_TELEMETRY_MAX_CONCURRENT_PER_SENDER = int(os.environ.get("JILIANG_TELEMETRY_MAX_CONCURRENT_PER_SENDER", 2))
# Livelihood IoT (docs/livelihood-iot.md): a smart household meter that reads daily counts as reporting while its
# last reading is at most this many days old, and as silent beyond (a configuration, not a regulation).
JILIANG_LIVELIHOOD_IOT_SILENT_DAYS = int(os.environ.get("JILIANG_LIVELIHOOD_IOT_SILENT_DAYS", 2))

# Uncertainty calculator (jiliang.budgets): the largest Monte Carlo M a request may ask for, and the body
# limit of every endpoint that evaluates (/api/uncertainty/evaluate and /export, saved budgets, templates).
JILIANG_MC_MAX_TRIALS = int(os.environ.get("JILIANG_MC_MAX_TRIALS", 10**7))
JILIANG_UNCERTAINTY_MAX_BODY_BYTES = int(os.environ.get("JILIANG_UNCERTAINTY_MAX_BODY_BYTES", 1024 * 1024))
# Bounds on one evaluation (jiliang.uncertainty.limits, docs/settings.md): inputs, outputs, second-order terms
# (outputs × inputs²), Monte Carlo values kept (outputs × M, 8 bytes each) and wall-clock seconds.
JILIANG_UNCERTAINTY_MAX_INPUTS = int(os.environ.get("JILIANG_UNCERTAINTY_MAX_INPUTS", 100))
JILIANG_UNCERTAINTY_MAX_OUTPUTS = int(os.environ.get("JILIANG_UNCERTAINTY_MAX_OUTPUTS", 20))
JILIANG_UNCERTAINTY_MAX_SECOND_ORDER_TERMS = int(os.environ.get("JILIANG_UNCERTAINTY_MAX_SECOND_ORDER_TERMS", 2500))
JILIANG_UNCERTAINTY_MAX_SAMPLE_VALUES = int(os.environ.get("JILIANG_UNCERTAINTY_MAX_SAMPLE_VALUES", 10**7))
JILIANG_UNCERTAINTY_TIME_LIMIT_S = float(os.environ.get("JILIANG_UNCERTAINTY_TIME_LIMIT_S", 30))
# Evaluations running at once on this host (lock files under var/run/; empty = one per CPU less one), and how long a
# request waits for a free slot before it is refused (503).
JILIANG_UNCERTAINTY_MAX_CONCURRENT = int(os.environ.get("JILIANG_UNCERTAINTY_MAX_CONCURRENT") or 0) or None
JILIANG_UNCERTAINTY_SLOT_WAIT_S = float(os.environ.get("JILIANG_UNCERTAINTY_SLOT_WAIT_S", 10))

# Directory of PTB's DCC and D-SI XML schemas (dcc-3.1.2.xsd, SI_Format-2.1.0.xsd).
JILIANG_DCC_SCHEMA_DIR = os.environ.get("JILIANG_DCC_SCHEMA_DIR", "")

# Secret from which the key wrapping the institutes' Ed25519 signing keys is derived (docs/certificates.md);
# `jiliang rotate-signing-secret` re-wraps the keys under a new one.
JILIANG_SIGNING_SECRET = required_secret("JILIANG_SIGNING_SECRET", "signing_secret")
# HMAC key of the audit chain (docs/audit.md), kept outside the database.
JILIANG_AUDIT_KEY = required_secret("JILIANG_AUDIT_KEY", "audit_key")
# Keys the permutation that makes jiliang's own instrument codes non-sequential (registry.codes). Codes already
# issued never change; a new key only changes the codes issued after it (collisions are skipped).
JILIANG_CODE_KEY = required_secret("JILIANG_CODE_KEY", "instrument_code_key")
# File to which `jiliang audit-anchor` appends the signed chain head; ship it off the database server.
# Uploaded evidence (e.g. a market's five-unification documents); served through the app's own scoped views, never
# as public media.
MEDIA_ROOT = Path(os.environ.get("JILIANG_MEDIA_DIR", VAR_DIR / "media"))

JILIANG_AUDIT_ANCHOR_FILE = Path(os.environ.get("JILIANG_AUDIT_ANCHOR_FILE", VAR_DIR / "audit-anchors.jsonl"))
# API tokens (docs/settings.md): default and longest validity in days.
JILIANG_API_TOKEN_DAYS = int(os.environ.get("JILIANG_API_TOKEN_DAYS", 90))
JILIANG_API_TOKEN_MAX_DAYS = int(os.environ.get("JILIANG_API_TOKEN_MAX_DAYS", 365))
# Rate limits (core/ratelimit.py, "<count>/<period>", e.g. 30/min, 5/15m; empty = none): the public
# certificate check per client address.
JILIANG_RATE_PUBLIC_CHECK = os.environ.get("JILIANG_RATE_PUBLIC_CHECK", "30/min")
# The public status page of an instrument (/i/<code>, docs/public-status-page.md) per client address; answers
# "not found" more tightly (over it, every lookup is refused until the window ends); complaints tighter still.
JILIANG_RATE_PUBLIC_PAGE = os.environ.get("JILIANG_RATE_PUBLIC_PAGE", "60/min")
JILIANG_RATE_PUBLIC_NOT_FOUND = os.environ.get("JILIANG_RATE_PUBLIC_NOT_FOUND", "10/min")
JILIANG_RATE_COMPLAINT = os.environ.get("JILIANG_RATE_COMPLAINT", "5/h")
# Seconds the server keeps a rendered public status page (per code, language and day; 0: not at all); the page
# says Cache-Control: public, max-age=60 to proxies and browsers alike.
JILIANG_PUBLIC_PAGE_CACHE_S = int(os.environ.get("JILIANG_PUBLIC_PAGE_CACHE_S", 60))
# Failed sign-ins (login page, admin, token endpoint) per account and per client address; over the limit,
# sign-in is refused until the window ends.
JILIANG_LOGIN_FAILURES_PER_ACCOUNT = os.environ.get("JILIANG_LOGIN_FAILURES_PER_ACCOUNT", "5/15m")
JILIANG_LOGIN_FAILURES_PER_ADDRESS = os.environ.get("JILIANG_LOGIN_FAILURES_PER_ADDRESS", "30/15m")
# Public base URL of the site: certificates' QR codes point at <this>/verify/<number>. Production mode has no
# default: a loopback or missing address there is a system check error (core.checks, core.E001).
JILIANG_PUBLIC_URL = os.environ.get("JILIANG_PUBLIC_URL", "" if PRODUCTION else "http://127.0.0.1:8000")

# Background work (docs/jobs.md): tasks queue in the database (django-tasks-db) and `jiliang worker` runs
# them; `jiliang scheduler` enqueues the periodic ones the apps declare (Schedule in their extensions.py).
TASKS = {"default": {"BACKEND": os.environ.get("JILIANG_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Job results (export files) live under this directory, downloadable by the job's owner only.
JILIANG_JOBS_DIR = Path(os.environ.get("JILIANG_JOBS_DIR", VAR_DIR / "jobs"))
# Result files of finished jobs are deleted this many days after the job finished (the job row stays).
JILIANG_JOB_RESULT_DAYS = int(os.environ.get("JILIANG_JOB_RESULT_DAYS", 7))
# A list export of more rows than this runs as a job; smaller ones download at once.
JILIANG_EXPORT_SYNC_ROWS = int(os.environ.get("JILIANG_EXPORT_SYNC_ROWS", 5000))
# The demo keeps its metering points reporting while `make run` runs (a scheduled job ingests simulated readings).
JILIANG_DEMO_LIVE = env_bool("JILIANG_DEMO_LIVE", False)

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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "jiliang.core",
    "jiliang.registry",
    "jiliang.budgets",
    "jiliang.verification",
    "jiliang.telemetry",
    "jiliang.supervision",
    "jiliang.traceability",
    "jiliang.livelihood",
    "jiliang.kpi",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jiliang.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiliang.core.locale.ChineseFirstLocaleMiddleware",
    "jiliang.core.middleware.PublicUploadLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
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

# Django's ModelBackend, refusing while the account or the address is locked out (core/auth.py).
AUTHENTICATION_BACKENDS = ["jiliang.core.auth.LockoutBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "full_name", "email", "first_name", "last_name")}},
    # 8 for everyone; bureau and institute staff need JILIANG_STAFF_PASSWORD_MIN_LENGTH (below).
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "jiliang.core.auth.StaffMinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
JILIANG_STAFF_PASSWORD_MIN_LENGTH = int(os.environ.get("JILIANG_STAFF_PASSWORD_MIN_LENGTH", 10))

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
        "jiliang.core.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["jiliang.core.permissions.ScopedModelPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "jiliang.core.api.filters.ExtendedFilterBackend",
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
                            "IngestChannelEnum": "jiliang.telemetry.models.Channel",
                            "SupervisionStatusEnum": "jiliang.supervision.models.Status",
                            "FilingStateEnum": "jiliang.supervision.models.FilingState",
                            "VerificationKindEnum": "jiliang.supervision.models.VerificationKind",
                            "EventSourceEnum": "jiliang.supervision.models.EventSource",
                            "AnomalyStateEnum": "jiliang.telemetry.models.AnomalyState",
                            "FindingKindEnum": "jiliang.supervision.models.FindingKind",
                            "ReminderKindEnum": "jiliang.supervision.models.ReminderKind",
                            "ComplaintKindEnum": "jiliang.supervision.models.ComplaintKind",
                            "ComplaintStatusEnum": "jiliang.supervision.models.ComplaintStatus",
                            "AffectedDecisionEnum": "jiliang.traceability.models.Decision",
                            "ImpactDecisionEnum": ["upheld", "reissued", "revoked"],
                            "FilingDecisionEnum": ["accept", "return"],
                            "NodeKindEnum": "jiliang.traceability.models.NodeKind",
                            "ExternalKindEnum": "jiliang.traceability.models.ExternalKind",
                            "MeterKindEnum": "jiliang.livelihood.models.MeterKind",
                            "ProgrammeKindEnum": "jiliang.livelihood.models.ProgrammeKind",
                            "ReportKindEnum": "jiliang.kpi.models.ReportKind"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JILIANG_LOG_LEVEL", "WARNING")},
}

# --- transport security (docs/settings.md): on by default in production mode --------------------------
# Scripts only from the site itself (the vendored libraries are served from /static/); styles may be inline
# (ECharts, htmx and Swagger UI set them); images and workers also from data:/blob: (charts, Redoc).
JILIANG_CSP = os.environ.get("JILIANG_CSP", "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
    "font-src 'self' data:", "connect-src 'self'", "worker-src 'self' blob:", "object-src 'none'",
    "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"]))
SECURE_SSL_REDIRECT = env_bool("JILIANG_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("JILIANG_HSTS_SECONDS", 31536000 if PRODUCTION else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("JILIANG_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("JILIANG_HSTS_PRELOAD", PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("JILIANG_SECURE_COOKIES", PRODUCTION)
# Behind a proxy that terminates TLS: the header that says the original request was HTTPS, e.g.
# "X-Forwarded-Proto: https" (without it SSL redirect would loop).
if os.environ.get("JILIANG_PROXY_SSL_HEADER"):
    _name, _, _value = os.environ["JILIANG_PROXY_SSL_HEADER"].partition(":")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip())

# --- computed --------------------------------------------------------------------------------------
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("JILIANG_DEBUG must be off when JILIANG_PRODUCTION is set")
if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"
