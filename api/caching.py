"""HTTP caching for every GET: strong ETags, 304 revalidation, Cache-Control, Last-Modified."""

import hashlib
from datetime import datetime

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date


def etag_matches(request, etag: str) -> bool:
    """Return whether If-None-Match names this entity tag (weak comparison, as RFC 9110 asks)."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    if header.strip() == "*":
        return True
    for candidate in header.split(","):
        candidate = candidate.strip().removeprefix("W/").strip('"')
        if candidate == etag:
            return True
    return False


def cache_control(*, public: bool, max_age: int | None = None) -> str:
    if not public:
        return "private, no-cache"
    age = settings.API_CACHE_MAX_AGE if max_age is None else max_age
    return f"public, max-age={age}"


def json_response(
    request,
    body: str,
    *,
    etag: str | None = None,
    last_modified: datetime | None = None,
    public: bool = True,
    max_age: int | None = None,
    status: int = 200,
    feed_validated: bool = False,
) -> HttpResponse:
    """Answer a JSON body, or 304 when the caller already holds it.

    `feed_validated` says that, for an anonymous caller, this URL's answer changes only when the
    change feed moves, which lets `api.middleware` answer later revalidations by itself.
    """
    encoded = body.encode()
    etag = etag or hashlib.sha256(encoded).hexdigest()
    if etag_matches(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(encoded, status=status, content_type="application/json")
    response["ETag"] = f'"{etag}"'
    response["Cache-Control"] = cache_control(public=public, max_age=max_age)
    response["Vary"] = "Authorization"
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response.feed_validated = public and feed_validated
    return response
