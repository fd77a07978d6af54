"""Settings for a developer's laptop: `make run`."""

from .base import *  # noqa: F403
from .base import FRONTEND_URL, INSTALLED_APPS, env_list, env_str

DEBUG = True
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CORS_ALLOWED_ORIGINS = env_list(
    "CORS_ALLOWED_ORIGINS",
    [FRONTEND_URL, FRONTEND_URL.replace("127.0.0.1", "localhost")],
)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Developer tools, never installed in production: `serve` (cms.dev), `generate_content` (bench).
INSTALLED_APPS = [*INSTALLED_APPS, "cms.dev", "bench"]
