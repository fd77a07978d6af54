"""`manage.py serve` runs the web server, the worker, the beat and the frontend, restarts a crashed
one with backoff while the others keep serving, stops them together and leaves no orphans."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cms.dev.management.commands import serve

BASE_DIR = Path(settings.BASE_DIR)


def python(code: str) -> tuple[str, ...]:
    return (sys.executable, "-c", code)


# Which processes it runs.


def test_runs_the_web_server_and_the_worker():
    children = serve.child_processes(host="127.0.0.1", port=8123, frontend_port=8124)

    assert [child.name for child in children] == ["web", "worker", "beat", "frontend"]
    web, worker, beat, _frontend = (child.argv for child in children)
    assert web[1:] == (str(BASE_DIR / "manage.py"), "runserver", "127.0.0.1:8123", "--noreload")
    assert worker[2:] == ("db_worker", "--queue-name", "*", "--interval", "0.5", "--no-reload")
    assert beat[2:] == ("beat",)


def test_with_the_rq_backend_runs_rqs_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "cms.tasks.RQBackend"}}

    children = serve.child_processes(host="127.0.0.1", port=8123, frontend_port=8124)

    worker = next(child.argv for child in children if child.name == "worker")
    assert worker[2:] == ("rqworker", "--with-scheduler", "default")


def test_no_worker_runs_the_web_server_alone():
    children = serve.child_processes(host="::", port=1, frontend_port=2, worker=False)

    assert [child.name for child in children] == ["web", "frontend"]


def test_runs_the_frontend_once_it_exists(tmp_path):
    assert "frontend" not in [
        child.name
        for child in serve.child_processes(host="h", port=1, frontend_port=8001, base_dir=tmp_path)
    ]

    script = tmp_path / "frontend" / "serve.py"
    script.parent.mkdir()
    script.touch()
    children = serve.child_processes(host="h", port=1, frontend_port=8001, base_dir=tmp_path)

    assert children[-1].argv == (
        *(sys.executable, str(script), "--host", "h", "--port", "8001"),
        *("--api", "http://h:1"),
    )
    everywhere = serve.child_processes(host="0.0.0.0", port=8000, frontend_port=8001)  # noqa: S104
    assert everywhere[-1].argv[-2:] == ("--api", "http://127.0.0.1:8000")
    ipv6 = serve.child_processes(host="::", port=8000, frontend_port=8001)[-1].argv
    assert ipv6[2:4] == ("--host", "127.0.0.1")  # frontend/serve.py speaks IPv4 only


# How it supervises them, with stand-in children.


@pytest.fixture
def stand_ins(monkeypatch):
    """Make `serve` run the given (name, argv) pairs instead of the real servers."""

    def use(*children: tuple[str, tuple[str, ...]]):
        monkeypatch.setattr(
            serve,
            "child_processes",
            lambda **kwargs: [serve.Child(name, argv) for name, argv in children],
        )

    return use


SLEEPER = """
import os, sys, time
open(sys.argv[1], "w").write(str(os.getpid()))
time.sleep(60)
"""
GRACEFUL = """
import signal, sys, time
def stop(signum, frame):
    open(sys.argv[1], "w").write(signal.Signals(signum).name)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
time.sleep(60)
"""
OPERATOR = """
import os, signal, time
time.sleep(1)
os.kill(os.getppid(), signal.SIGTERM)  # the parent is `serve`
time.sleep(60)
"""


CRASHER = """
import sys, time
with open(sys.argv[1], "a") as pids:
    pids.write(f"{__import__('os').getpid()}\\n")
time.sleep(0.3)
sys.exit(3)
"""


def operator_after(seconds: float) -> tuple[str, ...]:
    return python(OPERATOR.replace("time.sleep(1)", f"time.sleep({seconds})"))


def test_a_crashed_child_is_restarted_with_backoff_and_the_others_keep_running(
    stand_ins, tmp_path, capsys
):
    sleeper_pid, crasher_pids = tmp_path / "sleeper.pid", tmp_path / "crasher.pids"
    stand_ins(
        ("sleeper", (*python(SLEEPER), str(sleeper_pid))),
        ("crasher", (*python(CRASHER), str(crasher_pids))),
        ("operator", operator_after(5.5)),
    )

    call_command("serve", verbosity=0)  # until the operator's SIGTERM

    pids = [int(pid) for pid in crasher_pids.read_text().split()]
    assert len(pids) == 3, pids  # started, then again after 1 s, then after 2 s
    err = capsys.readouterr().err
    assert f"serve: crasher (pid {pids[0]}) exited with code 3; restarting it in 1s." in err
    assert f"serve: crasher restarted (pid {pids[1]})." in err
    assert f"serve: crasher (pid {pids[1]}) exited with code 3; restarting it in 2s." in err
    assert "sleeper" not in err  # never restarted: the same process throughout
    assert not alive(int(sleeper_pid.read_text()))


def test_the_web_server_failing_to_start_stops_the_others_and_fails(stand_ins, tmp_path):
    pid_file = tmp_path / "sleeper.pid"
    stand_ins(
        ("sleeper", (*python(SLEEPER), str(pid_file))),
        ("web", python("import time, sys; time.sleep(0.5); sys.exit(3)")),
    )

    with pytest.raises(CommandError) as failed:
        call_command("serve", verbosity=0, port=8123)

    assert re.fullmatch(
        r"web \(pid \d+\) exited with code 3 on start-up \(is port 8123 in use\?\); "
        r"stopped sleeper\.",
        str(failed.value),
    )
    assert not alive(int(pid_file.read_text()))


def test_a_signal_is_forwarded_and_serve_returns_normally(stand_ins, tmp_path):
    marker = tmp_path / "stopped"
    stand_ins(("graceful", (*python(GRACEFUL), str(marker))), ("operator", python(OPERATOR)))
    handler_before = signal.getsignal(signal.SIGTERM)

    call_command("serve", verbosity=0)

    assert marker.read_text() == "SIGTERM"
    assert signal.getsignal(signal.SIGTERM) is handler_before


# The real thing: migrate a fresh SQLite file, serve it, stop it with Ctrl-C.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def alive(pid: int) -> bool:
    """Tell whether `pid` is a running process (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def descendants(pid: int) -> set[int]:
    """Every process started, directly or not, by `pid` (Linux /proc)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            found |= {int(child)} | descendants(int(child))
    return found


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)


def health_status(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health/", timeout=2) as r:
            return r.status
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@pytest.fixture(scope="module")
def serve_env(tmp_path_factory):
    """The environment of `make run` on a fresh, migrated SQLite file."""
    var_dir = tmp_path_factory.mktemp("serve")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DATABASE_URL": f"sqlite:///{var_dir / 'db.sqlite3'}",
        "CMS_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    return env


@pytest.fixture
def served(serve_env, tmp_path):
    """Start `manage.py serve` on free ports; yield (process, port, output file)."""
    port = free_port()
    output = tmp_path / "serve.log"
    with output.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "serve",
                "--port",
                str(port),
                "--frontend-port",
                str(free_port()),
            ],
            cwd=BASE_DIR,
            env=serve_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: health_status(port) == 200 or process.poll() is not None, 90, "health")
        assert process.poll() is None, output.read_text()
        yield process, port, output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def child_pid(output: Path, name: str) -> int:
    wait_until(lambda: "\nStarted " in output.read_text(), 30, "the banner")
    started = next(line for line in output.read_text().splitlines() if line.startswith("Started "))
    return int(started.split(f"{name} (pid ", 1)[1].split(")", 1)[0])


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_serve_answers_runs_the_worker_and_ctrl_c_stops_every_child(served):
    process, port, output = served
    web, worker = child_pid(output, "web"), child_pid(output, "worker")
    beat, frontend = child_pid(output, "beat"), child_pid(output, "frontend")
    children = descendants(process.pid)

    assert children == {web, worker, beat, frontend}
    assert alive(worker) and alive(beat)
    assert b"db_worker" in Path(f"/proc/{worker}/cmdline").read_bytes()
    assert b"beat" in Path(f"/proc/{beat}/cmdline").read_bytes()
    text = output.read_text()
    for url in ("/admin/", "/api/v1/", "/api/v1/health/"):
        assert f"http://127.0.0.1:{port}{url}" in text

    process.send_signal(signal.SIGINT)

    assert process.wait(timeout=30) == 0, output.read_text()
    wait_until(lambda: not any(alive(pid) for pid in children), 5, "the children to exit")
    assert health_status(port) is None


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_killed_worker_is_restarted_and_the_admin_keeps_answering(served):
    process, port, output = served
    web, worker = child_pid(output, "web"), child_pid(output, "worker")

    os.kill(worker, signal.SIGKILL)

    wait_until(lambda: "worker restarted (pid" in output.read_text(), 15, "the restart")
    text = output.read_text()
    assert f"serve: worker (pid {worker}) was killed by SIGKILL; restarting it in 1s." in text
    new_worker = int(text.split("worker restarted (pid ", 1)[1].split(")", 1)[0])
    assert alive(web) and alive(new_worker) and process.poll() is None
    assert b"db_worker" in Path(f"/proc/{new_worker}/cmdline").read_bytes()
    assert health_status(port) == 200
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=10) as login:
        assert login.status == 200
    children = descendants(process.pid)

    process.send_signal(signal.SIGINT)  # Ctrl-C still stops everything, the new worker too

    assert process.wait(timeout=30) == 0, output.read_text()
    wait_until(lambda: not any(alive(pid) for pid in children), 5, "the children to exit")


# One documented worker command per task backend (README "Running the workers").


def test_manage_py_help_offers_one_worker_command_and_the_readme_names_it():
    from django.core.management import get_commands

    workers = sorted(name for name in get_commands() if "worker" in name)
    readme = (BASE_DIR / "README.md").read_text()

    assert workers == ["db_worker"]  # TASKS_BACKEND=database; `run_worker` is gone
    assert "manage.py db_worker --queue-name '*'" in readme
    assert "manage.py rqworker --with-scheduler default" in readme  # TASKS_BACKEND=rq
