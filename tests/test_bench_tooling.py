"""Smoke tests of bench/: the bench settings load, the routes resolve, the floor serves its
bytes, and wrk's output is read right. The benchmark itself is run by hand (bench/README.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.releases import report as release_report
from bench.run import Measurement, SizeReport, render_report
from bench.wrk import WrkResult, combine, parse_wrk

ROOT = Path(__file__).resolve().parent.parent

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8765/api/v1/members/?limit=20
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.12ms    3.01ms  60.11ms   90.12%
    Req/Sec     1.97k   120.33     2.20k    70.00%
  Latency Distribution
     50%  750.00us
     75%    9.01ms
     90%   10.50ms
     99%    1.20s
  19650 requests in 10.01s, 660.12MB read
  Socket errors: connect 0, read 3, write 0, timeout 1
  Non-2xx or 3xx responses: 2
Requests/sec:   1963.04
Transfer/sec:     65.95MB
"""

SERVER_CHECK = """
import django, json
django.setup()
from django.core.management import call_command
from django.test import Client
from django.urls import resolve
from django_countries.fields import CountryField
from wagtail.api.v3.schemas.generators.read import read_generator
call_command("check", fail_level="WARNING")
response = Client().get("/bench/floor/list/")
print(json.dumps({
    "status": response.status_code,
    "body": response.content.decode(),
    "etag": response["ETag"],
    "v2": resolve("/api/v2/pages/").url_name,
    "v3": resolve("/api/v3/pages/").url_name,
    "ours": resolve("/api/v1/members/").url_name,
    "v3_knows_countries": CountryField in read_generator.field_schemas,
}))
"""


def test_wrk_output_is_parsed_into_rate_latency_and_errors():
    result = parse_wrk(WRK_OUTPUT)
    assert result == WrkResult(
        requests=19650, requests_per_second=1963.04, p50_ms=0.75, p99_ms=1200.0, errors=6
    )


def test_rounds_combine_into_an_overall_rate_and_median_percentiles():
    rounds = [
        WrkResult(requests=1000, requests_per_second=1000.0, p50_ms=1.0, p99_ms=5.0, errors=0),
        WrkResult(requests=3000, requests_per_second=3000.0, p50_ms=3.0, p99_ms=9.0, errors=1),
        WrkResult(requests=2000, requests_per_second=2000.0, p50_ms=2.0, p99_ms=7.0, errors=0),
    ]
    combined = combine(rounds)
    assert combined.requests_per_second == 2000.0  # 6,000 requests in 3 s
    assert (combined.p50_ms, combined.p99_ms, combined.errors) == (2.0, 7.0, 1)


def test_the_report_shows_each_endpoint_and_the_ratios_against_the_goals():
    def measured(name, rate, queries, cpu_ms):
        return Measurement(
            endpoint=name,
            path="/",
            status=200,
            queries=queries,
            bytes=10,
            wrk=WrkResult(requests=rate, requests_per_second=rate, p50_ms=1, p99_ms=2, errors=0),
            cpu_ms=cpu_ms,
        )

    size = SizeReport(
        pages=1000,
        generated_seconds=3,
        measurements=[
            measured("ours list", 1500, 1, 0.5),
            measured("v2 list", 100, 26, 10.0),
            measured("floor list", 2000, 0, 0.3),
        ],
        freshness={
            "publishes": 50,
            "stale_reads_total": 1,
            "stale_reads_max": 1,
            "publishes_with_a_stale_read": 1,
            "window_p50_ms": 2.5,
            "window_p99_ms": 7.25,
            "window_max_ms": 7.25,
            "not_fresh_after_5_s": 0,
        },
    )
    meta = dict.fromkeys(
        ["started", "command", "database", "workers", "connections", "duration", "rounds"], "x"
    ) | {"warmup": 1, "machine": "m", "loadavg": "0", "code": "", "caches": "Origin cache: off."}
    report = render_report(meta, [size], None, None)
    assert "Load average at start: 0. Origin cache: off." in report
    assert "p50 2.50 ms, p99 7.25 ms" in report and "stale 304s: 1 in all" in report
    assert "| ours list | 1,500 | 1.00 | 2.00 | 1 | 0.50 | 10 | 0 |" in report
    assert "| ours list / v2 list | 15.00 | 20.00 | ≥ 10: met |" in report
    assert "| ours list / floor list | 0.75 | 0.60 | ≥ 0.5: met |" in report


def test_bench_settings_serve_wagtail_apis_and_the_floor(tmp_path):
    floor = tmp_path / "floor"
    floor.mkdir()
    (floor / "list.json").write_text('{"count":0,"results":[]}')
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.bench",
        "CMS_VAR_DIR": str(tmp_path),
        "BENCH_FLOOR_DIR": str(floor),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SERVER_CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200
    assert answer["body"] == '{"count":0,"results":[]}'
    assert answer["etag"].startswith('"') and len(answer["etag"]) == 66
    assert answer["v2"] == "listing" and answer["v3"] == "list_pages"
    assert answer["ours"] == "members-list"
    assert answer["v3_knows_countries"] is True


def test_the_release_report_compares_a_release_with_single_publishes():
    meta = {
        "started": "2026-01-01 00:00 UTC",
        "database": "sqlite",
        "machine": "2 CPUs",
        "load_before": "1.00 1.00 1.00",
        "load_after": "1.10 1.00 1.00",
        "rounds": 5,
    }
    result = {
        "single": {"median_s": 5.0, "min_s": 4.0, "queries": 3200},
        "release": {"median_s": 4.0, "min_s": 3.5, "queries": 3300},
    }

    text = release_report(meta, result, 50)

    assert "| 50 single publishes | 50 | 5.00 | 100.0 | 3200 | 64.0 |" in text
    assert "| one release of 50 pages | 1 | 4.00 | 80.0 | 3300 | 66.0 |" in text
    assert "load average 1.00 1.00 1.00 before" in text
    assert "0.80× the time, 1.03× the queries" in text
