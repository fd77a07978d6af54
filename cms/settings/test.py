"""Settings for the test suite: fast hashers, local caches, the real task queue tables.

`DATABASE_URL` selects PostgreSQL; without it the suite runs on SQLite.
"""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS, env_str

DEBUG = False
SECRET_KEY = "test-secret-key-not-used-anywhere-else-0123456789abcdefghijklmnop"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The cache outlives each test's transaction; tests of the origin cache turn it on themselves
# (tests/test_origin_cache.py, test_list_cache.py), so no test depends on an earlier one's.
API_ORIGIN_CACHE_SECONDS = 0
# Most tests publish inside a transaction that never commits, so no notification would ever reach
# a listener: they read the position from the database; tests/test_feed_watch.py turns it on.
FEED_POSITION_LISTEN = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CORS_ALLOWED_ORIGINS = ["https://frontend.example"]
# The developer tools that dev settings install, so that their tests run: `serve`,
# `generate_content`.
INSTALLED_APPS = [*INSTALLED_APPS, "cms.dev", "bench"]

if env_str("DATABASE_URL") is None:
    # A file, not SQLite's in-memory database: the live server's threads, the browser tests and
    # the concurrency tests' threads each open their own connection to it. One file per test
    # process (pytest-xdist workers are processes; they also add a `_gw<n>` suffix), removed
    # when the run ends; in memory-backed /dev/shm where there is one, and never synced to disk.
    _folder = "/dev/shm" if os.access("/dev/shm", os.W_OK) else tempfile.gettempdir()  # noqa: S108
    DATABASES["default"]["TEST"] = {"NAME": str(Path(_folder) / f"cms-test-{os.getpid()}.sqlite3")}
    DATABASES["default"]["OPTIONS"]["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
    )

WAGTAILADMIN_BASE_URL = "http://testserver"

# Webhooks: the tests' receivers listen on loopback, which the SSRF rule otherwise refuses.
WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.0/8", "::1/128"]
