"""Settings for production: everything comes from the environment, nothing insecure by default.

Refuses to start when a required variable is missing, and says which one and why.
"""

from .base import *  # noqa: F403
from .base import env_bool, env_int, env_list, require_env

DEBUG = False

SECRET_KEY = require_env("SECRET_KEY", "a long random string, e.g. `openssl rand -base64 48`.")
ALLOWED_HOSTS = require_env(
    "ALLOWED_HOSTS", "the comma-separated host names this server answers, e.g. cms.example.org."
).split(",")
require_env("DATABASE_URL", "e.g. postgres://cms@db.internal:5432/cms (SQLite is for laptops).")
REDIS_URL = require_env(
    "REDIS_URL", "the cache shared by all app servers, e.g. redis://cache.internal:6379/0."
)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "cms",
    }
}
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
