"""Browser tests: Playwright drives Debian's headless Chromium against a live CMS and the
reference frontend (frontend/serve.py) in a subprocess.

Chromium comes from Debian (`scripts/ensure-chromium`), never from Playwright's downloads.
Screenshots of each step go to test-artifacts/e2e/.
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.factories import UserFactory
from tests.helpers import OLD_ANSWER as OLD_ANSWER_HTML
from tests.helpers import build_site, fresh

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery"
OLD_ANSWER = re.sub(r"<[^>]+>", "", OLD_ANSWER_HTML)  # the site's first FAQ answer, as read
NEW_ANSWER = "ISECG is a voluntary, non-binding forum of 27 space agencies."


@pytest.fixture(scope="module")
def browser(django_db_setup):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM}: run scripts/ensure-chromium "
            "(apt-get install chromium)"
        )
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which Django's ORM
    # takes for async code; the test's own ORM calls are synchronous, so allow them, for these
    # tests only. With a loop running, Django also keeps its connections apart (asgiref's
    # thread-critical Local switches to context storage), so the new ones get the copy of the
    # migrations' data that serialized rollback restores after each flush.
    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            for alias, contents in serialized.items():
                if contents is not None:
                    connections[alias]._test_serialized_contents = contents
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Frontend:
    def __init__(self, url: str, process: subprocess.Popen, log: Path):
        self.url = url
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_frontend(api_url: str, folder: Path, *options: str) -> Frontend:
    """Start frontend/serve.py on a free port, reading the API at `api_url`; stop it with
    `.stop()`."""
    port = _free_port()
    log = folder / "frontend.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "frontend" / "serve.py"),
                "--port",
                str(port),
                "--api",
                api_url,
                *options,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None:
            raise RuntimeError(f"frontend/serve.py exited: {log.read_text()}")
        time.sleep(0.1)
    return Frontend(f"http://127.0.0.1:{port}", process, log)


@pytest.fixture(scope="session")
def frontend(live_server, tmp_path_factory):
    """The reference frontend, on its own port, reading the live server's API."""
    frontend = start_frontend(live_server.url, tmp_path_factory.mktemp("frontend"))
    yield frontend
    frontend.stop()


@pytest.fixture
def site(live_server, frontend, settings):
    """The tests' one published site (`tests.helpers.build_site`), its editor and reviewer, and
    the CMS pointed at the frontend."""
    from wagtail.models import Site

    settings.FRONTEND_URL = frontend.url
    settings.CORS_ALLOWED_ORIGINS = [frontend.url]
    settings.API_PUBLIC_BASE_URL = live_server.url
    built = build_site(Site.objects.get(is_default_site=True).root_page.specific)
    editor = UserFactory(username="editor", groups=["Editors"], password=PASSWORD)
    reviewer = UserFactory(username="reviewer", groups=["Reviewers"], password=PASSWORD)
    return {
        "home": built.home,
        "faq": fresh(built.faq_isecg),
        "site": built,
        "editor": editor,
        "reviewer": reviewer,
    }


@pytest.fixture
def shoot(request):
    """Save a full-page screenshot of a step: test-artifacts/e2e/<test>/<n>-<step>.png."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(page, step: str) -> Path:
        path = folder / f"{next(counter):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
