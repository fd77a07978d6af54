"""Settings shared by every environment; environment variables configure the rest.

`dev`, `test`, `production` and `bench` import from here and override only what differs.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = Path(os.environ.get("CMS_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str | None = None) -> str | None:
    """Return an environment variable, treating an empty value as unset."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return a comma-separated environment variable as a list."""
    value = env_str(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """Return an integer environment variable, failing with the fix when it is not one."""
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.") from None


def env_float(name: str, default: float) -> float:
    """Return a number from an environment variable, failing with the fix when it is not one."""
    value = env_str(name)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}.") from None


def env_float_list(name: str, default: list[float]) -> list[float]:
    """Return a comma-separated list of numbers, failing with the fix on a bad item."""
    try:
        return [float(item) for item in env_list(name, [str(item) for item in default])]
    except ValueError:
        raise ImproperlyConfigured(f"{name} must list numbers, e.g. 5,300,1800.") from None


def env_bool(name: str, default: bool = False) -> bool:
    """Return a boolean environment variable (1/true/yes/on)."""
    value = env_str(name)
    if value is None:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def require_env(name: str, hint: str) -> str:
    """Return a required environment variable or refuse to start, saying how to fix it."""
    value = env_str(name)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable: {hint}")
    return value


DEBUG = False

INSTALLED_APPS = [
    "content_models",
    "api",
    "pipeline",
    "pipeline.webhooks",
    "preview",
    "releases",
    "dashboard",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.frontend_cache",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_countries",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "api.middleware.OriginCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

# Database: DATABASE_URL (e.g. postgres://user@127.0.0.1:5432/cms), else the embedded SQLite file.
if env_str("DATABASE_URL") is None:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
# Admin and form views run in one transaction, so a publish and everything the pipeline records
# for it commit together or not at all. The read API opts out (see api.views.DeliveryView).
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; the timeout rides out short locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: REDIS_URL (shared by every app server), else a per-process local-memory cache.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "cms"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks go through Django's tasks interface and run in the queue's own workers.
# TASKS_BACKEND: `database` (default: django-tasks-db, `manage.py db_worker`), `rq` (RQ on
# REDIS_URL, `manage.py rqworker --with-scheduler`) or a backend's dotted path. `manage.py beat`
# enqueues the periodic tasks for either (pipeline.periodic).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "cms.tasks.RQBackend",
}
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
TASKS_BACKEND = TASK_BACKENDS.get(TASKS_BACKEND, TASKS_BACKEND)
TASKS = {"default": {"BACKEND": TASKS_BACKEND}}
# RQ's queues (django-rq); only used when TASKS_BACKEND is `rq`. Jobs that outlive the timeout
# are stopped by RQ (a webhook attempt takes at most WEBHOOK_TIMEOUT_SECONDS).
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}}
# `rqworker` runs jobs through django-tasks-rq's Job class, which calls the django-tasks task.
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
if TASKS_BACKEND.endswith(".RQBackend"):
    if not REDIS_URL:
        raise ImproperlyConfigured(
            "TASKS_BACKEND=rq needs REDIS_URL, e.g. redis://127.0.0.1:6379/0."
        )
    INSTALLED_APPS.append("django_rq")  # its `rqworker` command runs the tasks

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = env_str("MEDIA_URL", "/media/")
# Whether Django itself answers MEDIA_URL from MEDIA_ROOT (always with DEBUG). Set it when no web
# server or CDN in front serves the files: every image URL a document carries must answer.
SERVE_MEDIA = env_bool("SERVE_MEDIA", False)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGIN_URL = "wagtailadmin_login"

# Wagtail
WAGTAIL_SITE_NAME = "ISECG"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Media that live pages show change only with publish rights (pipeline/media_review.py).
WAGTAILIMAGES_IMAGE_FORM_BASE = "pipeline.media_review.ReviewedImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "pipeline.media_review.ReviewedDocumentForm"
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
# Approving a review publishes what it approved, except a release: reviewers publish or schedule
# releases themselves (releases.workflows).
WAGTAIL_FINISH_WORKFLOW_ACTION = "releases.workflows.workflow_finish"
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# No third-party avatar requests from the admin (they would send editors' email hashes out).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Draftail, whose malformed posts are form errors, with Wagtail's default features but "embed":
# the API does not deliver media embeds (content_models.rich_text refuses them).
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {
        "WIDGET": "content_models.editor.RichTextEditor",
        "OPTIONS": {
            "features": [
                *("h2", "h3", "h4", "bold", "italic", "ol", "ul", "hr"),
                *("link", "document-link", "image"),
            ]
        },
    }
}

# Django REST Framework: the delivery API's conventions live in `api/`.
REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_RATE", "600/minute"),
        "user": env_str("API_TOKEN_RATE", "3000/minute"),
        "preview": env_str("API_PREVIEW_RATE", "600/minute"),
        # Failed token authentications per client address (api.throttling.AuthFailureThrottle).
        "auth_failure": env_str("API_AUTH_FAILURE_RATE", "30/minute"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

# Reverse proxies (CIDRs) whose X-Forwarded-For is believed: throttles and logs then see the
# client they name (api.clientip). None by default: the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

SPECTACULAR_SETTINGS = {
    "TITLE": "ISECG content delivery API",
    # The description is the getting-started guide (api/guide.md), `servers` the public base:
    # both set by api.schema.guide_and_servers.
    "DESCRIPTION": "Published, versioned content of the ISECG site for any frontend.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "WEBHOOKS": [
        "api.webhooks_schema.CONTENT_CHANGED",
        "api.webhooks_schema.RELEASE_PUBLISHED_EVENT",
        "api.webhooks_schema.TEST_EVENT",
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
    "PREPROCESSING_HOOKS": ["api.schema.only_delivery_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.item_schemas_from_registry",
        "api.schema.query_arrays_not_empty",
        "api.schema.guide_and_servers",
    ],
}

# CORS: frontends that may call the API from a browser.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
CORS_ALLOW_HEADERS = ["accept", "authorization", "content-type", "if-none-match", "user-agent"]

# Where reviewers' previews and the reference frontend live.
FRONTEND_URL = env_str("FRONTEND_URL", "http://127.0.0.1:8001")
# Per-site frontends, when one CMS feeds several: "site hostname=frontend URL,...".
FRONTEND_SITE_URLS = dict(
    item.split("=", 1) for item in env_list("FRONTEND_SITE_URLS") if "=" in item
)

# Preview tokens (see preview/): how long the admin's live preview and share links stay valid.
PREVIEW_LIVE_TTL = env_int("PREVIEW_LIVE_TTL", 30 * 60)
PREVIEW_SHARE_MAX_TTL = env_int("PREVIEW_SHARE_MAX_TTL", 7 * 24 * 60 * 60)

# Delivery API
# Absolute base of media and document URLs in API documents (frontends live on other origins).
API_PUBLIC_BASE_URL = env_str("API_PUBLIC_BASE_URL", WAGTAILADMIN_BASE_URL)
# The renditions every image carries in the API: name -> Wagtail filter spec.
API_IMAGE_RENDITIONS = {
    "thumbnail": "fill-160x160",
    "small": "max-480x480",
    "medium": "max-960x960",
    "large": "max-1920x1920",
}
# The widths (px) of each image's responsive `sources` (WebP and a PNG/JPEG fallback), rendered at
# publish time; never wider than the original.
API_IMAGE_WIDTHS = [320, 640, 1280]
API_CACHE_MAX_AGE = env_int("API_CACHE_MAX_AGE", 60)
# The origin clients and the CDN reach the API at: purges name URLs under it.
API_BASE_URL = env_str("API_BASE_URL", API_PUBLIC_BASE_URL)


def frontend_cache_from_env() -> dict:
    """Return WAGTAILFRONTENDCACHE for FRONTEND_CACHE_BACKEND (varnish, http, cloudflare,
    cloudfront).

    Publishing purges the changed API URLs through it (see pipeline.caches). Unset: no purge;
    responses still carry ETags and expire after API_CACHE_MAX_AGE.
    """
    backend = env_str("FRONTEND_CACHE_BACKEND")
    hostnames = env_list("FRONTEND_CACHE_HOSTNAMES")
    if backend is None:
        return {}
    if backend in ("http", "varnish"):
        config = {
            "BACKEND": {
                "http": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
                # PURGE plus BAN of each changed path with all its query strings (deploy/varnish)
                "varnish": "pipeline.frontend_cache.VarnishBackend",
            }[backend],
            "LOCATION": require_env(
                "FRONTEND_CACHE_LOCATION", "the cache to send PURGE to, e.g. http://varnish:6081."
            ),
        }
    elif backend == "cloudflare":
        config = {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
            "BEARER_TOKEN": require_env("CLOUDFLARE_BEARER_TOKEN", "a token with Cache Purge."),
            "ZONEID": require_env("CLOUDFLARE_ZONE_ID", "the zone serving the API."),
        }
    elif backend == "cloudfront":
        config = {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
            "DISTRIBUTION_ID": require_env(
                "CLOUDFRONT_DISTRIBUTION_ID", "the distribution serving the API (needs boto3)."
            ),
        }
    else:
        raise ImproperlyConfigured(
            "FRONTEND_CACHE_BACKEND must be varnish, http, cloudflare or cloudfront, "
            f"got {backend!r}."
        )
    if hostnames:
        config["HOSTNAMES"] = hostnames
    return {"default": config}


WAGTAILFRONTENDCACHE = frontend_cache_from_env()
# How long the change log keeps entries; a consumer whose cursor is older must resync (410).
CHANGES_RETENTION_DAYS = env_int("CHANGES_RETENTION_DAYS", 90)
# Anonymous API reads are answered before DRF from the last full answer to the same URL while the
# feed position has not moved (api.middleware): 304 to a matching If-None-Match, else the
# remembered 200. Remembered answers expire after this many seconds (0: off).
API_ORIGIN_CACHE_SECONDS = env_int("API_ORIGIN_CACHE_SECONDS", API_CACHE_MAX_AGE)
API_URL_PREFIX = "/api/v1/"
# On PostgreSQL each process keeps the change feed's position in memory, told of every commit by
# LISTEN/NOTIFY (pipeline.feed_watch), instead of reading it once per cached answer. The listener
# reads the position itself every HEARTBEAT seconds; if it has heard nothing for LEASE seconds
# (or lost its connection), readers ask the database again until it recovers.
FEED_POSITION_LISTEN = env_bool("FEED_POSITION_LISTEN", True)
FEED_POSITION_HEARTBEAT_SECONDS = env_float("FEED_POSITION_HEARTBEAT_SECONDS", 1.0)
FEED_POSITION_LEASE_SECONDS = env_float("FEED_POSITION_LEASE_SECONDS", 3.0)

# Preview tokens travel in query strings: every request log line is redacted (`token=[redacted]`),
# on the loggers that write request lines and on the handler everything else propagates to.
# Gunicorn's access log is redacted by its logger class (gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "preview.logging.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_tokens"],
        },
        "django.request": {"filters": ["redact_tokens"]},
    },
}

# Webhooks and the workers (pipeline.webhooks, pipeline.periodic) ----------------------------
# Seconds to wait after each failed attempt; a delivery gives up after the last wait. The
# default spreads 12 attempts over about three days; each wait is jittered by +-20 %.
WEBHOOK_RETRY_SCHEDULE = env_float_list(
    "WEBHOOK_RETRY_SCHEDULE", [5, 300, 1800, 7200, 18000, 36000, 36000, 43200, 43200, 43200, 43200]
)
WEBHOOK_RETRY_JITTER = 0.2
WEBHOOK_RETRY_AFTER_MAX_SECONDS = 24 * 3600  # cap on the wait a receiver's Retry-After asks
WEBHOOK_TIMEOUT_SECONDS = env_float("WEBHOOK_TIMEOUT_SECONDS", 10)
# A worker holds a delivery this long; one that dies mid-request frees it after that.
WEBHOOK_LEASE_SECONDS = env_float("WEBHOOK_LEASE_SECONDS", 60)
WEBHOOK_MAX_IN_FLIGHT = env_int("WEBHOOK_MAX_IN_FLIGHT", 4)  # default for new endpoints
WEBHOOK_SECRET_OVERLAP_SECONDS = env_int("WEBHOOK_SECRET_OVERLAP_SECONDS", 24 * 3600)
# Targets resolving to private, loopback, link-local or reserved addresses are refused (SSRF)
# unless inside one of these networks (CIDRs). Cloud metadata addresses are always refused.
WEBHOOK_ALLOWED_PRIVATE_NETWORKS = env_list("WEBHOOK_ALLOWED_PRIVATE_NETWORKS")
WEBHOOK_RESPONSE_EXCERPT_BYTES = 1024
# The sweeper re-queues a due delivery whose task has not run for this long (a lost task).
WEBHOOK_SWEEP_STALE_SECONDS = env_float("WEBHOOK_SWEEP_STALE_SECONDS", 300)
# How often `manage.py beat` enqueues scheduled publishing and the webhook sweeper, and how
# often change pruning (CHANGES_RETENTION_DAYS) runs.
WORKER_BEAT_SECONDS = env_float("WORKER_BEAT_SECONDS", 5)
CHANGES_PRUNE_SECONDS = env_float("CHANGES_PRUNE_SECONDS", 3600)
