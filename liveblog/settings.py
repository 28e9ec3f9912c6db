"""Settings for liveblog.

One module, configured only through environment variables. The defaults are
safe for development on one laptop (SQLite, a file cache); production
sets DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS. See README.md.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from coverage.conf import app_setting

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)

DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"


def site_url():
    """The site's public origin, e.g. ``https://live.example.org``: every absolute URL starts with it.

    Never the request's Host header, which any client writes. ``SITE_URL`` when set; otherwise
    the first named host in ALLOWED_HOSTS (https unless SECURE_SSL_REDIRECT is off); otherwise,
    and always with DEBUG, ``http://127.0.0.1:8000`` (``check --deploy`` refuses that in production).
    """
    value = os.environ.get("SITE_URL", "").strip()
    if not value:
        named = [host for host in ALLOWED_HOSTS if host != "*" and not host.startswith(".")]
        if DEBUG or not named:
            return DEVELOPMENT_SITE_URL
        value = f"{'https' if SECURE_SSL_REDIRECT else 'http'}://{named[0]}"
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path.strip("/") or parts.query:
        raise ImproperlyConfigured(
            f"SITE_URL must be an origin such as https://live.example.org, not {value!r}."
        )
    return f"{parts.scheme}://{parts.netloc}"


SITE_URL = site_url()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "axes",
    "ninja",  # the API's documentation page, from our own static files
    "coverage",
]

MIDDLEWARE = [
    # First: a story page or poll kept whole is answered before anything below runs.
    "coverage.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "liveblog.security.ContentSecurityPolicyMiddleware",
    "liveblog.security.RefuseNullCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files come pre-compressed), above everything that writes the body.
    "liveblog.compression.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "coverage.desk.DeskHintMiddleware",  # the live desk's hint cookie, set and cleared at sign-in and out
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into the 429 page
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before any password check
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "liveblog.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "liveblog.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait their turn instead of failing with "database is locked":
    # every transaction takes the write lock when it begins (a read that later writes
    # cannot deadlock with another writer), a writer waits up to SQLITE_BUSY_TIMEOUT
    # seconds for it, and WAL lets readers go on reading meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": float(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "liveblog",
        }
    }
else:
    # One machine without Redis (the default install): a cache in files, which every
    # worker process shares, so a write one worker makes drops the pages all of them keep.
    # Each process still remembers what it read for a second (LIVEBLOG_LOCAL_CACHE_SECONDS).
    CACHES = {
        "default": {
            "BACKEND": "liveblog.cache.FileCache",  # Django's, with an atomic add()
            "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The app's settings (LIVEBLOG_*): their defaults and meaning are in coverage/conf.py.
# The newsroom's zone is also Django's default zone, so the admin shows and reads times in it.
LIVEBLOG_TIME_ZONE = app_setting(os.environ, "TIME_ZONE")

LIVEBLOG_LANGUAGE = app_setting(os.environ, "LANGUAGE")

# The languages the site's own words come in (locale/): a story is written in one of them, and
# its pages speak it; the rest of the site speaks LANGUAGE_CODE. Pages do not follow the
# reader's Accept-Language: a page is the same for every reader, so caches keep one copy.
LANGUAGES = [
    ("en", "English"),
    ("uk", "Українська"),
    ("es", "Español"),
    ("ar", "العربية"),
]
LANGUAGE_CODE = LIVEBLOG_LANGUAGE
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = LIVEBLOG_TIME_ZONE
USE_I18N = True
USE_TZ = True
LIVEBLOG_POLL_INTERVAL = app_setting(os.environ, "POLL_INTERVAL")
LIVEBLOG_CURSOR_WINDOW = app_setting(os.environ, "CURSOR_WINDOW")
LIVEBLOG_CURSOR_LAG = app_setting(os.environ, "CURSOR_LAG")
LIVEBLOG_COMMENTS_CLOSE_DAYS = app_setting(os.environ, "COMMENTS_CLOSE_DAYS")
LIVEBLOG_IDLE_END_HOURS = app_setting(os.environ, "IDLE_END_HOURS")
LIVEBLOG_CLIP_MAX_MB = app_setting(os.environ, "CLIP_MAX_MB")
LIVEBLOG_CLIP_MAX_MINUTES = app_setting(os.environ, "CLIP_MAX_MINUTES")
LIVEBLOG_EMBED_FETCH = app_setting(os.environ, "EMBED_FETCH")
LIVEBLOG_EMBED_ORIGINS = app_setting(os.environ, "EMBED_ORIGINS")
LIVEBLOG_API_RATE_LIMIT = app_setting(os.environ, "API_RATE_LIMIT")
LIVEBLOG_PUSH_PUBLISH_URLS = app_setting(os.environ, "PUSH_PUBLISH_URLS")
LIVEBLOG_PUSH_SIG_KEY = app_setting(os.environ, "PUSH_SIG_KEY")
LIVEBLOG_WEBHOOK_RETRY_SECONDS = app_setting(os.environ, "WEBHOOK_RETRY_SECONDS")
LIVEBLOG_WEBHOOK_TIMEOUT = app_setting(os.environ, "WEBHOOK_TIMEOUT")
LIVEBLOG_WEBHOOK_WORKER = app_setting(os.environ, "WEBHOOK_WORKER")
LIVEBLOG_WEBHOOK_IDLE_SECONDS = app_setting(os.environ, "WEBHOOK_IDLE_SECONDS")

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]

MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Django serves MEDIA_ROOT itself only when asked to (development, tests);
# production serves media from the web server or object storage.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)


def media_storage(environ):
    """``STORAGES["default"]``: the media folder, or an S3-compatible bucket when
    ``AWS_STORAGE_BUCKET_NAME`` is set (django-storages, ``pip install -e '.[s3]'``).

    Pages link to media without signatures (``querystring_auth``): the bucket must let anyone
    read its objects (a bucket policy allowing ``s3:GetObject``), or sit behind
    ``AWS_S3_CUSTOM_DOMAIN`` (a CDN) that may. boto3 reads the keys from ``AWS_ACCESS_KEY_ID``
    and ``AWS_SECRET_ACCESS_KEY`` (or the machine's role).
    """
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": media_storage(os.environ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security. Production runs behind TLS; these defaults make `check --deploy` clean.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies in front of the app that append the address they saw to X-Forwarded-For (nginx,
# a CDN): the client's address is the one this many places from the right. 0: no proxy,
# the connection's own address (REMOTE_ADDR). Everything left of it was written by the client.
TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "1" if BEHIND_TLS_PROXY else "0"))
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# A reader's comment refused for its CSRF token comes back with its text, to be sent again.
CSRF_FAILURE_VIEW = "coverage.views.comments.csrf_failure"
# Admin logins pause for LOGIN_ATTEMPTS_WINDOW seconds after LOGIN_ATTEMPTS_LIMIT failures from
# one address for one username (django-axes). Usernames are counted as Django's login form
# reads them, then casefolded (liveblog.security.login_username); addresses come from
# TRUSTED_PROXY_HOPS. Failures are rows in the database, so every worker and server shares
# them, with or without Redis.
LOGIN_ATTEMPTS_LIMIT = int(os.environ.get("LOGIN_ATTEMPTS_LIMIT", "5"))
LOGIN_ATTEMPTS_WINDOW = int(os.environ.get("LOGIN_ATTEMPTS_WINDOW", "900"))
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = LOGIN_ATTEMPTS_LIMIT
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_ATTEMPTS_WINDOW)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "liveblog.security.login_username"
AXES_CLIENT_IP_CALLABLE = "liveblog.security.client_address"
AXES_LOCKOUT_CALLABLE = "liveblog.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not kept: a table nothing would ever empty
AXES_VERBOSE = False

# Story pages and polls are kept whole in the shared cache (Redis, or the file cache).
LIVEBLOG_PAGE_CACHE_SECONDS = app_setting(os.environ, "PAGE_CACHE_SECONDS")
LIVEBLOG_LOCAL_CACHE_SECONDS = app_setting(os.environ, "LOCAL_CACHE_SECONDS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
