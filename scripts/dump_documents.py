#!/usr/bin/env python
"""Dump what the delivery API serves for the seeded content, to compare two commits.

Loads the ISECG content into a fresh SQLite database (and media folder) under OUT, then saves
the exact bytes of every GET a frontend makes: each collection list, every item's detail,
versions list and each version, `resolve` for every item's path, the pages list, the change
feed, a few searches and the OpenAPI schema. Timestamps of the load itself (which differ
between two runs), the ETags listed in version lists (hashes of bodies holding those
timestamps, dumped themselves) and StreamField block ids (random UUIDs) are replaced by
placeholders; nothing else is touched.

    scripts/dump_documents.py OUT          # then, at another commit, OUT2; diff -r OUT OUT2

Only public entry points are used (manage.py commands and HTTP), so the script runs unchanged
on an older commit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    out: Path = args.out.resolve()
    if out.exists():
        shutil.rmtree(out)
    (out / "var").mkdir(parents=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DATABASE_URL": f"sqlite:///{out / 'var' / 'db.sqlite3'}",
        "CMS_VAR_DIR": str(out / "var"),
        "MEDIA_ROOT": str(out / "var" / "media"),
        "LOG_LEVEL": "WARNING",
        "WAGTAILADMIN_BASE_URL": "http://cms.example",
        "API_PUBLIC_BASE_URL": "http://cms.example",
        "FRONTEND_URL": "http://www.example",
    }
    python = sys.executable
    for command in (["migrate", "--noinput", "-v0"], ["load_isecg_content", "-v0"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)  # noqa: S603
    subprocess.run([python, "-c", DUMP, str(out / "api")], cwd=ROOT, env=env, check=True)  # noqa: S603
    print(f"dumped {sum(1 for _ in (out / 'api').rglob('*.json'))} responses to {out / 'api'}")
    return 0


DUMP = r"""
import json, re, sys
from pathlib import Path
import django
django.setup()
from django.test import Client

STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
ETAG = re.compile(r'"etag":"[0-9a-f]{64}"')
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
out = Path(sys.argv[1])
client = Client(HTTP_HOST="127.0.0.1")
seen = {}

def save(url):
    response = client.get(url)
    body = response.content.decode()
    name = re.sub(r"[^A-Za-z0-9]+", "_", url.strip("/")) + ".json"
    path = out / name
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"{response.status_code} {response.get('Content-Type')}\n"
    # The ETags of version lists hash bodies that hold the load's timestamps: placeholders too.
    body = UUID.sub("<uuid>", ETAG.sub('"etag":"<etag>"', STAMP.sub("<time>", body)))
    path.write_text(header + body)
    seen[url] = body
    return response

API = "/api/v1/"
ids = []
for collection in ("faqs", "members", "roadmap-releases", "pages"):
    listing = json.loads(save(f"{API}{collection}/?limit=100").content)
    for item in listing["results"]:
        ids.append((collection, item["id"], item["url_path"]))
for collection, page_id, url_path in ids:
    detail = f"{API}{collection}/{page_id}/"
    save(detail)
    versions = json.loads(save(detail + "versions/").content)
    for version in versions["results"]:
        save(f"{detail}versions/{version['number']}/")
    save(f"{API}pages/resolve/?path={url_path}")
save(f"{API}changes/?limit=1000")
for query in ("roadmap", "lunar surface", "NASA", "exploration"):
    save(f"{API}search/?q={query}&limit=50")
save(f"{API}members/?country=FR&ordering=-joined")
save(f"{API}roadmap-releases/?kind=supplement&ordering=release_date")
save(f"{API}schema/")
"""


if __name__ == "__main__":
    sys.exit(main())
