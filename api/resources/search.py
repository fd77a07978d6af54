"""Search across every published item the caller may read, on Wagtail's search backend."""

import json
import re

from django.utils.html import strip_tags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from documents.paths import PAGES, item_path
from documents.registry import PAGE_TYPES

from .. import selectors
from ..caching import json_response
from ..errors import BadRequest
from ..params import TEXT_PATTERN, limit_offset, text_param
from ..schema import ERRORS, LIMIT, NOT_MODIFIED, OFFSET, PaginatedSerializer
from ..views import DeliveryView

MAX_QUERY_LENGTH = 200
SNIPPET_RADIUS = 90


class PagePathField(serializers.CharField):
    """The `pages` API path of a hit (every item is served there, whatever its type)."""

    def get_attribute(self, instance):
        return item_path(PAGES, instance["id"])


class SnippetField(serializers.CharField):
    """The passage of a hit around the first search term it contains."""

    def get_attribute(self, instance):
        return snippet(instance, self.context["query"])


# A hit: a published document the caller may read, summarised.
class SearchResultSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField()
    url_path = serializers.CharField()
    api_url = PagePathField()
    snippet = SnippetField()


class PaginatedSearchResultListSerializer(PaginatedSerializer):
    results = SearchResultSerializer(many=True)


# Ranked published items matching some words. (No docstring: the schema's description of the
# operation is DeliveryView's, as in the reviewed snapshot.)
class SearchView(DeliveryView):
    params = frozenset({"q", "type", "limit", "offset"})

    @extend_schema(
        operation_id="search",
        summary="Search published content",
        parameters=[
            OpenApiParameter(
                "q",
                {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_QUERY_LENGTH,
                    "pattern": TEXT_PATTERN,
                },
                required=True,
                description=(
                    "The words to search for (punctuation is ignored; without any word, "
                    "nothing is found)."
                ),
            ),
            OpenApiParameter("type", OpenApiTypes.STR, enum=PAGE_TYPES, description="Item type."),
            LIMIT,
            OFFSET,
        ],
        responses={200: PaginatedSearchResultListSerializer, **NOT_MODIFIED, **ERRORS},
        tags=["Search"],
    )
    def get(self, request, *args, **kwargs):
        raw = text_param(request, "q")
        if not raw:
            raise BadRequest("'q' is required: the words to search for.")
        if len(raw) > MAX_QUERY_LENGTH:
            raise BadRequest(f"'q' must be at most {MAX_QUERY_LENGTH} characters.")
        query = raw.strip()
        # Words only: quotes and operators are query syntax to some backends (SQLite FTS
        # answers `"` with a syntax error), and callers send plain words.
        words = re.findall(r"\w+", query)
        page_type = request.GET.get("type")
        if page_type is not None and page_type not in PAGE_TYPES:
            raise BadRequest(f"'type' must be one of {', '.join(PAGE_TYPES)}, got {page_type!r}.")
        limit, offset = limit_offset(request)
        count, hits = 0, []
        if words:  # punctuation only: a valid query that matches nothing
            count, hits = selectors.search(
                caller=self.caller,
                query=" ".join(words),
                page_type=page_type,
                offset=offset,
                limit=limit,
            )
        payload = {
            "count": count,
            "next": self._url(offset + limit, limit) if offset + limit < count else None,
            "previous": self._url(max(offset - limit, 0), limit) if offset > 0 else None,
            "results": SearchResultSerializer(
                [json.loads(body) for body in hits], many=True, context={"query": query}
            ).data,
        }
        return json_response(
            request,
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
            last_modified=selectors.last_change_at(caller=self.caller),
            public=not self.caller.authenticated,
        )

    def _url(self, offset: int, limit: int) -> str:
        query = self.request.GET.copy()
        query["limit"], query["offset"] = str(limit), str(offset)
        return self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}")


def snippet(document: dict, query: str) -> str:
    """Return the passage of the document around the first search term it contains."""
    text = " ".join(_texts(document))
    text = re.sub(r"\s+", " ", strip_tags(text)).strip()
    terms = [t for t in re.split(r"\W+", query.lower()) if len(t) > 1]
    lowered = text.lower()
    positions = [lowered.find(t) for t in terms if lowered.find(t) >= 0]
    if not positions:
        return text[: SNIPPET_RADIUS * 2].rstrip() + ("…" if len(text) > SNIPPET_RADIUS * 2 else "")
    start = max(min(positions) - SNIPPET_RADIUS, 0)
    end = min(start + SNIPPET_RADIUS * 2, len(text))
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


SNIPPET_SKIP = {
    "id",
    "type",
    "slug",
    "url_path",
    "api_url",
    "url",
    "version",
    "published_at",
    "last_published_at",
    "renditions",
    "parent_id",
    "etag",
    "title",
}


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in SNIPPET_SKIP:
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
