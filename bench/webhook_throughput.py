"""Webhook delivery throughput: how many deliveries per second `db_worker` processes send.

Appends N changes to the feed (as publishes do; each gets a delivery through the outbox) for
an endpoint pointing at a local receiver that answers 200 at once, then starts W worker
processes and times until every delivery has succeeded.

    python bench/webhook_throughput.py --changes 1000 --items 100 --workers 1
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms_webhooks_bench \\
        python bench/webhook_throughput.py --workers 4

Without DATABASE_URL it runs on a fresh SQLite file in a temporary directory. With a
DATABASE_URL it migrates that database and empties the webhook tables first: use a scratch one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    count = 0
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        with Receiver.lock:
            Receiver.count += 1
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--items", type=int, default=100, help="Distinct items (order chains).")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--max-in-flight", type=int, default=4)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="webhook-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.dev"
    os.environ["WEBHOOK_ALLOWED_PRIVATE_NETWORKS"] = "127.0.0.0/8"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(BASE_DIR))

    import django

    django.setup()
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from pipeline.changes import change_append
    from pipeline.models import Change
    from pipeline.webhooks.models import WebhookDelivery, WebhookEndpoint

    call_command("migrate", verbosity=0)
    WebhookDelivery.objects.all().delete()
    WebhookEndpoint.objects.all().delete()
    DBTaskResult.objects.all().delete()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    WebhookEndpoint.objects.create(url=url, max_in_flight=args.max_in_flight)

    started = time.perf_counter()
    for n in range(args.changes):
        change_append(
            action=Change.Action.PUBLISHED,
            page_id=1_000_000 + n % args.items,
            page_type="page",
            version=n // args.items + 1,
            audiences=[[]],
        )
    outbox_seconds = time.perf_counter() - started

    env = {**os.environ, "WORKER_BEAT_SECONDS": "1"}
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [
                *(sys.executable, "manage.py", "db_worker", "--queue-name", "*"),
                *("--interval", "0.05", "--no-reload", "-v", "0"),
            ],
            cwd=BASE_DIR,
            env=env,
        )
        for _ in range(args.workers)
    ]
    try:
        while WebhookDelivery.objects.filter(status="succeeded").count() < args.changes:
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait()
    server.shutdown()

    vendor = "PostgreSQL" if "postgres" in os.environ["DATABASE_URL"] else "SQLite"
    print(
        f"{vendor}: {args.changes} changes over {args.items} items to 1 endpoint "
        f"(max in flight {args.max_in_flight}), {args.workers} worker(s)\n"
        f"  outbox: {args.changes / outbox_seconds:.0f} changes/s appended with their deliveries\n"
        f"  delivery: {seconds:.1f} s, {args.changes / seconds:.1f} deliveries/s "
        f"(worker start-up included), receiver got {Receiver.count} requests"
    )


if __name__ == "__main__":
    main()
