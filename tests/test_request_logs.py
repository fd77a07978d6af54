"""Every log the project writes keeps preview tokens out, however the parameter is encoded, and
names the client as throttling does (the peer, or what a trusted proxy says): gunicorn's access
log and the reference frontend's log, each read from a real process. (Django's own request log:
tests/test_preview_security.py.)"""

import importlib.util
import io
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from preview.logging import redact

from .gunicorn_server import app_server, free_port, status_of

FRONTEND = Path(settings.BASE_DIR) / "frontend" / "serve.py"


def frontend_redact():
    """The reference frontend's own `redact` (it is a stand-alone script, not a package)."""
    spec = importlib.util.spec_from_file_location("frontend_serve", FRONTEND)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.redact


# What the preview endpoint (and the frontend's router) read as `token` after decoding, as a
# log prints it: each must lose its value.
ENCODED_TOKENS = [
    "?tok%65n=SECRET",
    "?%74%6F%6B%65%6E=SECRET",
    "?t%6fken=SECRET&id=3",
    "?id=3&token=SECRET",
    "?token=SEC%52ET",
    "?tok%45n=SECRET",  # `tokEn` is not read by the endpoint: redacting more is safe
    "?TOKEN=SECRET",
    "?preview_token=SECRET",
    "?next=%2F%3Ftok%2565n%3DSECRET",  # a URL inside a Referer's query, encoded twice
    "?next=%2F%3Ftoken%3DSECRET",
]


@pytest.mark.parametrize("query", ENCODED_TOKENS)
@pytest.mark.parametrize("implementation", ["cms", "frontend"])
def test_every_encoding_of_the_token_parameter_is_redacted(query, implementation):
    redact_text = redact if implementation == "cms" else frontend_redact()

    line = redact_text(f'"GET /api/v1/preview/{query} HTTP/1.1" 200')

    assert "SECRET" not in line and "SEC%52ET" not in line
    assert "[redacted]" in line
    assert ("&id=3" in line) == ("&id=3" in query)


@pytest.mark.parametrize(
    "text", ["/tokens/?page=2", "?tokens=3&id=4", "?tok=1&en=2", "?broken=x", "/token/"]
)
@pytest.mark.parametrize("implementation", ["cms", "frontend"])
def test_other_parameters_are_left_alone(text, implementation):
    redact_text = redact if implementation == "cms" else frontend_redact()

    assert redact_text(text) == text


def wait_for_lines(path: Path, count: int) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        text = path.read_text() if path.exists() else ""
        if len(text.splitlines()) >= count:
            return text
        time.sleep(0.05)
    return path.read_text() if path.exists() else ""


@pytest.mark.slow
def test_gunicorn_access_log_redacts_every_encoding_and_names_the_client(tmp_path):
    env = {"LOG_LEVEL": "WARNING", "TRUSTED_PROXIES": ""}
    with app_server(tmp_path, name="direct", env=env, workers=1, threads=1) as server:
        statuses = [
            status_of(
                f"{server.url}/api/v1/preview/{query}",
                {"Referer": f"http://fe.test/{query}", "X-Forwarded-For": "203.0.113.66"},
            )
            for query in ENCODED_TOKENS
        ]
        log = wait_for_lines(server.access_log, len(ENCODED_TOKENS))
        errors = server.error_log.read_text()

    # The endpoint reads `tok%65n` as its token (401: invalid); unknown names are a 400.
    assert statuses[0] == 401 and set(statuses) <= {400, 401}
    assert len(log.splitlines()) == len(ENCODED_TOKENS), log
    assert "SECRET" not in log and "SEC%52ET" not in log, log
    assert "SECRET" not in errors
    assert log.count("[redacted]") == 2 * len(ENCODED_TOKENS)  # request line and Referer
    # No trusted proxy: the header is ignored, the peer is the client.
    assert all(line.startswith("127.0.0.1 ") for line in log.splitlines()), log


@pytest.mark.slow
def test_gunicorn_access_log_names_the_client_a_trusted_proxy_forwards(tmp_path):
    env = {"LOG_LEVEL": "WARNING", "TRUSTED_PROXIES": "127.0.0.0/8"}
    with app_server(tmp_path, name="proxied", env=env, workers=1, threads=1) as server:
        status_of(
            f"{server.url}/api/v1/changes/?cursor=not-a-cursor",  # a 400 before any query
            {"X-Forwarded-For": "6.6.6.6, 203.0.113.66, 127.0.0.9"},
        )
        log = wait_for_lines(server.access_log, 1)

    assert log.startswith("203.0.113.66 "), log


@pytest.mark.slow
def test_the_reference_frontend_log_redacts_every_encoding(tmp_path):
    port = free_port()
    stderr = tmp_path / "frontend.log"
    with stderr.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, str(FRONTEND), "--port", str(port), "--api", "http://127.0.0.1:1"],
            stdout=subprocess.DEVNULL,
            stderr=sink,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if status_of(f"{base}/ready") == 200:
                    break
            except OSError:
                time.sleep(0.1)
        for query in ENCODED_TOKENS:
            with urllib.request.urlopen(f"{base}/faq/{query}", timeout=10) as response:
                assert response.status == 200
        log = wait_for_lines(stderr, len(ENCODED_TOKENS) + 1)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)

    assert log.count("[redacted]") == len(ENCODED_TOKENS), log
    assert "SECRET" not in log and "SEC%52ET" not in log, log


def test_gunicorn_error_log_redacts_the_uri_of_a_failed_request():
    from gunicorn.config import Config

    from cms.gunicorn_logging import RedactingGunicornLogger

    config = Config()
    config.set("errorlog", "-")
    logger = RedactingGunicornLogger(config)
    stream = io.StringIO()
    for handler in logger.error_log.handlers:
        if getattr(handler, "_gunicorn", False):  # not pytest's capture handlers
            handler.stream = stream

    logger.exception("Error handling request %s", "/api/v1/preview/?tok%65n=SECRET")

    assert "SECRET" not in stream.getvalue()
    assert "tok%65n=[redacted]" in stream.getvalue()
