"""Production settings refuse to start without what they need, and pass Django's deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_ENV = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "SECRET_KEY": "example-" + "k7Vq2pXz9rTb4nLm8sWc3yHd6fJg1aRe5uQo0iKv" * 2,
    "ALLOWED_HOSTS": "cms.example.org",
    "DATABASE_URL": "postgres://cms@db.example.org:5432/cms",
    "REDIS_URL": "redis://cache.example.org:6379/0",
    "CSRF_TRUSTED_ORIGINS": "https://cms.example.org",
    "WAGTAILADMIN_BASE_URL": "https://cms.example.org",
    "API_PUBLIC_BASE_URL": "https://api.example.org",
    "FRONTEND_URL": "https://www.example.org",
}
OVERRIDES = ("ALLOW_SQLITE_IN_PRODUCTION", "ALLOW_ANY_HOST")


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in EXAMPLE_ENV and k not in OVERRIDES}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=EXAMPLE_ENV)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "WAGTAILADMIN_BASE_URL",
        "API_PUBLIC_BASE_URL",
        "FRONTEND_URL",
    ],
)
def test_production_refuses_to_start_without_a_required_variable(missing):
    env = {k: v for k, v in EXAMPLE_ENV.items() if k != missing}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_refuses_sqlite_unless_told_it_is_a_single_box():
    env = {**EXAMPLE_ENV, "DATABASE_URL": "sqlite:////srv/cms/db.sqlite3"}

    refused = manage("check", env=env)
    allowed = manage("check", env={**env, "ALLOW_SQLITE_IN_PRODUCTION": "1"})

    assert refused.returncode != 0
    assert "DATABASE_URL is SQLite" in refused.stderr
    assert "ALLOW_SQLITE_IN_PRODUCTION=1" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr


def test_production_refuses_any_host_unless_told_a_proxy_checks_it():
    env = {**EXAMPLE_ENV, "ALLOWED_HOSTS": "cms.example.org,*"}

    refused = manage("check", env=env)
    allowed = manage("check", env={**env, "ALLOW_ANY_HOST": "1"})

    assert refused.returncode != 0
    assert "ALLOWED_HOSTS contains '*'" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr


def test_the_example_environment_file_names_every_required_variable():
    example = (ROOT / "deploy" / "cms.env.example").read_text()
    names = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line}

    assert set(EXAMPLE_ENV) - {"DJANGO_SETTINGS_MODULE"} <= names
