"""Guichet settings, read from the environment (django-environ).

With nothing set, Guichet runs on a SQLite file and a server-less Celery broker under ``var/``.
With ``DEBUG`` off, ``SECRET_KEY`` and ``ALLOWED_HOSTS`` must be set or start-up fails naming them.
"""

import importlib.util
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
VAR_DIR = Path(env("GUICHET_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} is required when DEBUG is off."
        )
    return value


if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
else:
    SECRET_KEY = _required("SECRET_KEY")
    ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin: its translated fields get language tabs there.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Drag and drop ordering in the admin: the procedure pages' steps and documents, the form
    # factory's steps and fields.
    "adminsortable2",
    "django_htmx",
    "django_filters",
    "django_tables2",
    "rest_framework",
    "drf_spectacular",
    "django_celery_beat",
    "django_celery_results",
    "simple_history",
    "axes",
    "rules",
    # Citizen sign-up and e-mail verification (contacts/accounts.py; the login page stays ours).
    "allauth",
    "allauth.account",
    # Content-Security-Policy: its system checks (the policy itself is below).
    "csp",
    "crm",
    "contacts",
    "requests_app",
    "tasks_app",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "crm.validation.BadInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crm.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"
ASGI_APPLICATION = "crm.asgi.application"

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
                "crm.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'guichet.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process, the worker and beat share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A read replica for the dashboards, reports and exports (reporting/routers.py).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].update(
        {"CONN_MAX_AGE": env.int("CONN_MAX_AGE", default=60), "CONN_HEALTH_CHECKS": True}
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REPORTING_DATABASE = "replica" if DATABASE_REPLICA_URL else "default"
DATABASE_ROUTERS = ["reporting.routers.ReportingRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "crm.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, reading the permissions in one query.
    "crm.backends.RoleBackend",
    # Object rules of the apps' permissions modules (django-rules).
    "rules.permissions.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Citizen accounts (django-allauth, contacts/accounts.py). Everyone logs in on the one login page
# above (crm.views.LoginView, throttled); allauth signs citizens up, verifies their e-mail
# address (mandatory: an account whose address is not confirmed cannot log in) and links the
# verified account to the Client with that address. Password reset stays Django's, throttled.
ACCOUNT_ADAPTER = "contacts.accounts.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "contacts.accounts.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env.int(
    "ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS", default=3
)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Guichet] "
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
# allauth's counters live on the default cache (Redis in production).
ACCOUNT_RATE_LIMITS = {
    "signup": env.str("SIGNUP_RATE_LIMIT", default="5/h/ip"),
    "confirm_email": "1/180s/key",
}
# The portal's own limits (crm/throttle.py), per account (or per address when anonymous), per hour.
PORTAL_MESSAGE_LIMIT_PER_HOUR = env.int("PORTAL_MESSAGE_LIMIT_PER_HOUR", default=30)
PORTAL_UPLOAD_LIMIT_PER_HOUR = env.int("PORTAL_UPLOAD_LIMIT_PER_HOUR", default=30)
PORTAL_SUBMISSION_LIMIT_PER_HOUR = env.int("PORTAL_SUBMISSION_LIMIT_PER_HOUR", default=20)
PORTAL_INVITATION_LIMIT_PER_HOUR = env.int("PORTAL_INVITATION_LIMIT_PER_HOUR", default=20)
# How long an invitation to join an organisation stays valid.
ORGANISATION_INVITATION_DAYS = env.int("ORGANISATION_INVITATION_DAYS", default=14)

# Login throttling, two layers (README, "Login and password-reset throttling").
# django-axes: after 5 failures for the same account and address, 15 minutes of lockout.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
# One lock-out page (429, "try again in N minutes") for axes and crm/throttle.py alike.
AXES_LOCKOUT_CALLABLE = "crm.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0) or None
# crm/throttle.py, against spraying: counters on this cache (Redis in production).
THROTTLE_CACHE = "default"
# An address with more failures than this over all accounts in one window is refused a window.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
# An account with this many failures over all addresses in one window is refused to unknown
# devices for a window, doubled by each further failure, up to LOGIN_ACCOUNT_LOCK_MAX_HOURS.
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=10)
LOGIN_THROTTLE_MINUTES = env.int("LOGIN_THROTTLE_MINUTES", default=15)
LOGIN_ACCOUNT_LOCK_MAX_HOURS = env.int("LOGIN_ACCOUNT_LOCK_MAX_HOURS", default=24)
# A browser that logged in to an account is a known device of it for this long (signed cookie).
KNOWN_DEVICE_COOKIE_NAME = "guichet_device"
KNOWN_DEVICE_DAYS = env.int("KNOWN_DEVICE_DAYS", default=180)
# Password-reset mails per hour, per address and per account.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=5)
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env.int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", default=3)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
# Configuration text that people read (names, descriptions, instructions) is typed in both
# languages in the admin; English falls back to French when left empty.
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr",)
# The admin shows the two languages of a field as tabs, with jQuery UI's, vendored (no CDN).
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/Montreal")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (documents of the CRM, course grids) are never served from MEDIA_URL: no URL
# pattern serves it, and documents are downloaded through contacts:document_download, which
# checks who may see them. MEDIA_STORAGE=filesystem (the default) keeps them under MEDIA_ROOT;
# MEDIA_STORAGE=s3 puts them in an S3-compatible bucket through django-storages (install the
# "s3" extra: pip install "guichet[s3]"), private, read back by the web process only.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE == "filesystem":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    if importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None:
        raise ImproperlyConfigured(
            'MEDIA_STORAGE=s3 needs django-storages and boto3: pip install "guichet[s3]".'
        )
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            # Empty: AWS itself; set for MinIO, Ceph, OVH, Scaleway…
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            # Empty: boto3 finds the credentials itself (AWS_ACCESS_KEY_ID…, an instance role).
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("S3_PREFIX", default=""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured("MEDIA_STORAGE must be filesystem or s3.")
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail: EMAIL_URL such as smtp+tls://user:password@host:587 or consolemail://.
EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
if EMAIL_CONFIG.get("EMAIL_BACKEND", "").endswith("filebased.EmailBackend"):
    # filemail:///var/mail/guichet: keep the path absolute (the parser drops its leading slash).
    EMAIL_CONFIG["EMAIL_FILE_PATH"] = urlparse(env.str("EMAIL_URL")).path
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Guichet <no-reply@guichet.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's address as the requesters reach it, for links in mails written by the workers
# (e.g. https://guichet.example.org); no link when empty.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000" if DEBUG else "")

# E-mail as a channel (requests_app/mail): an agent's comment is mailed to the requester, whose
# reply lands in the thread. MAIL_CHANNEL_ENABLED=0 mails no comment.
MAIL_CHANNEL_ENABLED = env.bool("MAIL_CHANNEL_ENABLED", default=True)
# The mailbox that receives the replies, e.g. reponses@guichet.example.org: each comment's mail
# is answered to reponses+<signed token>@guichet.example.org (the mail server must deliver
# "+" addresses to that mailbox). Empty: comments are mailed without a reply address.
INBOUND_EMAIL_ADDRESS = env.str("INBOUND_EMAIL_ADDRESS", default="")
INBOUND_EMAIL_TOKEN_MAX_AGE_DAYS = env.int("INBOUND_EMAIL_TOKEN_MAX_AGE_DAYS", default=180)
# A reply must come from the requester's own address (the token alone is not enough).
INBOUND_EMAIL_REQUIRE_SENDER_MATCH = env.bool("INBOUND_EMAIL_REQUIRE_SENDER_MATCH", default=True)
INBOUND_EMAIL_MAX_BYTES = env.int("INBOUND_EMAIL_MAX_BYTES", default=30 * 1024 * 1024)
INBOUND_EMAIL_MAX_ATTACHMENTS = env.int("INBOUND_EMAIL_MAX_ATTACHMENTS", default=10)
# The IMAP mailbox Celery beat polls every minute for replies (nothing is polled without a
# host); a mail server may instead pipe each message to "manage.py receive_email".
IMAP_HOST = env.str("IMAP_HOST", default="")
IMAP_SSL = env.bool("IMAP_SSL", default=True)
IMAP_STARTTLS = env.bool("IMAP_STARTTLS", default=False)
IMAP_PORT = env.int("IMAP_PORT", default=993 if IMAP_SSL else 143)
IMAP_USER = env.str("IMAP_USER", default="")
IMAP_PASSWORD = env.str("IMAP_PASSWORD", default="")
IMAP_FOLDER = env.str("IMAP_FOLDER", default="INBOX")
# Where handled messages are moved; empty: they stay in IMAP_FOLDER, marked as seen.
IMAP_PROCESSED_FOLDER = env.str("IMAP_PROCESSED_FOLDER", default="")
IMAP_BATCH_SIZE = env.int("IMAP_BATCH_SIZE", default=50)
IMAP_TIMEOUT = env.int("IMAP_TIMEOUT", default=30)

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport (no server needed).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    _broker_dir = VAR_DIR / "celery-broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    # The host part means nothing to this transport, but without one kombu warns
    # "No hostname was supplied" at every start-up.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = "django-db"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_RESULT_EXTENDED = True
# The worker turns what tasks print into log lines; the console e-mail backend prints every mail,
# which is information, not a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"

CACHES = {
    "default": (
        env.cache("CACHE_URL", default=REDIS_URL.replace("redis://", "rediscache://"))
        if REDIS_URL
        # Shared by the web process and the worker (e.g. import progress), with no server.
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    ),
    # The back office's menus, rendered once per process for each language, page and role
    # (``{% cache … using="fragments" %}`` in templates/agent/base.html): they hold some sixty
    # links and labels that every page would otherwise render again. Process memory, no server:
    # the menus change only with a new release, which restarts the processes.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "guichet-fragments",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {"TITLE": "Guichet API", "VERSION": "1.0.0"}

# Security: secure by default when DEBUG is off; SSL redirect can be handed to a proxy.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache (Redis in production) and written through to the database:
# one query less on every page, and nothing lost when the cache is flushed.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Content-Security-Policy, in every environment (the browser tests run under it): the pages load
# only this site's files, and no inline script, style attribute or <style> runs. JavaScript goes
# in static/js/, styles in static/css/guichet.css. Bootstrap's CSS draws its icons as data: images.
# django-csp leaves Django's own debug pages (404 and 500 with DEBUG on) without the header.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden_without_traceback": {"()": "crm.log_filters.ForbiddenWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # The PDF renderer and its font subsetter narrate every step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "django.request": {"filters": ["forbidden_without_traceback"]},
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# The body that runs Guichet (a municipality, a faculty…), named on the PDF reports.
GUICHET_BODY_NAME = env.str("GUICHET_BODY_NAME", default="Guichet")

# Incidents: how long after resolution the requester or an agent may reopen one.
INCIDENT_REOPEN_DAYS = env.int("INCIDENT_REOPEN_DAYS", default=7)
# Read notifications older than this are deleted by the daily beat task "Notification retention".
NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", default=180)

# Documents of the CRM (contacts/documents.py). The largest file accepted, in bytes, and the
# types accepted, recognised from the file's content (never its name): pdf, png, jpg, docx, xlsx,
# pptx, odt, ods, odp, txt, csv (txt and csv have no signature: accepted when the name says so
# and the content is text; see contacts/documents.py).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
DOCUMENT_ALLOWED_TYPES = env.list(
    "DOCUMENT_ALLOWED_TYPES",
    default=["pdf", "png", "jpg", "docx", "xlsx", "pptx", "odt", "ods", "odp", "txt", "csv"],
)
# Uploads past this size go to a temporary file, not memory: a 10 MB document (or a 20 MB course
# grid) never sits whole in a web process. DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, Django's
# default) caps the other fields of a form, not its files: the proxy in front must accept a body
# of DOCUMENT_MAX_BYTES and more (the course-grid import takes 20 MB).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
