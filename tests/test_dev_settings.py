"""`make run HOST=... PORT=... FRONTEND_PORT=...`: every URL the dev settings derive follows them.

The settings are read in a subprocess, as `manage.py` would read them with that environment.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
DERIVED = (
    "WAGTAILADMIN_BASE_URL",
    "API_PUBLIC_BASE_URL",
    "API_BASE_URL",
    "FRONTEND_URL",
    "CORS_ALLOWED_ORIGINS",
    "ALLOWED_HOSTS",
    "EMAIL_BACKEND",
    "LOGGING",
)
READ = f"""
import json
from cms.settings import dev
print(json.dumps({{name: getattr(dev, name) for name in {DERIVED!r}}}, default=str))
"""
URL_VARIABLES = (
    "WAGTAILADMIN_BASE_URL",
    "API_PUBLIC_BASE_URL",
    "API_BASE_URL",
    "FRONTEND_URL",
    "CORS_ALLOWED_ORIGINS",
    "ALLOWED_HOSTS",
    "LOG_LEVEL",
)


def dev_settings(tmp_path, **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in URL_VARIABLES + ("HOST", "PORT")}
    clean.pop("FRONTEND_PORT", None)
    result = subprocess.run(
        [sys.executable, "-c", READ],
        cwd=BASE_DIR,
        env={**clean, "CMS_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_every_url_follows_host_port_and_frontend_port(tmp_path):
    found = dev_settings(tmp_path, HOST="127.0.0.1", PORT="18123", FRONTEND_PORT="18124")

    assert found["WAGTAILADMIN_BASE_URL"] == "http://127.0.0.1:18123"  # e-mails, share links
    assert found["API_PUBLIC_BASE_URL"] == "http://127.0.0.1:18123"  # media in documents
    assert found["API_BASE_URL"] == "http://127.0.0.1:18123"  # cache purges
    assert found["FRONTEND_URL"] == "http://127.0.0.1:18124"  # previews, page links
    assert found["CORS_ALLOWED_ORIGINS"] == ["http://127.0.0.1:18124", "http://localhost:18124"]


def test_defaults_are_the_readmes_ports(tmp_path):
    found = dev_settings(tmp_path)

    assert found["WAGTAILADMIN_BASE_URL"] == "http://127.0.0.1:8000"
    assert found["FRONTEND_URL"] == "http://127.0.0.1:8001"
    assert "http://127.0.0.1:8001" in found["CORS_ALLOWED_ORIGINS"]


def test_a_named_host_is_allowed_and_used_and_a_wildcard_bind_means_loopback(tmp_path):
    named = dev_settings(tmp_path, HOST="cms.local", PORT="9000", FRONTEND_PORT="9001")
    everywhere = dev_settings(tmp_path, HOST="0.0.0.0", PORT="9000")  # noqa: S104

    assert named["WAGTAILADMIN_BASE_URL"] == "http://cms.local:9000"
    assert named["FRONTEND_URL"] == "http://cms.local:9001"
    assert "cms.local" in named["ALLOWED_HOSTS"]
    assert everywhere["WAGTAILADMIN_BASE_URL"] == "http://127.0.0.1:9000"


def test_explicit_urls_still_win(tmp_path):
    found = dev_settings(
        tmp_path,
        PORT="9000",
        API_PUBLIC_BASE_URL="https://media.example",
        FRONTEND_URL="https://www.example",
    )

    assert found["WAGTAILADMIN_BASE_URL"] == "http://127.0.0.1:9000"
    assert found["API_PUBLIC_BASE_URL"] == "https://media.example"
    assert found["CORS_ALLOWED_ORIGINS"] == ["https://www.example"]


def test_output_is_quiet_unless_log_level_says_otherwise(tmp_path):
    quiet = dev_settings(tmp_path)["LOGGING"]
    loud = dev_settings(tmp_path, LOG_LEVEL="debug")["LOGGING"]

    assert quiet["handlers"]["console"]["level"] == "WARNING"  # task and request lines hidden
    assert quiet["loggers"]["django.request"]["level"] == "ERROR"  # no 404 warnings
    assert loud["handlers"]["console"]["level"] == "DEBUG"
    assert dev_settings(tmp_path)["EMAIL_BACKEND"].endswith("filebased.EmailBackend")
