"""The floor: a bare Django view answering the same bytes as our list and detail responses.

No DB, no DRF: what the framework, the middleware and gunicorn cost on their own. The runner
writes the bodies (and their ETags) to `settings.BENCH_FLOOR_DIR` before starting the server.
"""

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse

NAMES = ("list", "detail")


@cache
def floor_body(name: str) -> tuple[bytes, str]:
    """Return the stored body and its ETag, read once per process."""
    path = Path(settings.BENCH_FLOOR_DIR) / f"{name}.json"
    if name not in NAMES or not path.exists():
        raise Http404(f"No floor body {name!r}: the bench runner writes {path}.")
    body = path.read_bytes()
    return body, hashlib.sha256(body).hexdigest()


def floor(request, name: str) -> HttpResponse:
    body, etag = floor_body(name)
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = f'"{etag}"'
    return response
