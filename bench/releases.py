"""Benchmark publishing a release of N pages against N single publishes: time and SQL queries.

    .venv/bin/python bench/releases.py                      # SQLite file in var/bench/
    .venv/bin/python bench/releases.py --database-url postgres://postgres@127.0.0.1:5432/cms_bench

Creates a fresh database, generates member profiles, then alternates rounds of the two
variants on different pages (so drifting load on the machine hits both alike): N single
publishes, each in its own transaction as the admin does, and one release of N pages
(`releases.services.release_publish`: one transaction). Each page gets the same kind of edit.
Only the publishing is timed: drafting the edits and building the release are not. Prints a
Markdown report with the machine's load average and saves it under bench/results/.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import configure_django, fresh_database, grow_to, say  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL database to (re)create; else SQLite.")
    parser.add_argument("--items", type=int, default=50, help="Pages per release (and singles).")
    parser.add_argument("--rounds", type=int, default=5, help="Rounds of both variants.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="Keep the database of a run.")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--workdir", default=str(ROOT / "var" / "bench"))
    args = parser.parse_args(argv)
    if args.items < 1 or args.rounds < 1:
        parser.error("--items and --rounds must be at least 1")
    return args


class QueryCounter:
    """Count every SQL statement run on the connection (`connection.execute_wrapper`)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def edited(page, round_: int):
    """Draft the benchmark's edit of a member profile; return the page."""
    page.summary = f"{page.summary[:200]} (round {round_})"
    page.save_revision()
    return page


def singles(pages, round_: int) -> tuple[float, int]:
    """Publish each page on its own, in its own transaction; return seconds and queries."""
    from django.db import connection, transaction
    from wagtail.models import Revision

    # Loaded from the database, as an admin request or the worker has them.
    revisions = [Revision.objects.get(pk=edited(page, round_).latest_revision_id) for page in pages]
    queries = QueryCounter()
    with connection.execute_wrapper(queries):
        began = time.perf_counter()
        for revision in revisions:
            with transaction.atomic():
                revision.publish()
        seconds = time.perf_counter() - began
    return seconds, queries.count


def release(pages, round_: int) -> tuple[float, int]:
    """Publish the pages as one approved release; return seconds and queries."""
    from django.db import connection

    from releases import services

    built = services.release_create(title=f"Bench round {round_}")
    for page in pages:
        services.release_item_add(release=built, page=edited(page, round_))
    services.release_review_started(release=built)
    services.release_approved(release=built)
    queries = QueryCounter()
    with connection.execute_wrapper(queries):
        began = time.perf_counter()
        published = services.release_publish(release=built)
        seconds = time.perf_counter() - began
    assert published.status == "published", published.failure_reason
    return seconds, queries.count


def run(items: int, rounds: int) -> dict:
    from content_models.models import MemberProfilePage

    pages = list(MemberProfilePage.objects.live().order_by("pk")[: items * 2 * rounds])
    if len(pages) < items * 2 * rounds:
        raise SystemExit(f"Need {items * 2 * rounds} member pages.")
    figures: dict[str, list[tuple[float, int]]] = {"single": [], "release": []}
    for round_ in range(rounds):
        batch = pages[round_ * 2 * items : (round_ + 1) * 2 * items]
        figures["single"].append(singles(batch[:items], round_))
        figures["release"].append(release(batch[items:], round_))
        say(f"round {round_ + 1}: single {figures['single'][-1]}, release {figures['release'][-1]}")
    return {
        variant: {
            "median_s": statistics.median(seconds for seconds, _ in runs),
            "min_s": min(seconds for seconds, _ in runs),
            "queries": statistics.median(queries for _, queries in runs),
        }
        for variant, runs in figures.items()
    }


def report(meta: dict, result: dict, items: int) -> str:
    single, grouped = result["single"], result["release"]
    lines = [
        f"# Publishing a release of {items} pages vs {items} single publishes",
        "",
        f"{meta['started']} · {meta['database']} · {meta['machine']} · load average "
        f"{meta['load_before']} before, {meta['load_after']} after · {meta['rounds']} rounds, "
        "medians.",
        "",
        "| variant | transactions | seconds | ms per page | SQL queries | queries per page |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, figures, transactions in (
        (f"{items} single publishes", single, items),
        (f"one release of {items} pages", grouped, 1),
    ):
        lines.append(
            f"| {name} | {transactions} | {figures['median_s']:.2f} | "
            f"{figures['median_s'] * 1000 / items:.1f} | {figures['queries']:.0f} | "
            f"{figures['queries'] / items:.1f} |"
        )
    lines += [
        "",
        f"Release / single: {grouped['median_s'] / single['median_s']:.2f}× the time, "
        f"{grouped['queries'] / single['queries']:.2f}× the queries.",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> None:
    args = parse_args(argv)
    started = datetime.now(UTC)
    workdir = Path(args.workdir)
    database_url = fresh_database(args)
    configure_django(database_url, workdir)
    from django.core.management import call_command
    from django.db import connection

    say(f"migrating {connection.vendor} database")
    call_command("migrate", verbosity=0)
    grow_to(args.items * 2 * args.rounds * 100 // 90 + 10, seed=args.seed)
    load_before = os.getloadavg()
    result = run(args.items, args.rounds)
    meta = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "database": connection.vendor,
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_before": " ".join(f"{x:.2f}" for x in load_before),
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "rounds": args.rounds,
    }
    text = report(meta, result, args.items)
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{started:%Y%m%d-%H%M%S}-{connection.vendor}-releases.md"
    path.write_text(text + "\n")
    say(f"saved {path}")


if __name__ == "__main__":
    main()
