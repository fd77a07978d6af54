"""frontend/serve.py asks the API's `resolve` whether a page exists (404 or not) with a short
timeout: an API that hangs never hangs the frontend. (The 404 itself, against a live API, is in
tests/e2e/test_reference_frontend.py.)"""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[1] / "frontend" / "serve.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_hanging_api_gets_the_page_after_the_resolve_timeout(tmp_path):
    log = tmp_path / "frontend.log"
    with socket.socket() as hanging_api, log.open("w") as log_file:  # accepts, never answers
        hanging_api.bind(("127.0.0.1", 0))
        hanging_api.listen(16)
        api_url = f"http://127.0.0.1:{hanging_api.getsockname()[1]}"
        port = free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                str(FRONTEND),
                "--port",
                str(port),
                "--api",
                api_url,
                "--resolve-timeout",
                "0.3",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.05)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/members/", timeout=10) as page:
                status, body = page.status, page.read().decode()
        finally:
            process.terminate()
            process.wait(timeout=10)

    assert status == 200
    assert '<p class="loading">Loading…</p>' in body  # the page then says what went wrong
    assert "resolve /members/: timed out" in log.read_text()
