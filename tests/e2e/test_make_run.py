"""Acceptance: the real `make run` on non-default ports, tried as a newcomer would.

One `make run HOST=127.0.0.1 PORT=<free> FRONTEND_PORT=<free>` per module, its var/ (SQLite,
media, mail, logs) in a temporary folder (CMS_VAR_DIR), stopped with Ctrl-C at the end; every
process it started is gone afterwards. Screenshots go to SCREENSHOT_DIR (default
test-artifacts/e2e/make-run/), printed when the module ends.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email import message_from_bytes
from pathlib import Path

import pytest

from .conftest import ARTIFACTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("make_run"),  # one `make run` per run, not one per test process
]

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 300  # a fresh database: migrations and the ISECG content, on a busy machine
STOP_SECONDS = 30
TIMEOUT = 30_000
BANNER = "The CMS is running; Ctrl-C stops everything."
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or ARTIFACTS / "make-run")
FIRST_QUESTION = "What does ISECG stand for?"
FIRST_ANSWER = "ISECG is the acronym for International Space Exploration Coordination Group."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found |= {int(child)} | descendants(int(child))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class MakeRun:
    def __init__(self, process, output: Path, var_dir: Path, port: int, frontend_port: int):
        self.process = process
        self.output = output
        self.var_dir = var_dir
        self.port = port
        self.frontend_port = frontend_port
        self.cms = f"http://127.0.0.1:{port}"
        self.frontend = f"http://127.0.0.1:{frontend_port}"
        self.seen: set[int] = set()

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def passwords(self) -> dict[str, str]:
        lines = self.text().split(BANNER, 1)[1].splitlines()
        found = {}
        pattern = re.compile(r"  (?:log in as|\s{9}) (admin|editor|reviewer|member)\s+(\S+)")
        for line in lines:
            match = pattern.fullmatch(line)
            if match:
                found[match.group(1)] = match.group(2)
        return found

    def get(self, path: str, **headers) -> tuple[int, dict, bytes]:
        url = path if path.startswith("http") else self.cms + path
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    if not Path("/proc/self/task").exists():
        pytest.skip("needs Linux /proc to find and clean up every process make run starts")
    if os.environ.get("DATABASE_URL"):
        pytest.skip("make run serves SQLite whatever the tests use: it runs in the SQLite pass")
    var_dir = tmp_path_factory.mktemp("make-run-var")
    output = var_dir / "make-run.out"
    port, frontend_port = free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "LOG_LEVEL", "REDIS_URL")
        and not key.startswith(("DEMO_", "PYTEST_", "MAKE", "MFLAGS"))
    }
    env.update(CMS_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1", TASKS_BACKEND="database")
    with output.open("wb") as out:
        process = subprocess.Popen(
            [
                *("make", "--no-print-directory", "run", "HOST=127.0.0.1"),
                *(f"PORT={port}", f"FRONTEND_PORT={frontend_port}"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, for Ctrl-C
        )
    run = MakeRun(process, output, var_dir, port, frontend_port)
    run.env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "FRONTEND_PORT": str(frontend_port),
    }
    try:
        deadline = time.monotonic() + START_SECONDS
        while "\nStarted " not in run.text():
            run.seen |= descendants(process.pid)
            assert process.poll() is None, f"make run exited early:\n{run.text()}"
            assert time.monotonic() < deadline, f"no banner after {START_SECONDS}s:\n{run.text()}"
            time.sleep(0.5)
        run.seen |= descendants(process.pid)
        yield run
    finally:
        run.seen |= descendants(process.pid)
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in make's terminal
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in run.seen) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = {pid for pid in run.seen if alive(pid)}
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, f"make run left processes behind: {sorted(left)}"


@pytest.fixture(scope="module")
def shots(request):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:  # (pytest-xdist workers have none: see the README for the path)
        request.addfinalizer(lambda: reporter.write_line(f"\nmake run screenshots: {SCREENSHOTS}"))

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def context_for(browser, **options):
    context = browser.new_context(**options)
    context.route(
        re.compile(r"^https?://(?!(localhost|127\.0\.0\.1)[:/]).*"), lambda route: route.abort()
    )
    context.set_default_timeout(TIMEOUT)
    return context


# What a newcomer sees on the terminal ---------------------------------------------------------


def test_make_run_prints_a_line_per_phase_then_one_banner(make_run):
    text = make_run.text()
    before, after = text.split(BANNER, 1)
    lines = before.strip("\n").splitlines()

    assert len(lines) < 60, before
    for phase in ("Database:", "Content:", "Demo users:", "Site:", "Documents:"):
        assert sum(line.startswith(phase) for line in lines) == 1, before
    for url in (
        f"{make_run.cms}/admin/",
        f"{make_run.cms}/api/v1/",
        f"{make_run.cms}/api/v1/docs/",
        f"{make_run.frontend}/",
    ):
        assert url in after
    assert set(make_run.passwords()) == {"admin", "editor", "reviewer", "member"}
    assert "mail" in after


def test_documents_media_and_cors_follow_the_ports(make_run):
    status, _, body = make_run.get("/api/v1/members/?limit=100")
    assert status == 200
    logos = [m["logo"] for m in json.loads(body)["results"] if m.get("logo")]
    assert len(logos) >= 20
    assert all(logo["url"].startswith(f"{make_run.cms}/media/") for logo in logos)
    assert make_run.get(logos[0]["url"])[0] == 200

    _, headers, _ = make_run.get("/api/v1/faqs/", Origin=make_run.frontend)
    assert headers.get("access-control-allow-origin") == make_run.frontend


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_page_links_reach_the_frontend_through_this_cms(make_run):
    """`page.full_url` ("View live", the e-mail sent when a review is approved) is on this
    CMS's port, which redirects to the frontend's."""
    shell = subprocess.run(
        [
            *(sys.executable, "manage.py", "shell", "-c"),
            "from wagtail.models import Page; "
            "print(Page.objects.get(url_path='/home/faq/isecg/').full_url)",
        ],
        cwd=ROOT,
        env=make_run.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    full_url = shell.stdout.strip().splitlines()[-1]
    assert full_url == f"{make_run.cms}/faq/isecg/"

    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirects).open(full_url, timeout=30)
    assert redirect.value.code == 302
    assert redirect.value.headers["Location"] == f"{make_run.frontend}/faq/isecg/"


def test_the_frontend_the_docs_and_the_admin_work_on_these_ports(browser, make_run, shots):
    visitor = context_for(browser, viewport={"width": 1280, "height": 900}).new_page()
    visitor.goto(f"{make_run.frontend}/faq/isecg/")
    visitor.wait_for_selector("main[aria-busy=false]")
    main = visitor.locator("main").inner_text()
    assert FIRST_QUESTION in main and FIRST_ANSWER in main
    shots(visitor, "frontend-faq-desktop")

    logo_statuses = {}
    visitor.on(
        "response",
        lambda r: logo_statuses.__setitem__(r.url, r.status) if "/media/" in r.url else None,
    )
    visitor.goto(f"{make_run.frontend}/members/")
    visitor.wait_for_selector("main[aria-busy=false]")
    visitor.wait_for_function(
        "() => [...document.querySelectorAll('img.logo')].every(i => i.complete)"
    )
    images = visitor.locator("img.logo")
    assert images.count() >= 20
    assert logo_statuses and set(logo_statuses.values()) == {200}, logo_statuses
    widths = visitor.eval_on_selector_all("img.logo", "els => els.map(e => e.naturalWidth)")
    assert all(width > 0 for width in widths)  # every logo decoded, none broken
    visitor.context.close()

    phone = context_for(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    phone.goto(f"{make_run.frontend}/faq/isecg/")
    phone.wait_for_selector("main[aria-busy=false]")
    assert FIRST_QUESTION in phone.locator("main").inner_text()
    shots(phone, "frontend-faq-phone")
    phone.context.close()

    docs = context_for(browser, viewport={"width": 1280, "height": 900}).new_page()
    docs.goto(f"{make_run.cms}/api/v1/docs/")
    docs.wait_for_selector(".swagger-ui .info, .swagger-ui .opblock", timeout=TIMEOUT)
    shots(docs, "api-docs")
    docs.context.close()


def log_in(browser, make_run, username):
    page = context_for(browser, viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{make_run.cms}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", make_run.passwords()[username])
    page.click("button[type=submit]")
    page.wait_for_url(f"{make_run.cms}/admin/")
    return page


def test_preview_panel_share_link_and_review_mail_use_these_ports(browser, make_run, shots):
    status, _, body = make_run.get("/api/v1/pages/resolve/?path=/faq/isecg/")
    assert status == 200, body
    faq_id = json.loads(body)["id"]

    editor = log_in(browser, make_run, "editor")
    shots(editor, "admin-dashboard")
    editor.goto(f"{make_run.cms}/admin/pages/{faq_id}/edit/")
    editor.click('button[data-side-panel-toggle="preview"]')
    panel = editor.frame_locator("#w-preview-iframe")
    panel.get_by_text(FIRST_ANSWER).wait_for()
    framed = [frame.url for frame in editor.frames if frame.url.startswith(make_run.frontend)]
    assert framed and "token=" in framed[0], [frame.url for frame in editor.frames]
    shots(editor, "admin-preview-panel")

    # Submitting for review mails the reviewers a link to this admin, on this port.
    editor.locator("footer [data-w-dropdown-target=toggle]").last.click()
    editor.click("button[name=action-submit]")
    editor.locator(".messages").get_by_text(re.compile("submitted", re.I)).first.wait_for()
    mails = sorted((make_run.var_dir / "mail").glob("*.log"))
    assert mails, "no e-mail written to var/mail/"
    bodies = "\n".join(mail_text(path) for path in mails)
    assert f"{make_run.cms}/admin/pages/{faq_id}/edit/" in bodies
    assert "http://localhost/" not in bodies

    editor.goto(f"{make_run.cms}/admin/preview/pages/{faq_id}/share-links/")
    editor.fill("#id_label", "Acceptance")
    editor.click("#share-link-form button[type=submit]")
    link = editor.input_value("#share-link-url")
    assert link.startswith(f"{make_run.frontend}/faq/isecg/?token=")
    editor.context.close()

    guest = context_for(browser, viewport={"width": 1100, "height": 800}).new_page()
    guest.goto(link)
    guest.wait_for_selector("main[aria-busy=false]")
    assert guest.locator("#preview-banner").is_visible()
    assert FIRST_ANSWER in guest.locator("main").inner_text()
    shots(guest, "share-link")
    guest.context.close()


def mail_text(path: Path) -> str:
    """The text of every message in a file-backend log (one or more, split by dashes)."""
    texts = []
    for chunk in path.read_bytes().split(b"-" * 79):
        if chunk.strip():
            message = message_from_bytes(chunk.strip())
            for part in message.walk() if message.is_multipart() else [message]:
                if part.get_content_type() == "text/plain":
                    texts.append(part.get_payload(decode=True).decode(errors="replace"))
    return "\n".join(texts)


def test_a_new_port_rebuilds_the_documents_on_the_next_start(make_run):
    """`make run PORT=<another>` re-renders the stored documents for the new base at start-up
    (its setup phase, run here alone against the same var/ while the first one serves)."""
    new_port = free_port()
    env = {**make_run.env, "PORT": str(new_port)}
    setup = subprocess.run(
        [sys.executable, "manage.py", "dev_setup"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )

    documents = next(line for line in setup.stdout.splitlines() if line.startswith("Documents:"))
    assert f"rendered for {make_run.cms}; rebuilding them for http://127.0.0.1:{new_port}" in (
        documents
    )
    status, _, body = make_run.get("/api/v1/members/?limit=1")
    logo = json.loads(body)["results"][0]["logo"]
    assert logo["url"].startswith(f"http://127.0.0.1:{new_port}/media/")


def test_the_terminal_stays_quiet_while_tasks_run_and_mail_is_sent(make_run):
    """Last, after the others published, sent mail and made requests: none of it on the
    terminal (the worker's per-task lines, request lines, whole e-mails)."""
    done = subprocess.run(
        [
            *(sys.executable, "manage.py", "shell", "-c"),
            "from django_tasks_db.models import DBTaskResult; "
            "print(DBTaskResult.objects.filter(status='SUCCESSFUL').count())",
        ],
        cwd=ROOT,
        env=make_run.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert int(done.stdout.split()[-1]) > 0  # the worker did run tasks
    assert list((make_run.var_dir / "mail").glob("*.log"))  # and mail was sent
    text = make_run.text()
    assert "Task id=" not in text
    assert "Subject:" not in text
    assert '"GET /api/v1/' not in text
