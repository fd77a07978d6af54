"""Benchmark the delivery API against Wagtail's API v2 and v3 and a floor, and the pipeline.

    .venv/bin/python bench/run.py                      # SQLite file in var/bench/
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/cms_bench

Creates a fresh database, migrates, generates content (`generate_content`) up to each size,
serves it with gunicorn on loopback (sync workers, `cms.settings.bench`), drives each endpoint
with wrk after a warm-up, counts SQL queries per request in-process, then benchmarks publishing
(our pipeline vs plain Wagtail) and the change feed's read cost at two feed lengths. Prints a
Markdown report and saves it (and the raw figures as JSON) under bench/results/.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.wrk import WrkResult, combine, parse_wrk  # noqa: E402

SETTINGS = "cms.settings.bench"
MEMBER_TYPE = "content_models.MemberProfilePage"


@dataclass
class Endpoint:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200


@dataclass
class Measurement:
    endpoint: str
    path: str
    status: int
    queries: int
    bytes: int
    wrk: WrkResult | None = None
    cpu_ms: float | None = None


@dataclass
class SizeReport:
    pages: int
    generated_seconds: float
    measurements: list[Measurement]
    freshness: dict | None = None


# Setup ----------------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL database to (re)create; else SQLite.")
    parser.add_argument("--sizes", default="1000,20000", help="Page counts to measure at.")
    parser.add_argument(
        "--duration", type=int, default=12, help="Seconds of load per endpoint (all rounds)."
    )
    parser.add_argument("--rounds", type=int, default=3, help="Rounds through the endpoints.")
    parser.add_argument("--warmup", type=int, default=3, help="Seconds of warm-up per endpoint.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--publishes", type=int, default=200, help="Publishes per variant.")
    parser.add_argument("--feed-sizes", default="100,100000", help="Feed lengths to read at.")
    parser.add_argument("--only", default="", help="Comma-separated endpoint names to load.")
    parser.add_argument(
        "--cpu-requests", type=int, default=200, help="In-process requests per endpoint (CPU)."
    )
    parser.add_argument(
        "--fresh-publishes",
        type=int,
        default=50,
        help="Publishes after which the served detail is polled until it shows the change.",
    )
    parser.add_argument("--skip-publish", action="store_true")
    parser.add_argument("--skip-feed", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="Keep the database of an earlier run; only top up."
    )
    parser.add_argument(
        "--code", default=str(ROOT), help="Serve the project from this checkout (A/B runs)."
    )
    parser.add_argument(
        "--priority",
        type=int,
        default=0,
        help="Raise the server's and wrk's scheduling priority by this much (root; a machine "
        "shared with other work otherwise takes CPU from them mid-run).",
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--workdir", default=str(ROOT / "var" / "bench"))
    args = parser.parse_args(argv)
    try:
        args.sizes = sorted(int(s) for s in args.sizes.split(","))
        args.feed_sizes = sorted(int(s) for s in args.feed_sizes.split(","))
    except ValueError:
        parser.error("--sizes and --feed-sizes are comma-separated whole numbers")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed: apt-get install -y wrk")
    return args


def fresh_database(args) -> str:
    """Return the DATABASE_URL of a new, empty database."""
    workdir = Path(args.workdir)
    if args.database_url is None:
        workdir.mkdir(parents=True, exist_ok=True)
        path = workdir / "bench.sqlite3"
        if args.reuse:
            return f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import dj_database_url
    import psycopg

    if args.reuse:
        return args.database_url
    config = dj_database_url.parse(args.database_url)
    name = config["NAME"]
    if "bench" not in name:
        sys.exit(f"Refusing to recreate {name!r}: use a database whose name contains 'bench'.")
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return args.database_url


def configure_django(database_url: str, workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["DATABASE_URL"] = database_url
    os.environ["CMS_VAR_DIR"] = str(workdir)
    os.environ["BENCH_FLOOR_DIR"] = str(workdir / "floor")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def say(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


# Content -------------------------------------------------------------------------------------


def grow_to(pages: int, *, seed: int) -> float:
    """Generate synthetic pages until the site holds `pages` of them (90% members)."""
    from django.core.management import call_command

    from content_models.models import FAQPage, MemberProfilePage, RoadmapReleasePage

    have = {
        "members": MemberProfilePage.objects.count(),
        "faqs": FAQPage.objects.count(),
        "releases": RoadmapReleasePage.objects.count(),
    }
    want = {"members": pages * 90 // 100, "faqs": pages * 5 // 100}
    want["releases"] = pages - want["members"] - want["faqs"]
    counts = {kind: max(0, want[kind] - have[kind]) for kind in want}
    started = time.perf_counter()
    if sum(counts.values()):
        options = {kind: str(n) for kind, n in counts.items()}
        call_command("generate_content", seed=str(seed), verbosity=1, **options)
    return time.perf_counter() - started


def endpoints(port: int) -> list[Endpoint]:
    """The endpoints under load, on data that exists now."""
    from content_models.models import MemberProfilePage
    from documents.paths import collection_path, item_path

    member = MemberProfilePage.objects.live().order_by("title", "pk")[5]
    listing, detail = f"{collection_path('members')}?limit=20", item_path("members", member.pk)
    list_etag, detail_etag = _etag(listing, port), _etag(detail, port)
    return [
        Endpoint("ours list", listing),
        Endpoint("ours detail", detail),
        Endpoint(
            "ours 304 list",
            listing,
            {"If-None-Match": f'"{list_etag}"'},
            expect=304,
        ),
        Endpoint(
            "ours 304 detail",
            detail,
            {"If-None-Match": f'"{detail_etag}"'},
            expect=304,
        ),
        Endpoint("v2 list", f"/api/v2/pages/?type={MEMBER_TYPE}&fields=*&limit=20"),
        Endpoint("v2 detail", f"/api/v2/pages/{member.pk}/"),
        Endpoint("v3 list", f"/api/v3/pages/?type={MEMBER_TYPE}&limit=20"),
        Endpoint("v3 detail", f"/api/v3/pages/{member.pk}/"),
        Endpoint("floor list", "/bench/floor/list/"),
        Endpoint("floor detail", "/bench/floor/detail/"),
    ]


def _client(port: int):
    from django.test import Client

    return Client(HTTP_HOST=f"127.0.0.1:{port}")


def _etag(path: str, port: int) -> str:
    return _client(port).get(path)["ETag"].strip('"')


def write_floor(port: int, targets: list[Endpoint]) -> None:
    """Store the exact bytes of our list and detail responses for the floor view."""
    floor = Path(os.environ["BENCH_FLOOR_DIR"])
    floor.mkdir(parents=True, exist_ok=True)
    by_name = {e.name: e for e in targets}
    for name in ("list", "detail"):
        response = _client(port).get(by_name[f"ours {name}"].path)
        (floor / f"{name}.json").write_bytes(response.content)
    # This process serves the floor too (queries and CPU time): forget the previous size's body.
    from bench.floor import floor_body

    floor_body.cache_clear()


def count_queries(port: int, endpoint: Endpoint) -> Measurement:
    """Request once to warm up, then count the SQL queries of a second, identical request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(port)
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in endpoint.headers.items()}
    client.get(endpoint.path, **headers)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(endpoint.path, **headers)
    if response.status_code != endpoint.expect:
        raise SystemExit(
            f"{endpoint.name}: {endpoint.path} answered {response.status_code}, "
            f"expected {endpoint.expect}: {response.content[:300]!r}"
        )
    return Measurement(
        endpoint=endpoint.name,
        path=endpoint.path,
        status=response.status_code,
        queries=len(queries.captured_queries),
        bytes=len(response.content),
    )


def cpu_per_request(port: int, targets: list[Endpoint], rounds: int) -> list[float]:
    """Return each endpoint's CPU milliseconds per request through Django's WSGI handler.

    Wall-clock rates move with whatever else the machine runs; the CPU time a request costs
    this process barely does, so the ratios of these figures are the steadier comparison
    (without gunicorn's and the kernel's share, the same for every endpoint). Endpoints
    take turns, request by request.
    """
    import io

    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    totals = [0.0] * len(targets)
    environs = []
    for endpoint in targets:
        path, _, query = endpoint.path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(port),
            "HTTP_HOST": f"127.0.0.1:{port}",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        environ.update(
            {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in endpoint.headers.items()}
        )
        environs.append(environ)

    def call(environ) -> None:
        response = handler({**environ, "wsgi.input": io.BytesIO()}, lambda status, headers: None)
        b"".join(response)
        response.close()

    for environ in environs:
        call(environ)  # warm
    for _ in range(rounds):
        for index, environ in enumerate(environs):
            began = time.process_time()
            call(environ)
            totals[index] += time.process_time() - began
    return [total / rounds * 1000 for total in totals]


# Serving and load ----------------------------------------------------------------------------


class Server:
    """gunicorn on loopback with the bench settings, stopped on exit."""

    def __init__(self, *, port: int, workers: int, log: Path, code: Path, priority: int = 0):
        self.port, self.workers, self.log, self.code = port, workers, log, code
        self.priority = priority
        self.process: subprocess.Popen | None = None

    def __enter__(self):
        from django.db import connections

        connections.close_all()  # the workers open their own
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "cms.wsgi:application",
                f"--config={ROOT / 'bench' / 'gunicorn_bench.conf.py'}",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={self.workers}",
                "--worker-class=sync",
                "--log-level=warning",
                f"--error-logfile={self.log}",
            ],
            cwd=self.code,
            env={**os.environ, "PYTHONPATH": str(self.code)},
            start_new_session=True,
            preexec_fn=_prioritised(self.priority),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                url = f"http://127.0.0.1:{self.port}/bench/floor/detail/"
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log}")
        raise SystemExit(f"gunicorn did not answer within 60 s; see {self.log}")

    def settle(self) -> None:
        """Wait until requests queued by the last wrk run are answered.

        wrk stops on time, but a slow endpoint's requests stay queued in the workers and would
        be served during the next endpoint's run, taking its time.
        """
        url = f"http://127.0.0.1:{self.port}/bench/floor/detail/"
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _prioritised(priority: int):
    if not priority:
        return None
    return lambda: os.nice(-priority)


def run_wrk(
    port: int, endpoint: Endpoint, *, seconds: int, connections: int, priority: int = 0
) -> WrkResult:
    # A 10 s timeout: Wagtail v2 lists take over wrk's default 2 s on a busy machine.
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    for key, value in endpoint.headers.items():
        command += ["-H", f"{key}: {value}"]
    command.append(f"http://127.0.0.1:{port}{endpoint.path}")
    output = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
        preexec_fn=_prioritised(priority),
    ).stdout
    return parse_wrk(output)


def measure_size(args, pages: int, generated: float) -> SizeReport:
    targets = endpoints(args.port)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        targets = [e for e in targets if e.name in wanted or e.name.startswith("floor")]
    write_floor(args.port, endpoints(args.port))
    measurements = [count_queries(args.port, endpoint) for endpoint in targets]
    say(f"{pages:,} pages: CPU time per request, in-process, {args.cpu_requests} rounds")
    for measurement, cpu_ms in zip(
        measurements, cpu_per_request(args.port, targets, args.cpu_requests), strict=True
    ):
        measurement.cpu_ms = cpu_ms
    log = Path(args.workdir) / "gunicorn.log"
    server = Server(
        port=args.port, workers=args.workers, log=log, code=Path(args.code), priority=args.priority
    )
    load = {"connections": args.connections, "priority": args.priority}
    seconds = max(1, round(args.duration / args.rounds))
    runs: dict[str, list[WrkResult]] = {endpoint.name: [] for endpoint in targets}
    with server:
        for endpoint in targets:
            run_wrk(args.port, endpoint, seconds=args.warmup, **load)
            server.settle()
        # Rounds through every endpoint in turn: load from elsewhere on the machine drifts,
        # and should hit every endpoint alike rather than whichever ran at that moment.
        for round_number in range(1, args.rounds + 1):
            say(f"{pages:,} pages: round {round_number}/{args.rounds}, {seconds} s per endpoint")
            for endpoint in targets:
                runs[endpoint.name].append(run_wrk(args.port, endpoint, seconds=seconds, **load))
                server.settle()
        freshness = None
        if args.fresh_publishes:
            say(f"{pages:,} pages: freshness after {args.fresh_publishes} publishes")
            freshness = freshness_window(args.port, args.fresh_publishes)
    for measurement in measurements:
        measurement.wrk = combine(runs[measurement.endpoint])
        say(
            f"  {measurement.endpoint}: {measurement.wrk.requests_per_second:,.0f} req/s, "
            f"p50 {measurement.wrk.p50_ms:.2f} ms, p99 {measurement.wrk.p99_ms:.2f} ms, "
            f"{measurement.queries} queries"
        )
    return SizeReport(
        pages=pages, generated_seconds=generated, measurements=measurements, freshness=freshness
    )


def freshness_window(port: int, publishes: int) -> dict:
    """How soon the served API shows a publish: the window between its commit and the first
    read that sees it, as a frontend revalidating its copy meets it.

    Each publish renames one member in this process (its own transaction, committed); then
    `If-None-Match: <the ETag before>` is sent to the gunicorn workers over one keep-alive
    connection until one answers 200 with the new title. Counts the stale 304s in between and
    times the window from the commit's return. The workers learn of the commit from the
    database: on PostgreSQL by the notification their feed watch hears (pipeline.feed_watch),
    elsewhere by reading the feed position on every request.
    """
    import http.client

    from django.db import transaction

    from content_models.models import MemberProfilePage
    from documents.paths import item_path

    page = MemberProfilePage.objects.live().order_by("pk").first()
    path = item_path("members", page.pk)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def get(etag: str | None = None) -> tuple[int, str]:
        conn.request("GET", path, headers={"If-None-Match": etag} if etag else {})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("ETag")

    status, etag = get()
    for _ in range(20):  # every worker remembers the answer (the origin cache)
        get(etag)
    windows, stale_reads, deadline_misses = [], [], 0
    for number in range(publishes):
        page.title = f"{page.title.split(' #')[0]} #{number}"
        with transaction.atomic():
            page.save_revision().publish()
        committed = time.perf_counter()
        stale = 0
        while True:
            status, new_etag = get(etag)
            if status == 200:
                break
            stale += 1
            if time.perf_counter() - committed > 5:
                deadline_misses += 1
                break
        windows.append((time.perf_counter() - committed) * 1000)
        stale_reads.append(stale)
        etag = new_etag
    conn.close()
    ordered = sorted(windows)
    return {
        "publishes": publishes,
        "stale_reads_total": sum(stale_reads),
        "stale_reads_max": max(stale_reads),
        "publishes_with_a_stale_read": sum(1 for n in stale_reads if n),
        "window_p50_ms": statistics.median(ordered),
        "window_p99_ms": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
        "window_max_ms": ordered[-1],
        "not_fresh_after_5_s": deadline_misses,
    }


# Publishing and the feed (in-process) ------------------------------------------------------


def publish_benchmark(count: int) -> dict:
    """Publish existing pages with the pipeline's receivers, and without: publishes/s of each.

    Alternates rounds of the two variants, so drifting load on the machine hits both alike.
    """
    from django.db import transaction
    from wagtail.signals import page_published

    from content_models.models import MemberProfilePage
    from pipeline import changes, receivers

    pages = list(MemberProfilePage.objects.live().order_by("-pk")[: count * 2])
    if len(pages) < count * 2:
        raise SystemExit(f"Need {count * 2} member pages for {count} publishes per variant.")
    timings: dict[str, list[float]] = {"pipeline": [], "plain": []}
    round_size = 10
    for start in range(0, count, round_size):
        for variant in ("pipeline", "plain"):
            offset = 0 if variant == "pipeline" else count
            batch = pages[offset + start : offset + start + round_size]
            if variant == "plain":
                page_published.disconnect(receivers.on_page_published)
            try:
                for page in batch:
                    page.summary = f"{page.summary[:200]} (edit {start})"
                    began = time.perf_counter()
                    with transaction.atomic():
                        page.save_revision().publish()
                    timings[variant].append(time.perf_counter() - began)
            finally:
                if variant == "plain":
                    page_published.connect(receivers.on_page_published)
    result = {
        variant: {
            "publishes": len(times),
            "publishes_per_second": len(times) / sum(times),
            "median_ms": statistics.median(times) * 1000,
        }
        for variant, times in timings.items()
    }
    result["ratio"] = (
        result["pipeline"]["publishes_per_second"] / result["plain"]["publishes_per_second"]
    )
    result["change_listeners"] = [
        getattr(listener, "__qualname__", repr(listener)) for listener in changes.CHANGE_LISTENERS
    ]
    return result


def feed_benchmark(lengths: list[int], *, requests: int = 200) -> list[dict]:
    """Read the last 100 entries of feeds of each length: time and queries per request."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from api.params import encode_cursor
    from content_models.models import MemberProfilePage
    from documents.paths import collection_path
    from pipeline.models import Change, FeedState

    page_ids = list(MemberProfilePage.objects.values_list("pk", flat=True)[:1000])
    with transaction.atomic():
        Change.objects.all().delete()
        FeedState.objects.update_or_create(pk=1, defaults={"last_seq": 0, "pruned_through": 0})
    results = []
    for length in lengths:
        _fill_feed(length, page_ids)
        cursor = encode_cursor(max(0, length - 100))
        path = f"{collection_path('changes')}?cursor={cursor}&limit=100"
        client = Client()
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        query_count = len(queries.captured_queries)  # read now: later requests reset the log
        assert response.status_code == 200, response.content[:300]
        entries = len(response.json()["results"])
        times = []
        for _ in range(requests):
            began = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - began)
        times.sort()
        results.append(
            {
                "feed_length": length,
                "entries_returned": entries,
                "queries": query_count,
                "median_ms": statistics.median(times) * 1000,
                "p99_ms": times[int(len(times) * 0.99) - 1] * 1000,
            }
        )
        say(f"feed of {length:,}: {results[-1]}")
    return results


def _fill_feed(length: int, page_ids: list[int], *, batch: int = 5000) -> None:
    """Append `published` entries through the pipeline's feed builder until the feed holds
    `length` (its listeners run as for any publish)."""
    from pipeline.changes import Entry, changes_append
    from pipeline.models import Change, FeedState

    last_seq = FeedState.objects.get(pk=1).last_seq
    while last_seq < length:
        upto = min(length, last_seq + batch)
        changes_append(
            entries=[
                Entry(Change.Action.PUBLISHED, page_ids[seq % len(page_ids)], "member", 1, [[]])
                for seq in range(last_seq + 1, upto + 1)
            ]
        )
        last_seq = upto


# Report --------------------------------------------------------------------------------------

RATIOS = [
    ("ours list / v2 list", "ours list", "v2 list", 10.0),
    ("ours detail / v2 detail", "ours detail", "v2 detail", 10.0),
    ("ours list / v3 list", "ours list", "v3 list", None),
    ("ours detail / v3 detail", "ours detail", "v3 detail", None),
    ("ours list / floor list", "ours list", "floor list", 0.5),
    ("ours detail / floor detail", "ours detail", "floor detail", 0.5),
    ("ours 304 list / floor list", "ours 304 list", "floor list", 0.8),
    ("ours 304 detail / floor detail", "ours 304 detail", "floor detail", 0.8),
]


def render_report(meta: dict, sizes: list[SizeReport], publish: dict | None, feed: list | None):
    lines = [
        f"# Benchmark {meta['started']}",
        "",
        f"`{meta['command']}`",
        "",
        f"{meta['database']}; gunicorn {meta['workers']} sync workers; wrk "
        f"{meta['connections']} connections, {meta['duration']} s per endpoint in "
        f"{meta['rounds']} rounds after {meta['warmup']} s of warm-up; {meta['machine']}. "
        f"Load average at start: {meta['loadavg']}.{meta['code']} {meta['caches']}",
        "",
    ]
    for size in sizes:
        rate = {m.endpoint: m.wrk.requests_per_second for m in size.measurements if m.wrk}
        lines += [
            f"## {size.pages:,} generated pages (generated in {size.generated_seconds:.0f} s)",
            "",
            "| endpoint | req/s | p50 ms | p99 ms | queries/req | CPU ms/req | bytes | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for m in size.measurements:
            w = m.wrk
            cpu = "" if m.cpu_ms is None else f"{m.cpu_ms:.2f}"
            lines.append(
                f"| {m.endpoint} | {w.requests_per_second:,.0f} | {w.p50_ms:.2f} | "
                f"{w.p99_ms:.2f} | {m.queries} | {cpu} | {m.bytes:,} | {w.errors} |"
            )
        cpu_of = {m.endpoint: m.cpu_ms for m in size.measurements if m.cpu_ms}
        lines += [
            "",
            "| ratio | req/s (wrk) | CPU per request (in-process) | goal |",
            "|---|---:|---:|---|",
        ]
        for label, ours, theirs, goal in RATIOS:
            if ours in rate and theirs in rate and rate[theirs]:
                value = rate[ours] / rate[theirs]
                cpu = (
                    f"{cpu_of[theirs] / cpu_of[ours]:.2f}"
                    if ours in cpu_of and theirs in cpu_of
                    else ""
                )
                verdict = (
                    ""
                    if goal is None
                    else (f"≥ {goal:g}: " + ("met" if value >= goal else "NOT met"))
                )
                lines.append(f"| {label} | {value:.2f} | {cpu} | {verdict} |")
        lines.append("")
        if size.freshness:
            f = size.freshness
            lines += [
                f"Freshness after {f['publishes']} publishes (commit to the first 200 with the "
                f"change, revalidating the old ETag): p50 {f['window_p50_ms']:.2f} ms, p99 "
                f"{f['window_p99_ms']:.2f} ms, max {f['window_max_ms']:.2f} ms; stale 304s: "
                f"{f['stale_reads_total']} in all, at most {f['stale_reads_max']} after one "
                f"publish, after {f['publishes_with_a_stale_read']} of them; never fresh within "
                f"5 s: {f['not_fresh_after_5_s']}.",
                "",
            ]
    if publish:
        lines += [
            "## Publishing (in-process, one transaction per publish)",
            "",
            "| variant | publishes | publishes/s | median ms |",
            "|---|---:|---:|---:|",
        ]
        for variant in ("pipeline", "plain"):
            p = publish[variant]
            lines.append(
                f"| {variant} | {p['publishes']} | {p['publishes_per_second']:.1f} | "
                f"{p['median_ms']:.1f} |"
            )
        listeners = ", ".join(publish["change_listeners"]) or "none registered"
        lines += [
            "",
            f"Pipeline / plain throughput: {publish['ratio']:.2f} (change listeners: {listeners}).",
            "",
        ]
    if feed:
        lines += [
            "## Change feed: the last 100 entries (`changes/?cursor=...&limit=100`)",
            "",
            "| feed length | entries returned | queries | median ms | p99 ms |",
            "|---:|---:|---:|---:|---:|",
        ]
        for f in feed:
            lines.append(
                f"| {f['feed_length']:,} | {f['entries_returned']} | {f['queries']} | "
                f"{f['median_ms']:.2f} | {f['p99_ms']:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)


def _caches_in_use(connection) -> str:
    """What the served API may answer from (the settings are the server's: same environment)."""
    from django.conf import settings

    from pipeline.feed_watch import listening

    origin = settings.API_ORIGIN_CACHE_SECONDS
    return (
        f"Origin cache: {f'{origin} s' if origin > 0 else 'off'}; feed position: "
        f"{'in memory (LISTEN/NOTIFY)' if listening(connection) else 'read per request'}."
    )


def _stop(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")  # unwinds, so the server is stopped too


def main(argv=None) -> None:
    signal.signal(signal.SIGTERM, _stop)
    args = parse_args(argv)
    started = datetime.now(UTC)
    loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())  # before this run adds its own
    workdir = Path(args.workdir)
    database_url = fresh_database(args)
    configure_django(database_url, workdir)
    from django.core.management import call_command
    from django.db import connection

    say(f"migrating {connection.vendor} database")
    call_command("migrate", verbosity=0)
    sizes = []
    for pages in args.sizes:
        say(f"generating content up to {pages:,} pages")
        generated = grow_to(pages, seed=args.seed)
        sizes.append(measure_size(args, pages, generated))
    publish = None if args.skip_publish else publish_benchmark(args.publishes)
    if publish:
        say(f"publish: {json.dumps(publish)}")
    feed = None if args.skip_feed else feed_benchmark(args.feed_sizes)
    meta = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["python bench/run.py", *(argv or sys.argv[1:])]),
        "database": f"{connection.vendor} ({connection.settings_dict['NAME']})",
        "workers": args.workers,
        "connections": args.connections,
        "duration": args.duration,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "loadavg": loadavg,
        "code": "" if Path(args.code) == ROOT else f" Served from {args.code}.",
        "caches": _caches_in_use(connection),
    }
    report = render_report(meta, sizes, publish, feed)
    print(report)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{started:%Y%m%d-%H%M%S}-{connection.vendor}"
    (out / f"{stem}.md").write_text(report + "\n")
    raw = {"meta": meta, "sizes": [asdict(s) for s in sizes], "publish": publish, "feed": feed}
    (out / f"{stem}.json").write_text(json.dumps(raw, indent=2, default=str) + "\n")
    say(f"saved {out / stem}.md")


if __name__ == "__main__":
    main()
