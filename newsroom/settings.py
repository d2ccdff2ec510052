"""Newsroom settings, read from the environment.

With nothing set, Newsroom runs locally on an SQLite file with DEBUG on. Every variable
read here is listed in the README's configuration table.
"""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

# A development key is only acceptable while DEBUG is on; production must bring its own.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"
elif not DEBUG and SECRET_KEY.startswith("django-insecure-"):
    # Django marks the keys it makes up for development so; copied into production, sessions
    # and password-reset links could be forged by anyone who has read them.
    raise ImproperlyConfigured("SECRET_KEY is a development key (django-insecure-…): set a long random one.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if not DEBUG else ["localhost", "127.0.0.1", "[::1]"])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "taggit",
    "reversion",
    "articles",
    "newsroom",
    "csp",
    "axes",  # sign-in throttling: see the block below
    "rest_framework",
    "drf_spectacular",
]

MIDDLEWARE = [
    # /healthz and /readyz, before host checks and the TLS redirect: probes come by IP over HTTP.
    "newsroom.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache, so that a page served from it carries the policy too.
    "newsroom.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Readers' pages gzipped (never the admin, nor anything for a signed-in user: BREACH), above
    # what reads and writes bodies, so a page-cache hit and a 304 pass through it too.
    "articles.public.middleware.ReaderGZipMiddleware",
    # ETag and 304 for every page, cached or not; then the readers' page cache, before sessions
    # and authentication so that a hit skips them.
    "django.middleware.http.ConditionalGetMiddleware",
    "articles.public.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Old addresses (imported aliases, changed slugs) answer 301 instead of 404.
    "articles.public.middleware.OldAddressMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its page (newsroom/signin.py).
    "axes.middleware.AxesMiddleware",
]

SITE_ID = 1

ROOT_URLCONF = "newsroom.urls"

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
                "articles.public.context_processors.site",
            ],
        },
    },
    {
        # Story cards, bylines and result lines: rendered per story, so in the faster engine.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "articles.public.jinja2.environment"},
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections save a connection setup per request on PostgreSQL.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if "sqlite" in DATABASES["default"]["ENGINE"]:
    # A write transaction takes the write lock when it begins, so two writers (a request and
    # the in-process job runner) queue for it instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # A reader page's queries are short: starting parallel workers for them (which PostgreSQL
    # plans for a list at 100,000 stories) took longer than the query itself, measured.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c max_parallel_workers_per_gather=0".strip()

_redis_url = env.str("REDIS_URL", default="")
CACHES = {
    "default": env.cache_url("CACHE_URL", default=_redis_url or "locmemcache://newsroom"),
}
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # Django's default of 300 entries is a few pages' cards and versions: evicted constantly.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 20_000)
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # A Redis that stops answering (a partition drops packets) costs a request this much, once
    # per retry (articles/freshness), never a hung worker.
    _timeout = env.float("CACHE_SOCKET_TIMEOUT", default=0.5)
    CACHES["default"].setdefault("OPTIONS", {}).update(socket_connect_timeout=_timeout, socket_timeout=_timeout)
# How many app servers run this site: above one, `check --deploy` warns of settings that work on
# one server only (newsroom/checks.py).
APP_SERVERS = env.int("APP_SERVERS", default=1)
# Seconds a cache that stopped answering is left alone before it is tried again.
CACHE_RETRY_SECONDS = env.float("CACHE_RETRY_SECONDS", default=5)

# Background jobs (newsroom/jobs.py): recorded in the database with the change that needs them,
# run by Celery workers when a broker is set, otherwise by a thread of each web process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
JOBS_MODE = env.str("JOBS_MODE", default="celery" if CELERY_BROKER_URL else "thread")
if JOBS_MODE not in ("celery", "thread", "eager"):
    raise ImproperlyConfigured("JOBS_MODE must be celery, thread or eager.")
if JOBS_MODE == "celery" and not CELERY_BROKER_URL:
    raise ImproperlyConfigured("JOBS_MODE=celery needs CELERY_BROKER_URL.")
JOBS_QUEUE = env.str("JOBS_QUEUE", default="newsroom")
# A worker holds a job this long; one that dies mid-job leaves it to another after that.
JOBS_LEASE_SECONDS = env.int("JOBS_LEASE_SECONDS", default=600)
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=8)
JOBS_RETRY_SECONDS = env.float("JOBS_RETRY_SECONDS", default=10)  # the first retry's delay; then doubling
JOBS_RELAY_SECONDS = env.float("JOBS_RELAY_SECONDS", default=5)
JOBS_KEEP_DAYS = env.int("JOBS_KEEP_DAYS", default=7)  # finished jobs are forgotten after this
CELERY_TASK_DEFAULT_QUEUE = JOBS_QUEUE
CELERY_TASK_ACKS_LATE = True  # a message is acknowledged when its job ends, not when it starts
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # the Job table is the record
CELERY_TASK_PUBLISH_RETRY = False  # an unsent job waits for the relay; a save never waits
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("JOBS_BROKER_TIMEOUT", default=1.0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {"relay": {"task": "newsroom.relay_jobs", "schedule": JOBS_RELAY_SECONDS}}

# One import file may not stall a run (issue 12): a larger file is refused before it is read, and
# one that takes longer to read, map and render fails with that reason while the others import.
# The largest file in the real archives is 170 KB and takes about a tenth of a second.
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=5 * 1024 * 1024)
IMPORT_FILE_SECONDS = env.float("IMPORT_FILE_SECONDS", default=30)
# The largest body the admin's article form accepts, in UTF-8 bytes: rendering and sanitising a
# hostile body cost far more than its size, and an admin save has no time budget (issue 12).
# Six times the archives' largest.
BODY_MAX_BYTES = env.int("BODY_MAX_BYTES", default=1024 * 1024)

# Seconds an anonymous reader page may be served from the cache (0 turns the page cache off).
# Content changes and scheduled publications invalidate it sooner.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# With the local-memory cache (one per process), processes learn of content changes from this
# file's modification time; it must be on a disk every web and command process shares.
PAGE_CACHE_STAMP = env.str("PAGE_CACHE_STAMP", default=str(BASE_DIR / "var" / "content-changed"))
# Response headers naming what a reader page shows (see articles/freshness/shown.py), for an
# edge cache to purge by: space-separated (Fastly, Varnish xkey) and comma-separated
# (Cloudflare). Empty turns one off.
SURROGATE_KEY_HEADER = env.str("SURROGATE_KEY_HEADER", default="Surrogate-Key")
CACHE_TAG_HEADER = env.str("CACHE_TAG_HEADER", default="Cache-Tag")

# The edge cache in front (newsroom/edge.py, newsroom/varnish/): purged by those names after
# each committed change, so it may keep reader pages long.
EDGE_PURGE = env.str("EDGE_PURGE", default="none")
if EDGE_PURGE not in ("none", "varnish", "fastly", "cloudflare"):
    raise ImproperlyConfigured("EDGE_PURGE must be none, varnish, fastly or cloudflare.")
EDGE_PURGE_URLS = env.list("EDGE_PURGE_URLS", default=[])  # Varnish: each host's address
EDGE_SERVICE_ID = env.str("EDGE_SERVICE_ID", default="")  # Fastly service, Cloudflare zone
EDGE_API_TOKEN = env.str("EDGE_API_TOKEN", default="")
EDGE_API_URL = env.str("EDGE_API_URL", default="")  # the purge API's base, when not the vendor's own
# Cache-Control of anonymous reader pages: browsers keep them briefly; shared caches long, but
# only when something purges them.
BROWSER_CACHE_SECONDS = env.int("BROWSER_CACHE_SECONDS", default=60)
# How often an open live story's page asks for new entries (a conditional GET the cache answers).
LIVE_POLL_SECONDS = env.float("LIVE_POLL_SECONDS", default=15)
EDGE_CACHE_SECONDS = env.int("EDGE_CACHE_SECONDS", default=86_400 if EDGE_PURGE != "none" else 60)
EDGE_STALE_SECONDS = env.int("EDGE_STALE_SECONDS", default=30)
EDGE_STALE_IF_ERROR_SECONDS = env.int("EDGE_STALE_IF_ERROR_SECONDS", default=86_400)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sign-in throttling (django-axes, newsroom/signin.py): after LOGIN_FAILURE_LIMIT failed
# guesses for one account from one address, that pair is refused for LOGIN_COOLOFF_MINUTES
# (0: until a superuser unlocks it in the admin's Access attempts, or `manage.py axes_reset_username`);
# so is an address after LOGIN_ADDRESS_FAILURE_LIMIT guesses at any accounts, and an account
# after LOGIN_ACCOUNT_FAILURE_LIMIT guesses from anywhere.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "newsroom.signin.ThrottlingHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=50)
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=20)
_cooloff_minutes = env.float("LOGIN_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=_cooloff_minutes) if _cooloff_minutes > 0 else None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # what a right password clears; see signin.py
AXES_RESET_ON_SUCCESS = True  # a correct password clears its pair's count
AXES_LOCKOUT_CALLABLE = "newsroom.signin.locked_out"
AXES_CLIENT_IP_CALLABLE = "newsroom.signin.client_address"
# The proxies whose X-Forwarded-For names the client, as gunicorn.conf.py trusts them.
FORWARDED_ALLOW_IPS = env.list("FORWARDED_ALLOW_IPS", default=["127.0.0.1"])

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en-us")
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
LANGUAGES = [("en", "English"), ("en-us", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

SITE_NAME = env.str("SITE_NAME", default="Newsroom")
# The public host name, for absolute addresses in feeds and sitemaps.
SITE_DOMAIN = env.str("SITE_DOMAIN", default="localhost:8000")
# The page explaining how the publication corrects its mistakes, named as the publisher's
# `correctionsPolicy` in every story's JSON-LD (an address, or a path on this site).
CORRECTIONS_POLICY_URL = env.str("CORRECTIONS_POLICY_URL", default="")

# "Climate" and "climate" are one tag.
TAGGIT_CASE_INSENSITIVE = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
# The most pixels an uploaded or imported image may have (articles/images.py): decoding costs
# up to 4 bytes a pixel whatever the file's size, so 40 megapixels keep one image under 160 MB.
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# Uploads, renditions and imported images: this server's disk (MEDIA_ROOT), or S3-compatible
# object storage every app server shares (S3, R2, MinIO, Ceph) when S3_BUCKET is set.
S3_BUCKET = env.str("S3_BUCKET", default="")
_media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_BUCKET:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "addressing_style": env.str("S3_ADDRESSING_STYLE", default="") or None,
            "custom_domain": env.str("S3_PUBLIC_DOMAIN", default="") or None,
            "location": env.str("S3_PREFIX", default=""),
            "querystring_auth": env.bool("S3_SIGNED_URLS", default=False),
            "default_acl": env.str("S3_ACL", default="") or None,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _media_storage,
    # Hashed names need `collectstatic`; locally and in tests the plain storage serves from source.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Behind a TLS-terminating proxy these make `check --deploy` quiet and the site HTTPS-only.
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp), the second wall behind the sanitiser: scripts only from
# this origin (JSON-LD is data, never run), no plugins, no <base>, no framing (as X-Frame-Options
# says), forms post here only. Images also come from the media host and from anywhere over
# HTTPS (imported stories keep remote images; browsers upgrade http:// ones on an HTTPS page).
X_FRAME_OPTIONS = "DENY"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _media_origin() -> str:
    """Where readers' browsers fetch media from: the S3 public domain, the bucket's endpoint, or
    an absolute MEDIA_URL; empty when media is served from this origin."""
    s3 = STORAGES["default"].get("OPTIONS", {})
    if not s3:
        return _origin(MEDIA_URL)
    if s3["custom_domain"]:
        return f"https://{s3['custom_domain']}"  # django-storages links a custom domain over HTTPS
    endpoint = urlsplit(s3["endpoint_url"] or "")
    if not endpoint.netloc:
        return ""  # AWS itself, over HTTPS
    host = f"{s3['bucket_name']}.{endpoint.netloc}" if s3["addressing_style"] == "virtual" else endpoint.netloc
    return f"{endpoint.scheme}://{host}"


_csp_directives = {
    "default-src": [SELF],
    "script-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "frame-ancestors": [{"DENY": NONE, "SAMEORIGIN": SELF}[X_FRAME_OPTIONS]],
    "form-action": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "https:", *filter(None, [_media_origin()])],
}
if _csp_report_uri := env.str("CSP_REPORT_URI", default=""):
    _csp_directives["report-uri"] = [_csp_report_uri]
# Report-only: browsers report what the policy would block, and block nothing (to try a change).
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _csp_directives}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _csp_directives}
# Added on the admin's pages: Django's admin templates and Trix put styles inline (style
# elements and attributes, which run no script), Trix's toolbar icons are data: images and a
# chosen image is previewed from a blob: address. Scripts stay this origin's only.
CONTENT_SECURITY_POLICY_ADMIN = {"style-src": [UNSAFE_INLINE], "img-src": ["data:", "blob:"]}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# The read-only content API (articles/api/): public, so no sessions or CSRF; JSON only.
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=20)
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=100)  # a larger ?page_size= is cut to this
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} content API",
    "DESCRIPTION": "Published stories, their sections, authors and tags. Read-only.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Field selection (?fields=) leaves fields out: none is promised in every answer.
    "COMPONENT_NO_READ_ONLY_REQUIRED": True,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
}
# Webhook deliveries (articles/api/webhooks.py): how long a receiver may take to answer, and
# how much of its answer is read (and kept for staff).
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5)
WEBHOOK_RESPONSE_BYTES = env.int("WEBHOOK_RESPONSE_BYTES", default=1024)
# A story an import creates already published is `article.published` news only this recent.
WEBHOOK_IMPORT_RECENT_HOURS = env.float("WEBHOOK_IMPORT_RECENT_HOURS", default=24)
