"""Answer anonymous revalidations of unchanged content before Django and DRF do any work.

A frontend or CDN that holds a response revalidates it with `If-None-Match`. What an anonymous
caller gets at a URL is decided by the published content alone, and every change to that
content appends a change-log entry in its own transaction (see `pipeline.changes.feed_position`).
So once a full request has answered a URL at some feed position, the same URL keeps the same
ETag until the position moves. This middleware remembers, per URL, the position and the
validators of the last answer, and while the position has not moved answers a matching
`If-None-Match` with 304 itself: one indexed query and one cache read, no URL resolving, no
session, no DRF, no serializer.

Only what is safe to answer this way is: GET or HEAD under the API's prefix, no
`Authorization` header (a token's view depends on its groups), no release token (a release
preview is one reviewer's, and never remembered), and only responses a view marked
`feed_validated` (public item and page lists, details, versions and resolve; not search, whose
index is updated by a task after the publish, nor the feed itself, whose old cursors expire with
time). Anonymous throttling still applies, on the same counters as the views'. Entries expire
after `API_REVALIDATION_CACHE_SECONDS` (0 turns this off), which bounds how long a reordering of
sibling pages, the one tree change the feed does not record, can go unseen, as for the list
cache.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseNotModified

from .caching import etag_matches, feed_position
from .release_preview import RELEASE_TOKEN
from .throttling import AnonRateThrottle

KEY_PREFIX = "api:revalidate:1:"
KEPT_HEADERS = ("ETag", "Cache-Control", "Last-Modified", "Vary", "Allow")


class FastRevalidationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = settings.API_URL_PREFIX

    def __call__(self, request):
        timeout = settings.API_REVALIDATION_CACHE_SECONDS
        if (
            timeout <= 0
            or request.method not in ("GET", "HEAD")
            or "HTTP_IF_NONE_MATCH" not in request.META
            or "HTTP_AUTHORIZATION" in request.META
            or not request.path.startswith(self.prefix)
            or RELEASE_TOKEN in request.GET
        ):
            return self.get_response(request)

        key = self._key(request)
        position = feed_position()  # before the view reads anything: see _remember
        entry = cache.get(key)
        if (
            entry is not None
            and entry[0] == position
            and etag_matches(request, entry[1])
            and AnonRateThrottle().allow_request(request, None)
        ):
            response = HttpResponseNotModified()
            for header, value in entry[2]:
                response[header] = value
            return response

        response = self.get_response(request)
        if response.status_code in (200, 304) and getattr(response, "feed_validated", False):
            self._remember(key, position, response, timeout)
        return response

    @staticmethod
    def _key(request) -> str:
        # The host and the Accept header are part of what decides the answer (absolute links in
        # lists; 406 for what cannot be served).
        identity = "\n".join(
            (request.get_host(), request.get_full_path(), request.META.get("HTTP_ACCEPT", ""))
        )
        return KEY_PREFIX + hashlib.sha256(identity.encode()).hexdigest()

    @staticmethod
    def _remember(key: str, position: str, response, timeout: int) -> None:
        # `position` was read before the view ran: if a change committed in between, the
        # response may hold newer content than `position`, but `position` is then already past
        # and the entry can never match. Reading it after the view could file old content under
        # the new position.
        etag = response["ETag"].removeprefix("W/").strip('"')
        headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
        cache.set(key, (position, etag, headers), timeout)
