"""Settings for production: everything comes from the environment, nothing insecure by default.

Refuses to start when a required variable is missing, and says which one and why.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_int, env_list, env_str, require_env

DEBUG = False

SECRET_KEY = require_env("SECRET_KEY", "a long random string, e.g. `openssl rand -base64 48`.")
ALLOWED_HOSTS = require_env(
    "ALLOWED_HOSTS", "the comma-separated host names this server answers, e.g. cms.example.org."
).split(",")
if "*" in ALLOWED_HOSTS and not env_bool("ALLOW_ANY_HOST"):
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS contains '*': name the hosts this server answers (e.g. cms.example.org), "
        "or set ALLOW_ANY_HOST=1 if a proxy in front already checks the Host header."
    )
DATABASE_URL = require_env(
    "DATABASE_URL", "e.g. postgres://cms@db.internal:5432/cms (SQLite is for laptops)."
)
if DATABASE_URL.startswith("sqlite") and not env_bool("ALLOW_SQLITE_IN_PRODUCTION"):
    raise ImproperlyConfigured(
        "DATABASE_URL is SQLite: production needs PostgreSQL shared by every app server and "
        "worker (e.g. postgres://cms@db.internal:5432/cms), or set ALLOW_SQLITE_IN_PRODUCTION=1 "
        "for a single-box install."
    )
REDIS_URL = require_env(
    "REDIS_URL", "the cache shared by all app servers, e.g. redis://cache.internal:6379/0."
)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "cms"),
    }
}
# Public addresses baked into what the CMS sends out (API documents, previews, e-mails): a
# default here would be a laptop's address in production.
WAGTAILADMIN_BASE_URL = require_env(
    "WAGTAILADMIN_BASE_URL", "the admin's public URL, e.g. https://cms.example.org."
)
API_PUBLIC_BASE_URL = require_env(
    "API_PUBLIC_BASE_URL",
    "the public base of API and media URLs in documents, e.g. https://api.example.org.",
)
FRONTEND_URL = require_env(
    "FRONTEND_URL", "where previews and page links open, e.g. https://www.example.org."
)
API_BASE_URL = env_str("API_BASE_URL", API_PUBLIC_BASE_URL)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"  # Wagtail lifts it to SAMEORIGIN for its own preview views
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)  # noqa: F405
