"""HTTP caching for every GET: strong ETags, 304 revalidation, Cache-Control, Last-Modified."""

import hashlib
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date

from pipeline.changes import feed_position


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


# Rendered lists ------------------------------------------------------------------------------

LIST_CACHE_PREFIX = "api:list:1:"

ListEntry = tuple[str, str, datetime | None]  # body, etag, last modified


def public_list(request, render: Callable[[], tuple[str, datetime | None]]) -> ListEntry:
    """Return an anonymous list response's body, ETag and Last-Modified, rendered once per
    feed position and URL (its `next`/`previous` links are absolute) in the shared cache.

    Only anonymous lists are kept: what a token sees also depends on its groups. Entries
    expire after `API_LIST_CACHE_SECONDS` (0 turns the cache off), which bounds how long a
    reordering of sibling pages, the one tree change the feed does not record, can go unseen.
    """
    timeout = settings.API_LIST_CACHE_SECONDS
    if timeout <= 0:
        body, last_modified = render()
        return body, hashlib.sha256(body.encode()).hexdigest(), last_modified
    identity = f"{feed_position()} {request.build_absolute_uri()}"
    key = LIST_CACHE_PREFIX + hashlib.sha256(identity.encode()).hexdigest()
    entry = cache.get(key)
    if entry is None:
        body, last_modified = render()
        entry = (body, hashlib.sha256(body.encode()).hexdigest(), last_modified)
        cache.set(key, entry, timeout)
    return entry
