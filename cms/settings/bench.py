"""Settings for `bench/`: production-like (DEBUG off, persistent DB connections, no debug
tooling), without throttling, with Wagtail's own API v2 and v3 mounted beside ours on the same
data for comparison. Benchmarks only: v2 and v3 are never part of the delivered site.
"""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, REST_FRAMEWORK, VAR_DIR, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", "bench-only-insecure-key-never-used-for-a-real-site")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

# As in production: connections are kept between requests.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)  # noqa: F405
# Only reads are served here. Our API opts out of ATOMIC_REQUESTS; Wagtail's v2/v3 and the floor
# would otherwise run each request in a transaction, and on SQLite (BEGIN IMMEDIATE) take the
# write lock, serialising every request: that would measure the lock, not the APIs.
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # noqa: F405

# `bench` first: it declares the models' API fields and tells v3 how to read a CountryField,
# before v3 builds its schemas.
INSTALLED_APPS = [
    "bench.apps.BenchServerConfig",
    *INSTALLED_APPS,
    "wagtail.api.v2",
    "wagtail.api.v3",
]
ROOT_URLCONF = "bench.urls"

# wrk's 16 connections from one address would be throttled within a second.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "preview": None, "auth_failure": None},
}

# Wagtail v2/v3: allow the list sizes the benchmark asks for (v2 defaults to at most 20).
WAGTAILAPI_LIMIT_MAX = 100
WAGTAILAPI_BASE_URL = env_str("WAGTAILAPI_BASE_URL", "http://127.0.0.1:8000")

# The floor view serves the bytes of our list and detail responses from files written here.
BENCH_FLOOR_DIR = env_str("BENCH_FLOOR_DIR", str(VAR_DIR / "bench-floor"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
