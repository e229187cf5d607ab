"""Django settings for partnerhub, read from the environment with safe development defaults.

Environment variables: DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS, EMAIL_URL, DEFAULT_FROM_EMAIL,
PARTNERHUB_VAR_DIR, TIME_ZONE, CSRF_TRUSTED_ORIGINS.
Production (docs/production.md): SECRET_KEY_FILE, STATIC_ROOT, HTTPS, SECURE_SSL_REDIRECT, BEHIND_PROXY, CACHE_URL,
MEDIA_STORAGE (``s3``: AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME, AWS_LOCATION,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), HEALTHZ_QUEUE_MAX_AGE.
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from partnerhub.conf import envbool, envint, envlist, envstr, parse_email_url

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(envstr("PARTNERHUB_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = envstr("SECRET_KEY")
# A key kept in a file (mode 0600): `make serve` writes one into the var dir on first start, containers
# mount one as a secret. A SECRET_KEY in the environment wins.
if not SECRET_KEY and envstr("SECRET_KEY_FILE"):
    SECRET_KEY = Path(envstr("SECRET_KEY_FILE")).read_text(encoding="utf-8").strip()
if not SECRET_KEY and DEBUG:
    SECRET_KEY = _DEV_SECRET
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    "partnerhub.core",
    "partnerhub.accounts",
    "partnerhub.agencies",
    "partnerhub.regions",
    "partnerhub.organisations",
    "partnerhub.partnerships",
    "partnerhub.delegations",
    "partnerhub.privacy",
    "partnerhub.notifications",
    "partnerhub.pipeline",
    "partnerhub.ideas",
    "partnerhub.profiles",
    "partnerhub.inquiries",
    "partnerhub.matching",
    "partnerhub.reports",
    "partnerhub.maps",
    "partnerhub.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight after the redirect to HTTPS: no session, no language, no database for them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "partnerhub.core.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "partnerhub.urls"
WSGI_APPLICATION = "partnerhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnerhub.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'partnerhub.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Select boxes are written out in Python rather than one template include per option (core/rendering.py).
FORM_RENDERER = "partnerhub.core.rendering.FormRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# An address counts only once its confirmation link was followed; a new address replaces the old one only
# then, so User.email is always a verified address (decision 0015).
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_FORMS = {"add_email": "partnerhub.accounts.forms.AddEmailForm"}
ACCOUNT_ADAPTER = "partnerhub.accounts.adapter.InviteOnlyAccountAdapter"
ACCOUNT_LOGOUT_REDIRECT_URL = "core:home"

# Languages: the UI and user content speak German, English and Simplified Chinese.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("de", _("German")),
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = envstr("TIME_ZONE", "Europe/Berlin")
# Numbers are not grouped by default: an id or a year in a link or a form value would read 1.465.
# Templates group the figures a reader sees with |intcomma (decision 0025).
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
# Where collectstatic writes (a container image keeps them outside the var volume).
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "media/"
# Uploaded documents live outside any web root and are served by views that check visibility.
MEDIA_ROOT = VAR_DIR / "media"
# Static files: in production collected (`partnerhub collectstatic`) under hashed names and served
# compressed (gzip, brotli) by WhiteNoise, hashed names cached for ten years; in development and tests
# straight from the apps' folders, so nothing has to be collected first.
# Uploads: a folder (a shared volume when several hosts serve), or with MEDIA_STORAGE=s3 a private
# S3-compatible bucket (pip install 'partnerhub[s3]'). Documents are always streamed through the views
# that check who may read them; the bucket is never linked, so it needs no public access.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "partnerhub.core.staticfiles.StaticFilesStorage"
    },
}
if envstr("MEDIA_STORAGE", "filesystem") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": envstr("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": envstr("AWS_S3_ENDPOINT_URL") or None,
            "region_name": envstr("AWS_S3_REGION_NAME") or None,
            "location": envstr("AWS_LOCATION"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
elif envstr("MEDIA_STORAGE", "filesystem") != "filesystem":
    raise ValueError("MEDIA_STORAGE must be filesystem or s3")
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

for _key, _value in parse_email_url(envstr("EMAIL_URL", "console://")).items():
    globals()[_key] = _value
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "partnerhub <noreply@example.org>")

# HTTPS: the site is reached over HTTPS (by default whenever DEBUG is off). `make serve` on loopback sets
# it false, so http://127.0.0.1:8000 works with cookies a browser sends over plain HTTP.
HTTPS = envbool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", HTTPS)
# Load balancers and probes ask over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", False) else None

# Content-Security-Policy (docs/decisions/0018): scripts and styles only from our own static files, so an
# injected <script>, onclick= or style= does nothing. Same setting names as Django 6's built-in CSP.
# CSP_REPORT_ONLY=true sends it as ...-Report-Only instead, to try it out on a deployment first.
_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
SECURE_CSP_REPORT_ONLY = _CSP if envbool("CSP_REPORT_ONLY", False) else {}
SECURE_CSP = {} if SECURE_CSP_REPORT_ONLY else _CSP
# Error pages in the reader's language with the site's layout (core/errors.py).
CSRF_FAILURE_VIEW = "partnerhub.core.errors.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
FORMAT_MODULE_PATH = ["partnerhub.formats"]

# Background work: the tasks API (django-tasks, Django 6's framework backported). By default tasks run
# at once in the process that enqueues them, so nothing extra has to run; TASKS_BACKEND=database stores
# them for `partnerhub db_worker`.
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
# In production (DEBUG off) the database queue is the default, so no request waits for a task (0022).
TASKS = {
    "default": {"BACKEND": _TASK_BACKENDS[envstr("TASKS_BACKEND", "immediate" if DEBUG else "database")]}
}

# E-mail goes through the outbox (decisions/0022): minutes between attempts (then "failed", for an
# operator to resend), how long a row may stay "being sent" before deliver_outbox takes it back (its worker
# died), and how long one SMTP conversation may take, so an unreachable server never holds a request long.
EMAIL_RETRY_DELAYS = [int(m) for m in envlist("EMAIL_RETRY_DELAYS", ["1", "5", "15", "60", "180"])]
EMAIL_SENDING_TIMEOUT = envint("EMAIL_SENDING_TIMEOUT", 600)
# Sent e-mails are kept this many days (to see what went out), then deleted by deliver_outbox.
EMAIL_KEEP_SENT_DAYS = envint("EMAIL_KEEP_SENT_DAYS", 30)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)

# The cache holds allauth's login limits: every server process must see the same counts, so by default
# it is a table in the database (`partnerhub createcachetable`, also run by migration core.0002);
# CACHE_URL=redis://… moves it to Redis. Our own rate counters are a table of their own (docs/decisions/0017).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "partnerhub_cache"},
    # Rendered page fragments, per process, keyed by the data versions kept in "default" (decisions/0024).
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "partnerhub-fragments",
        "TIMEOUT": envint("FRAGMENT_CACHE_SECONDS", 3600),
        "OPTIONS": {"MAX_ENTRIES": envint("FRAGMENT_CACHE_ENTRIES", 2000)},
    },
}
if envstr("CACHE_URL").startswith("redis://"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": envstr("CACHE_URL"),
    }

# Public forms: how many submissions one IP address may make per hour, and how long an idea whose
# e-mail address was never confirmed is kept before it is deleted.
PUBLIC_FORM_RATE_PER_HOUR = envint("PUBLIC_FORM_RATE_PER_HOUR", 20)
UNCONFIRMED_SUBMISSION_DAYS = envint("UNCONFIRMED_SUBMISSION_DAYS", 7)
PROFILE_EXPIRY_REMINDER_DAYS = envint("PROFILE_EXPIRY_REMINDER_DAYS", 14)
MAX_UPLOAD_BYTES = envint("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Bounds on what one request may upload and what may wait for an e-mail confirmation (decisions/0017).
# SubmissionLimitHandler drops the bytes of files over the bounds while the request is read, before any
# reach a temporary file; the form then says why. Far beyond them Django answers 400 outright.
MAX_FILES_PER_SUBMISSION = envint("MAX_FILES_PER_SUBMISSION", 5)
MAX_SUBMISSION_BYTES = envint("MAX_SUBMISSION_BYTES", 25 * 1024 * 1024)
MAX_UNCONFIRMED_BYTES_PER_ADDRESS = envint("MAX_UNCONFIRMED_BYTES_PER_ADDRESS", 25 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "partnerhub.core.uploads.SubmissionLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FILES = 4 * MAX_FILES_PER_SUBMISSION
# The client's address for rate limits (core.abuse.client_ip, also allauth's): REMOTE_ADDR, or behind a
# reverse proxy the entry TRUSTED_PROXY_COUNT places from the right in PROXY_CLIENT_IP_HEADER.
BEHIND_PROXY = envbool("BEHIND_PROXY", False)
PROXY_CLIENT_IP_HEADER = envstr("PROXY_CLIENT_IP_HEADER", "X-Forwarded-For")
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 1)
# allauth asks our function (accounts/adapter.py); its own settings say the same for any other code path.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT if BEHIND_PROXY else 0
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = (
    PROXY_CLIENT_IP_HEADER if BEHIND_PROXY and PROXY_CLIENT_IP_HEADER.lower() != "x-forwarded-for" else None
)
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

# Matching: which embedder computes the vectors ("default" = the packaged model chosen in
# docs/decisions/0012; "fake" = a deterministic stand-in for tests and machines without the model).
MATCHING_EMBEDDER = envstr("MATCHING_EMBEDDER", "default")
# Where the nearest candidates come from (docs/decisions/0014): "auto" = pgvector when the database has
# the extension, else an in-process index persisted to MATCHING_INDEX_DIR; "memory"; "pgvector".
MATCHING_VECTOR_BACKEND = envstr("MATCHING_VECTOR_BACKEND", "auto")
MATCHING_INDEX_DIR = Path(envstr("MATCHING_INDEX_DIR", str(VAR_DIR / "matching-index")))
# Below this many vectors the in-process index searches exactly, above it with a PQ scan (faiss).
MATCHING_EXACT_LIMIT = envint("MATCHING_EXACT_LIMIT", 20_000)

# B2B scheduler (docs/decisions/0013): wall-clock limit of one run in seconds, and CP-SAT's worker threads.
# A run stops early when it has proven its schedule optimal.
SCHEDULER_TIME_LIMIT = envint("SCHEDULER_TIME_LIMIT", 60)
SCHEDULER_WORKERS = envint("SCHEDULER_WORKERS", 2)

# /healthz answers 503 when a task has waited longer than this many seconds (no worker is running).
HEALTHZ_QUEUE_MAX_AGE = envint("HEALTHZ_QUEUE_MAX_AGE", 600)
