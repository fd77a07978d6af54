"""The API's index at the prefix itself: what there is to read, with absolute links."""

import json

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from documents.paths import (
    CHANGES,
    COLLECTION_BY_TYPE,
    DOCS,
    PAGES,
    RELEASES,
    RESOLVE,
    SCHEMA,
    SEARCH,
    SITEMAP,
    api_prefix,
    collection_path,
    public_url,
)

from ..caching import json_response
from ..schema import ERRORS, NOT_MODIFIED
from ..views import DeliveryView

# name -> (API path under the prefix, what a client finds there); the index lists them in order.
ENDPOINTS: dict[str, tuple[str, str]] = {
    PAGES: (PAGES, "Every published page of any type; filter by `type` or `child_of`."),
    **{
        collection.replace("-", "_"): (collection, f"Published {page_type.replace('_', ' ')}s.")
        for page_type, collection in COLLECTION_BY_TYPE.items()
    },
    "resolve": (RESOLVE, "The page (or redirect) at a frontend path: `?path=/members/nasa/`."),
    SEARCH: (SEARCH, "Full-text search of published content: `?q=roadmap`."),
    SITEMAP: (SITEMAP, "Every public frontend path with its last-modified time."),
    CHANGES: (CHANGES, "The change feed: follow it with `?cursor=` and never miss a publish."),
    RELEASES: (RELEASES, "Published releases (many changes that went live at once)."),
    "docs": (DOCS, "The interactive documentation, with a getting-started guide."),
    "schema": (SCHEMA, "The OpenAPI 3.1 schema (YAML; `?format=json` for JSON)."),
}


class IndexLinkSerializer(serializers.Serializer):
    href = serializers.URLField(help_text="Absolute URL on the API's public base.")
    description = serializers.CharField()


class IndexSerializer(serializers.Serializer):
    title = serializers.CharField()
    version = serializers.CharField(help_text="The API's version (its schema's `info.version`).")
    links = serializers.DictField(
        child=IndexLinkSerializer(),
        help_text=(
            "Each endpoint by name: pages, faqs, members, roadmap_releases, resolve, search, "
            "sitemap, changes, releases, docs, schema."
        ),
    )


def index_document() -> dict:
    """Return the index: the API's title and version, and a link to each endpoint."""
    spectacular = settings.SPECTACULAR_SETTINGS
    return {
        "title": spectacular["TITLE"],
        "version": spectacular["VERSION"],
        "links": {
            name: {"href": public_url(collection_path(path)), "description": description}
            for name, (path, description) in ENDPOINTS.items()
        },
    }


class IndexView(DeliveryView):
    """The API's entry point: links to every collection and endpoint, and to the docs."""

    @extend_schema(
        operation_id="index",
        summary="The API's index: links to every endpoint",
        description=(
            f"Start here: `{api_prefix()}` names each collection and endpoint with its absolute "
            "URL. It changes only when the API does; revalidate it with `If-None-Match`."
        ),
        responses={200: IndexSerializer, **NOT_MODIFIED, **ERRORS},
        tags=["Index"],
    )
    def get(self, request, *args, **kwargs):
        body = json.dumps(index_document(), ensure_ascii=False, separators=(",", ":"))
        # The same for everyone; a token's answers stay private, as everywhere else.
        return json_response(request, body, max_age=3600, public=not self.caller.authenticated)
