"""Uslugi settings: one module, configured from the environment (see .env.example)."""

from __future__ import annotations

from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from uslugi import config

BASE_DIR = config.project_dir()
SRC_DIR = Path(__file__).resolve().parent

env = config.load_env()
USLUGI_ENV = config.mode(env)
PRODUCTION = USLUGI_ENV == config.PRODUCTION
TESTING = USLUGI_ENV == config.TEST

if PRODUCTION:
    config.require(env, ["SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"])


def _bool(name: str, default: bool) -> bool:
    """An optional boolean where an empty value means the default."""
    return env.bool(name) if env.str(name, default="").strip() else default


DEBUG = _bool("DEBUG", False)

# Development and test get fixed, publicly known values: never usable in production,
# where the check above demands real ones.
_INSECURE = "insecure-development-value-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="") or f"django-{_INSECURE}"
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"],
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATA_DIR = Path(env.str("USLUGI_DATA_DIR", default="") or BASE_DIR / "var")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "oauth2_provider",
    "uslugi.core",
    "uslugi.notifications",
    "uslugi.exchange",
    "uslugi.registries",
    "uslugi.identity",
    "uslugi.catalog",
    "uslugi.forms",
    "uslugi.applications",
    "uslugi.agencies",
]

# Models that exist only for the test suite (e.g. to exercise encrypted fields).
if _bool("USLUGI_TEST_APPS", False):
    INSTALLED_APPS.append("tests.testapp")

MIDDLEWARE = [
    "uslugi.core.observability.RequestIdMiddleware",
    "uslugi.core.audit.AuditContextMiddleware",
    "uslugi.core.observability.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "uslugi.core.problems.MethodNotAllowedMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "uslugi.identity.middleware.SessionActivityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "uslugi.core.security.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "uslugi.urls"
# Functions (request -> context) that fill the home page from apps core may not import.
HOME_CONTEXT_PROVIDERS = ["uslugi.catalog.home.home_context"]
# form_code -> URL of its published electronic form or "" (the catalogue's "Apply online").
ONLINE_FORM_URL = "uslugi.forms.selectors.published_form_url"
WSGI_APPLICATION = "uslugi.wsgi.application"
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "uslugi.core.context_processors.portal",
                "uslugi.notifications.context_processors.unread",
                "uslugi.agencies.context_processors.staff",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{DATA_DIR / 'uslugi.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at the
    # start of a transaction so two writers queue instead of failing with "locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# Reuse connections: opening one (and, on SQLite, running the PRAGMAs) costs more than a
# signed-in request's queries.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "identity.Account"
PASSWORD_HASHERS = [
    "uslugi.identity.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "identity:login"

# --- Identity (accounts, sign-in, SMS and post) -----------------------------------------
# Sign out after this many seconds without a request (the absolute lifetime is
# SESSION_ABSOLUTE_SECONDS below).
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# SMS gateway plugin: "outbox" (development: /dev/sms-outbox) or "http" (URL + token).
SMS_GATEWAY = env.str("SMS_GATEWAY", default="outbox")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
# Postal-service plugin for confirmation letters: "outbox" (development: /dev/post-outbox).
POSTAL_SERVICE = env.str("POSTAL_SERVICE", default="outbox")

# --- Sessions, cookies and security headers --------------------------------------------
SESSION_COOKIE_AGE = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = int(env.str("HSTS_SECONDS", default="") or (31_536_000 if PRODUCTION else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
if _bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_TZ = True

# --- Caches ---------------------------------------------------------------------------------
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Rendered template fragments that depend only on the language and the deployed code
    # (header, footer): per process on purpose, so a deploy never serves stale markup.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
    },
}

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default="") or DATA_DIR / "static")
# Compiled front-end assets (`npm run build`); not committed.
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default="") or DATA_DIR / "media")
# Where the shipped service definitions live (`services/<code>/<variant>.yaml`).
USLUGI_SERVICES_DIR = env.str("USLUGI_SERVICES_DIR", default="") or None

# --- Background tasks ----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# --- Personal-data encryption ----------------------------------------------------------------
# "id:base64key,id:base64key": the first key encrypts, all keys decrypt.
FIELD_ENCRYPTION_KEYS = env.str("FIELD_ENCRYPTION_KEYS", default="")
BLIND_INDEX_KEY = env.str("BLIND_INDEX_KEY", default="")

# --- Exchange bus ---------------------------------------------------------------------------
# Attempts before a message becomes a dead letter; days messages are kept before purging;
# the largest signed envelope accepted over HTTP. Other knobs: uslugi/exchange/conf.py.
EXCHANGE_MAX_ATTEMPTS = env.int("EXCHANGE_MAX_ATTEMPTS", default=8)
EXCHANGE_RETENTION_DAYS = env.int("EXCHANGE_RETENTION_DAYS", default=90)
EXCHANGE_MAX_BODY_BYTES = env.int("EXCHANGE_MAX_BODY_BYTES", default=1024 * 1024)

# --- Forms and applications -----------------------------------------------------------------
# Drafts expire this many days after their last activity, with a reminder before.
FORMS_DRAFT_DAYS = env.int("FORMS_DRAFT_DAYS", default=30)
FORMS_DRAFT_REMINDER_DAYS = env.int("FORMS_DRAFT_REMINDER_DAYS", default=3)
# How applications reach agencies (uslugi/applications/transport.py): "inbox" = the
# agencies' inbox in the portal (back office and integration API).
APPLICATIONS_TRANSPORT = env.str("APPLICATIONS_TRANSPORT", default="inbox")

# --- Agency systems (OAuth2 client credentials, django-oauth-toolkit) ----------------------
OAUTH2_PROVIDER = {
    "SCOPES": {
        "applications:read": "Read the department's applications and their files",
        "applications:write": "Lease, acknowledge and change the status of applications",
    },
    "DEFAULT_SCOPES": ["applications:read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("AGENCY_TOKEN_SECONDS", default=3600),
    # Client secrets are hashed at rest (django-oauth-toolkit >= 2).
    "PKCE_REQUIRED": True,
}
# django-oauth-toolkit's swappable models, named so migrations can depend on them.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 - a model name
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105 - a model name
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105 - a model name
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
# Webhooks to agency systems: retried with backoff for at least this long.
AGENCY_WEBHOOK_RETRY_HOURS = env.int("AGENCY_WEBHOOK_RETRY_HOURS", default=96)
AGENCY_LEASE_SECONDS = env.int("AGENCY_LEASE_SECONDS", default=300)

# Monitoring autotests: time limits of the short (delivered) and full (agency's answer)
# scenarios, and how often each runs per published service (0: only on demand).
AUTOTEST_SHORT_MINUTES = env.int("AUTOTEST_SHORT_MINUTES", default=10)
AUTOTEST_FULL_MINUTES = env.int("AUTOTEST_FULL_MINUTES", default=60 * 24)
AUTOTEST_SHORT_EVERY_MINUTES = env.int("AUTOTEST_SHORT_EVERY_MINUTES", default=60)
AUTOTEST_FULL_EVERY_MINUTES = env.int("AUTOTEST_FULL_EVERY_MINUTES", default=60 * 24)

# --- Periodic jobs (`uslugi periodic --loop`, started by `make run`) -------------------------
# (dotted path of a function taking no arguments, every N seconds)
PERIODIC_JOBS = [
    ("uslugi.applications.services.deliver_due", 30),
    ("uslugi.agencies.webhooks.deliver_due", 30),
    ("uslugi.notifications.services.notifications_sweep", 60),
    ("uslugi.forms.services.drafts_expire", 3600),
    ("uslugi.agencies.autotests.autotests_check", 60),
    ("uslugi.agencies.autotests.autotests_schedule", 300),
    ("uslugi.agencies.services.case_files_ensure", 300),
]

# --- Observability ----------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "console")
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"structlog": {"()": "uslugi.core.logging.build_formatter", "fmt": LOG_FORMAT}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structlog"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING" if TESTING else "INFO"},
    },
}

# Development keeps outgoing mail as files in var/mail (open them to follow email links);
# production and the tests (which start a real SMTP server) speak SMTP.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="") or (
    "django.core.mail.backends.filebased.EmailBackend"
    if USLUGI_ENV == config.DEVELOPMENT
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=1025)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Uslugi <no-reply@uslugi.local>")

# --- Notifications ------------------------------------------------------------------------
# Delivery of email and SMS notifications (uslugi/notifications/conf.py reads these):
# attempts before a message is marked failed, the first pause between attempts (doubling
# up to the maximum), messages per recipient per hour on each channel (beyond: skipped, the
# inbox keeps the notification), how long a message may stay pending past its time before
# `uslugi notifications sweep` queues it again, and the address links in messages start with.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=6)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=60)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=3600)
NOTIFICATIONS_RATE_LIMITS = {
    "email": env.int("NOTIFICATIONS_EMAIL_PER_HOUR", default=30),
    "sms": env.int("NOTIFICATIONS_SMS_PER_HOUR", default=10),
}
NOTIFICATIONS_SWEEP_AFTER_SECONDS = env.int("NOTIFICATIONS_SWEEP_AFTER_SECONDS", default=300)
NOTIFICATIONS_SENDING_LEASE_SECONDS = env.int("NOTIFICATIONS_SENDING_LEASE_SECONDS", default=900)
NOTIFICATIONS_SITE_URL = env.str("SITE_URL", default="") or "http://127.0.0.1:8000"
