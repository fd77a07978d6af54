"""Settings for a developer's laptop: `make run`.

Every URL the CMS hands out follows `HOST`, `PORT` and `FRONTEND_PORT` (what `make run HOST=...
PORT=... FRONTEND_PORT=...` serves on): the admin's base URL (e-mails, share links), the base
of media URLs in API documents, the frontend (previews, page links) and the origins CORS lets
call the API. An explicit `WAGTAILADMIN_BASE_URL`, `API_PUBLIC_BASE_URL`, `FRONTEND_URL` or
`CORS_ALLOWED_ORIGINS` still wins.
"""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, LOGGING, VAR_DIR, env_int, env_list, env_str

DEBUG = True
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-in-production")

# Where `make run` serves: the admin and API on HOST:PORT, the frontend on HOST:FRONTEND_PORT.
DEV_HOST = env_str("HOST", "127.0.0.1")
DEV_PORT = env_int("PORT", 8000)
DEV_FRONTEND_PORT = env_int("FRONTEND_PORT", 8001)


def browser_host(host: str) -> str:
    """Return the name a browser uses for a server listening on `host` (a bind address)."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 (a bind address, not a bind)
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


_HOST = browser_host(DEV_HOST)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", sorted({"127.0.0.1", "localhost", "[::1]", "testserver", _HOST.strip("[]")})
)
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", f"http://{_HOST}:{DEV_PORT}")
API_PUBLIC_BASE_URL = env_str("API_PUBLIC_BASE_URL", WAGTAILADMIN_BASE_URL)
API_BASE_URL = env_str("API_BASE_URL", API_PUBLIC_BASE_URL)
FRONTEND_URL = env_str("FRONTEND_URL", f"http://{_HOST}:{DEV_FRONTEND_PORT}")
# The frontend by the name the banner gives and by `localhost`, which browsers treat as another
# origin.
CORS_ALLOWED_ORIGINS = env_list(
    "CORS_ALLOWED_ORIGINS",
    list(dict.fromkeys([FRONTEND_URL, FRONTEND_URL.replace("127.0.0.1", "localhost")])),
)

# E-mails (moderation notifications) go to files, one per message, not onto the terminal.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"

# Quiet by default: request lines and the task worker's per-task lines show at LOG_LEVEL=INFO
# or DEBUG; warnings and errors always. The level is the handler's, since `db_worker` sets its
# loggers' levels itself.
LOG_LEVEL = env_str("LOG_LEVEL", "WARNING").upper()
LOGGING = {
    **LOGGING,
    "handlers": {"console": {**LOGGING["handlers"]["console"], "level": LOG_LEVEL}},
    "root": {**LOGGING["root"], "level": LOG_LEVEL},
    "loggers": {
        **LOGGING["loggers"],
        # Django logs every 404 as a warning; in development that is the request line's job.
        "django.request": {
            **LOGGING["loggers"]["django.request"],
            "level": "ERROR" if LOG_LEVEL == "WARNING" else LOG_LEVEL,
        },
    },
}

# Developer tools, never installed in production: `serve` (cms.dev), `generate_content` (bench).
INSTALLED_APPS = [*INSTALLED_APPS, "cms.dev", "bench"]
