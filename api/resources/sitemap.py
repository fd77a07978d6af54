"""Every public frontend URL with its last-modified time: for sitemaps and static builds."""

import json

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from .. import selectors
from ..caching import json_response
from ..schema import ERRORS, NOT_MODIFIED
from ..views import DeliveryView


class SitemapEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    url_path = serializers.CharField(help_text="The frontend path, e.g. /members/nasa/.")
    last_modified = serializers.DateTimeField(
        help_text="When the page's live version was published."
    )


class SitemapSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = SitemapEntrySerializer(many=True)


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class SitemapView(DeliveryView):
    """Every published public page's frontend path, in tree order, never a restricted one."""

    @extend_schema(
        operation_id="sitemap",
        summary="Every public frontend path with its last-modified time",
        description=(
            "The whole site in one answer (an entry is about 100 bytes: 50,000 pages, the "
            "sitemaps.org limit of one file, are 5 MB): each live page anyone may read, with "
            "its frontend path and when its live version was published. Members-only pages "
            "are never listed, whatever the token. A frontend serves `/sitemap.xml` from it; "
            "revalidate with `If-None-Match`, it changes only when the feed moves."
        ),
        responses={200: SitemapSerializer, **NOT_MODIFIED, **ERRORS},
        tags=["Pages"],
    )
    def get(self, request, *args, **kwargs):
        body, last_modified = self._render()
        if self.caller.authenticated:  # the same entries, but token answers stay private
            return json_response(request, body, last_modified=last_modified, public=False)
        return json_response(request, body, last_modified=last_modified, feed_validated=True)

    @staticmethod
    def _render():
        entries = selectors.sitemap_entries()
        body = {
            "count": len(entries),
            "results": [
                {"id": pk, "type": kind, "url_path": path, "last_modified": _iso(at)}
                for pk, kind, path, at in entries
            ],
        }
        last_modified = max((at for *_, at in entries), default=None)
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")), last_modified
