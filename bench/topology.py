"""Benchmark of the production topology: Varnish (deploy/varnish/cms.vcl) in front of two gunicorn
app servers, RQ workers and the beat, on PostgreSQL and Redis, all on loopback.

Measures, in one run: req/s of a list and a detail through Varnish (cache hits) and straight
from one app server (origin), with wrk; and the purge path: after each of N publishes, how long
until the first read through Varnish shows the new version, and how long that read itself took
(a miss, fetched from an app server), with p50 and p99.

    .venv/bin/python bench/topology.py --database-url postgres://postgres@127.0.0.1:5432/cms_bench_topology

Needs wrk and varnishd (`make varnish`). The database is dropped and created again (its name
must contain "bench"); Redis is --redis-url (RQ's queue and the cache; keys of this run only
are added, under a prefix).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack, suppress
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import fresh_database  # noqa: E402
from bench.wrk import parse_wrk  # noqa: E402

SETTINGS = "cms.settings.bench"


def say(message: str) -> None:
    print(f"[topology {datetime.now():%H:%M:%S}] {message}", flush=True)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/cms_bench_topology"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--duration", type=int, default=10, help="Seconds of wrk per endpoint.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server.")
    parser.add_argument("--publishes", type=int, default=30, help="Publishes timed for purges.")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--workdir", default=str(ROOT / "var" / "bench-topology"))
    args = parser.parse_args(argv)
    args.reuse = False
    for tool in ("wrk", "varnishd", "varnishadm"):
        if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists():
            parser.error(f"{tool} is not installed (apt-get install -y wrk; make varnish)")
    return args


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, bytes, float]:
    """GET on loopback; return status, body and seconds taken."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read(), time.perf_counter() - started
    finally:
        connection.close()


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.1)


class Processes:
    """The topology's processes, stopped (with their children) on exit."""

    def __init__(self, env: dict[str, str], workdir: Path):
        self.env, self.workdir, self.running = env, workdir, []

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        with open(self.workdir / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append(process)
        return process

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, timeout=900
        )

    def stop(self) -> None:
        for process in reversed(self.running):
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)


def wrk(port: int, path: str, *, seconds: int, connections: int) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    result = parse_wrk(output)
    return {
        "rps": result.requests_per_second,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "errors": result.errors,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def purge_path(varnish: int, publishes: int) -> dict:
    """Publish NASA again and again; time until Varnish serves the new version."""
    import django

    django.setup()
    from content_models.models import MemberProfilePage

    page = MemberProfilePage.objects.get(slug="nasa")
    path = f"/api/v1/members/{page.pk}/"
    to_fresh, read = [], []
    for n in range(publishes):
        get(varnish, path)  # cached again before each publish
        title = f"National Aeronautics and Space Administration #{n} {secrets.token_hex(2)}"
        page = MemberProfilePage.objects.get(pk=page.pk)
        page.title = title
        page.save_revision().publish()  # committed when it returns
        published = time.perf_counter()
        while True:
            status, body, seconds = get(varnish, path)
            if status == 200 and title.encode() in body:
                to_fresh.append(time.perf_counter() - published)
                read.append(seconds)
                break
            if time.perf_counter() - published > 30:
                raise SystemExit("a publish did not show through Varnish within 30 s")
            time.sleep(0.005)
    return {
        "publishes": publishes,
        "to_fresh_p50_ms": statistics.median(to_fresh) * 1000,
        "to_fresh_p99_ms": percentile(to_fresh, 0.99) * 1000,
        "first_fresh_read_p50_ms": statistics.median(read) * 1000,
        "first_fresh_read_p99_ms": percentile(read, 0.99) * 1000,
    }


def main(argv=None) -> dict:
    args = parse_args(argv)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = fresh_database(args)
    ports = {"web_a": free_port(), "web_b": free_port(), "varnish": free_port()}
    public = f"http://127.0.0.1:{ports['varnish']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": f"bench-topology-{secrets.token_hex(4)}",
        "TASKS_BACKEND": "rq",
        "FRONTEND_CACHE_BACKEND": "varnish",
        "FRONTEND_CACHE_LOCATION": public,
        "API_BASE_URL": public,
        "WAGTAILADMIN_BASE_URL": public,
        "API_CACHE_MAX_AGE": "300",
        "CMS_VAR_DIR": str(workdir),
        "WORKER_BEAT_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(env)
    processes = Processes(env, workdir)
    with ExitStack() as stack:
        stack.callback(processes.stop)
        say("migrating and loading the ISECG content")
        processes.manage("migrate", "--noinput", "-v0")
        for n in (1, 2):
            processes.start(
                f"worker-{n}",
                [sys.executable, "manage.py", "rqworker", "-v0", "--with-scheduler", "default"],
            )
        processes.start("beat", [sys.executable, "manage.py", "beat", "-v0"])
        processes.manage("load_isecg_content", "-v0")
        for name in ("web_a", "web_b"):
            processes.start(
                name,
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "deploy/gunicorn.conf.py",
                    "cms.wsgi",
                    f"--bind=127.0.0.1:{ports[name]}",
                    f"--workers={args.workers}",
                    "--access-logfile=/dev/null",
                ],
            )
        vcl = (ROOT / "deploy" / "varnish" / "cms.vcl").read_text()
        vcl = vcl.replace('"8001"', f'"{ports["web_a"]}"').replace('"8002"', f'"{ports["web_b"]}"')
        (workdir / "cms.vcl").write_text(vcl)
        processes.start(
            "varnish",
            [
                "varnishd",
                "-F",
                "-j",
                "none",
                "-n",
                str(workdir / "varnish"),
                "-a",
                f"127.0.0.1:{ports['varnish']}",
                "-T",
                "127.0.0.1:0",
                "-f",
                str(workdir / "cms.vcl"),
                "-s",
                "malloc,256m",
            ],
        )
        wait_for(
            lambda: _status(ports["varnish"], "/api/v1/health/") == 200,
            timeout=120,
            what="Varnish and the app servers",
        )
        import redis
        from rq import Queue

        queue = Queue("default", connection=redis.Redis.from_url(args.redis_url))
        wait_for(lambda: queue.count == 0, timeout=600, what="the load's task backlog")
        nasa = json.loads(get(ports["varnish"], "/api/v1/pages/resolve/?path=/members/nasa/")[1])
        paths = {"list": "/api/v1/members/?limit=20", "detail": f"/api/v1/members/{nasa['id']}/"}
        load_before = os.getloadavg()
        results: dict = {"started": datetime.now().isoformat(timespec="seconds")}
        for name, path in paths.items():
            for target in ("varnish", "web_a"):
                get(ports[target], path)
                say(f"wrk {name} via {target}, {args.duration} s")
                results[f"{name} {'varnish hits' if target == 'varnish' else 'origin'}"] = wrk(
                    ports[target], path, seconds=args.duration, connections=args.connections
                )
        say(f"purge path: {args.publishes} publishes")
        results["purge path"] = purge_path(ports["varnish"], args.publishes)
        results["load average before, after"] = [load_before, os.getloadavg()]
        results["setup"] = {
            "gunicorn workers per server": args.workers,
            "wrk connections": args.connections,
            "cores": os.cpu_count(),
        }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"topology-{datetime.now():%Y%m%d-%H%M%S}.json"
    target.write_text(json.dumps(results, indent=2))
    report(results)
    say(f"written to {target}")
    return results


def _status(port: int, path: str) -> int:
    try:
        return get(port, path)[0]
    except OSError:
        return 0


def report(results: dict) -> None:
    for name in ("list", "detail"):
        hits, origin = results[f"{name} varnish hits"], results[f"{name} origin"]
        print(
            f"{name:<7} Varnish hits {hits['rps']:>9,.0f} req/s (p99 {hits['p99_ms']:.1f} ms)   "
            f"origin {origin['rps']:>7,.0f} req/s (p99 {origin['p99_ms']:.1f} ms)   "
            f"x{hits['rps'] / origin['rps']:.1f}"
        )
    purge = results["purge path"]
    print(
        f"purge   publish -> fresh through Varnish p50 {purge['to_fresh_p50_ms']:.0f} ms, "
        f"p99 {purge['to_fresh_p99_ms']:.0f} ms; that first read p50 "
        f"{purge['first_fresh_read_p50_ms']:.1f} ms, p99 {purge['first_fresh_read_p99_ms']:.1f} ms"
    )
    before, after = results["load average before, after"]
    print(f"load average before {before[0]:.2f} / after {after[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
