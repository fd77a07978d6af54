"""Search across every published item the caller may read, on Wagtail's search backend."""

import html
import json
import re
from datetime import datetime

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


class SearchResultSerializer(serializers.Serializer):
    """A hit: a published document the caller may read, summarised for a results page."""

    type = serializers.CharField()
    type_label = serializers.CharField(help_text="The type in words, e.g. `Roadmap release`.")
    id = serializers.IntegerField()
    title = serializers.CharField()
    subtitle = serializers.CharField(
        help_text=(
            "What tells same-titled results apart: a release's edition and date, a member's "
            "acronym and country, an FAQ's number of questions, else when it was last updated."
        )
    )
    url_path = serializers.CharField()
    api_url = PagePathField()
    snippet = serializers.CharField(
        help_text=(
            "Plain text around the first match, from the human-readable text only (no field "
            "values such as dates or file types); paragraphs are separated by a newline."
        )
    )
    snippet_html = serializers.CharField(
        help_text="`snippet`, HTML-escaped, with each matching word in `<mark>`…`</mark>`."
    )


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
                [summary(json.loads(body), words) for body in hits], many=True
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


TYPE_LABELS = {
    "home": "Home page",
    "page": "Page",
    "faq_index": "FAQ",
    "faq": "FAQ",
    "members_index": "Members",
    "member": "Member agency",
    "roadmap_index": "Roadmap",
    "roadmap_release": "Roadmap release",
}


def summary(document: dict, words: list[str]) -> dict:
    """Return what a results page shows of a hit: its label, subtitle and marked snippet."""
    text = snippet(paragraphs(document), words)
    return {
        **document,
        "type_label": TYPE_LABELS.get(document["type"], document["type"].replace("_", " ")),
        "subtitle": subtitle(document),
        "snippet": text,
        "snippet_html": marked(text, words),
    }


# Human-readable text, wherever it sits in a document: field values (dates, file types,
# acronyms, labels of related items) are not text to quote.
PROSE_KEYS = {
    "intro",
    "summary",
    "body",
    "questions",
    "question",
    "answer",
    "value",  # a stream block's: a paragraph or heading, or a dict with its caption or quote
    "caption",
    "text",
    "label",
}
PROSE_BLOCKS = {"heading", "paragraph", "quote", "image", "document"}
BLOCK_END = re.compile(r"(?i)<\s*(?:/\s*(?:p|h[1-6]|li|blockquote|figcaption|div)|br\s*/?)\s*>")


def paragraphs(document: dict) -> list[str]:
    """Return the document's human-readable text, one string per paragraph, in order."""
    found: list[str] = []

    def visit(value, key: str | None = None) -> None:
        if isinstance(value, str):
            for part in BLOCK_END.split(value):
                text = re.sub(r"\s+", " ", html.unescape(strip_tags(part))).strip()
                if text:
                    found.append(text)
        elif isinstance(value, list):
            for item in value:
                visit(item, key)
        elif isinstance(value, dict):
            if "type" in value and "value" in value and value.get("type") not in PROSE_BLOCKS:
                return
            for name, item in value.items():
                if name in PROSE_KEYS:
                    visit(item, name)

    visit({key: value for key, value in document.items() if key in PROSE_KEYS})
    return found


def _term_pattern(words: list[str]) -> re.Pattern | None:
    terms = sorted({w.lower() for w in words if len(w) > 1}, key=len, reverse=True)
    if not terms:
        return None
    # A word that starts with a term (the backend stems: "roadmap" finds "roadmaps").
    return re.compile(r"(?i)\b(?:" + "|".join(re.escape(t) for t in terms) + r")\w*")


def snippet(texts: list[str], words: list[str]) -> str:
    """Return the passage around the first term found, paragraphs separated by newlines."""
    text = "\n".join(texts)
    pattern = _term_pattern(words)
    match = pattern.search(text) if pattern else None
    if match is None:
        end = SNIPPET_RADIUS * 2
        return text[:end].rstrip() + ("…" if len(text) > end else "")
    start = max(match.start() - SNIPPET_RADIUS, 0)
    paragraph_start = text.rfind("\n", 0, match.start()) + 1
    if 0 < start <= paragraph_start:  # the match's paragraph begins close enough: start there
        start = paragraph_start
    elif start:  # start at a word
        space = text.find(" ", start, match.start())
        start = space + 1 if space >= 0 else start
    end = min(start + SNIPPET_RADIUS * 2, len(text))
    if end < len(text):  # end at a word
        space = text.rfind(" ", match.end(), end)
        end = space if space > 0 else end
    passage = text[start:end].strip()
    return ("…" if start else "") + passage + ("…" if end < len(text) else "")


def marked(text: str, words: list[str]) -> str:
    """Return the text HTML-escaped, each word matching a term in `<mark>`."""
    pattern = _term_pattern(words)
    if pattern is None:
        return html.escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def _date(value: str | None, precision: str = "day") -> str:
    if not value:
        return ""
    try:
        day = datetime.fromisoformat(value)
    except ValueError:
        return value
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{day:%B} {day.year}"
    return f"{day.day} {day:%B} {day.year}"


def subtitle(document: dict) -> str:
    """Return what sets a hit apart from others of the same title."""
    kind = document.get("type")
    if kind == "roadmap_release":
        edition = document.get("edition_label") or (
            f"Edition {document['edition_number']}" if document.get("edition_number") else ""
        )
        if not edition and document.get("kind"):
            edition = str(document["kind"]).capitalize()
        when = _date(document.get("release_date"), document.get("release_date_precision", "day"))
        return " · ".join(part for part in (edition, when) if part)
    if kind == "member":
        return " · ".join(
            part for part in (document.get("acronym"), document.get("country_name")) if part
        )
    if kind == "faq":
        count = len(document.get("questions") or [])
        return f"{count} question{'' if count == 1 else 's'}"
    updated = _date(document.get("last_published_at"))
    return f"Updated {updated}" if updated else ""
