"""Answer anonymous reads of unchanged content before Django and DRF do any work.

What an anonymous caller gets at a URL is decided by the published content alone, and every
change to that content appends a change-log entry in its own transaction (see
`pipeline.changes.feed_position`). So once a full request has answered a URL at some feed
position, the same URL keeps the same answer until the position moves. This middleware
remembers, per URL, the position and the last full answer, and while the position has not moved
answers by itself: 304 to a matching `If-None-Match`, otherwise the remembered 200, byte for
byte and header for header. That is one read of the position (from memory on PostgreSQL:
`pipeline.feed_watch`) and one cache read; no URL resolving, no session, no DRF, no serializer,
no query.

Only what is safe to answer this way is: GET or HEAD under the API's prefix, no
`Authorization` header (a token's view depends on its groups), no release token (a release
preview is one reviewer's, and never remembered), and only responses a view marked
`feed_validated` (public lists, details, versions, resolve, the sitemap; not search, whose
index is updated by a task after the publish, nor the feed itself, whose old cursors expire with
time) that set no cookie. Anonymous throttling still applies, on the same counters as the views'.
Entries expire after `API_ORIGIN_CACHE_SECONDS` (0 turns this off), which bounds how long a
reordering of sibling pages, the one tree change the feed does not record, can go unseen.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseNotModified

from pipeline.changes import feed_position

from .caching import etag_matches
from .release_preview import RELEASE_TOKEN
from .throttling import AnonRateThrottle

KEY_PREFIX = "api:origin:1:"
BODY = ":body"
# What a 304 repeats of its 200 (RFC 9110 15.4.5), as the full path's 304 does.
REVALIDATION_HEADERS = ("ETag", "Cache-Control", "Last-Modified", "Vary", "Allow")


class OriginCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = settings.API_URL_PREFIX

    def __call__(self, request):
        timeout = settings.API_ORIGIN_CACHE_SECONDS
        if (
            timeout <= 0
            or request.method not in ("GET", "HEAD")
            or "HTTP_AUTHORIZATION" in request.META
            or not request.path.startswith(self.prefix)
            or RELEASE_TOKEN in request.GET
        ):
            return self.get_response(request)

        try:
            position = feed_position()  # before the view reads anything: see _remember
        except DatabaseError:
            # A shortcut never adds an error of its own: the view answers, or reports the
            # database's failure itself (many answers, e.g. a 400 for a bad cursor, need none).
            return self.get_response(request)
        key = self._key(request)
        answer = self._answer(request, key, position)
        if answer is not None and AnonRateThrottle().allow_request(request, None):
            return answer

        response = self.get_response(request)
        if (
            response.status_code in (200, 304)
            and getattr(response, "feed_validated", False)
            and not response.cookies
        ):
            self._remember(request, key, position, response, timeout)
        return response

    @staticmethod
    def _answer(request, key: str, position: str):
        """The remembered answer for this request at this position, or None.

        Validators and bodies are kept apart: a revalidation (most of a CDN's or frontend's
        traffic) reads only the small entry, never the body it will not send.
        """
        if "HTTP_IF_NONE_MATCH" in request.META:
            entry = cache.get(key)
            if entry is None or entry[0] != position:
                return None
            if etag_matches(request, entry[1]):
                answer = HttpResponseNotModified()
                for header, value in entry[2]:
                    answer[header] = value
                return answer
        full = cache.get(key + BODY)
        if full is None or full[0] != position:
            return None
        answer = HttpResponse(full[2])
        for header, value in full[1]:
            answer[header] = value
        return answer

    @staticmethod
    def _key(request) -> str:
        # The scheme and host are part of what decides the answer (absolute links in lists),
        # and so is the Accept header (406 for what cannot be served).
        identity = "\n".join(
            (
                request.scheme,
                request.get_host(),
                request.get_full_path(),
                request.META.get("HTTP_ACCEPT", ""),
            )
        )
        return KEY_PREFIX + hashlib.sha256(identity.encode()).hexdigest()

    @staticmethod
    def _remember(request, key: str, position: str, response, timeout: int) -> None:
        # `position` was read before the view ran: if a change committed in between, the
        # response may hold newer content than `position`, but `position` is then already past
        # and the entry can never match. Reading it after the view could file old content under
        # the new position.
        etag = response["ETag"].removeprefix("W/").strip('"')
        headers = [(n, response[n]) for n in REVALIDATION_HEADERS if response.has_header(n)]
        entries = {key: (position, etag, headers)}
        if response.status_code == 200 and request.method == "GET":
            entries[key + BODY] = (position, list(response.items()), response.content)
        cache.set_many(entries, timeout)
