"""Releases: many page changes that went live at once, with the feed range they occupy.

Published releases are public (their items filtered to what the caller may read). A release
still in preparation is visible only with its own release token, which also shows its items
as the preview would publish them.
"""

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from documents.paths import RELEASES, api_path, collection_path, item_path
from releases.models import Release, ReleaseItem

from .. import selectors
from ..caching import json_response
from ..errors import BadRequest
from ..params import datetime_param, encode_cursor, limit_offset
from ..release_preview import RELEASE_TOKEN
from ..schema import (
    LIMIT,
    NOT_FOUND,
    NOT_MODIFIED,
    OFFSET,
    RELEASE_PREVIEW_ERRORS,
    RELEASE_TOKEN_PARAMETER,
    PaginatedSerializer,
)
from ..views import DeliveryView

ACTIONS = {ReleaseItem.Action.PUBLISH: "published", ReleaseItem.Action.UNPUBLISH: "unpublished"}


class ReleaseItemSerializer(serializers.Serializer):
    action = serializers.SerializerMethodField()
    type = serializers.CharField(source="page_type")
    id = serializers.IntegerField(source="page_id")
    version = serializers.IntegerField(
        allow_null=True, help_text="The version it went live as (null until published)."
    )
    api_url = serializers.SerializerMethodField()

    def get_action(self, item) -> str:
        return ACTIONS[item.action]

    def get_api_url(self, item) -> str:
        return api_path(item.page_type, item.page_id)


class ReleaseSeqSerializer(serializers.Serializer):
    first = serializers.IntegerField(allow_null=True, source="first_seq")
    last = serializers.IntegerField(allow_null=True, source="last_seq")
    changes_url = serializers.SerializerMethodField(
        help_text="The change feed from the release's first entry."
    )

    def get_changes_url(self, release) -> str | None:
        if release.first_seq is None:
            return None
        return f"{collection_path('changes')}?cursor={encode_cursor(release.first_seq - 1)}"


class ReleaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    notes = serializers.CharField()
    status = serializers.ChoiceField(
        choices=Release.Status.values,
        help_text="published, or (with its release token) the state of a release to come.",
    )
    published_at = serializers.DateTimeField(allow_null=True)
    items = ReleaseItemSerializer(many=True, source="visible_items")
    seq = ReleaseSeqSerializer(
        source="*", help_text="The release's consecutive entries in the change feed."
    )
    api_url = serializers.SerializerMethodField()

    def get_api_url(self, release) -> str:
        return item_path(RELEASES, release.pk)


class PaginatedReleaseListSerializer(PaginatedSerializer):
    results = ReleaseSerializer(many=True)


def _body(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class ReleaseListView(DeliveryView):
    """Published releases, newest first (and the previewed one, with its token)."""

    params = frozenset({"limit", "offset", "published_after", "published_before", RELEASE_TOKEN})

    @extend_schema(
        operation_id="release_list",
        summary="List published releases",
        description=(
            "Releases that went live, newest first: their items (type, id and version, only "
            "those the caller may read) and the range of change-feed entries they occupy. With "
            "`release_token`, the release it previews is listed too, with its state."
        ),
        parameters=[
            OpenApiParameter(
                "published_after",
                OpenApiTypes.DATETIME,
                description="Only releases published at or after this ISO 8601 date-time.",
            ),
            OpenApiParameter(
                "published_before",
                OpenApiTypes.DATETIME,
                description=(
                    "Only releases published before this ISO 8601 date-time. A range whose "
                    "`published_after` is later than `published_before` is refused (400)."
                ),
            ),
            LIMIT,
            OFFSET,
            RELEASE_TOKEN_PARAMETER,
        ],
        responses={200: PaginatedReleaseListSerializer, **NOT_MODIFIED, **RELEASE_PREVIEW_ERRORS},
        tags=["Releases"],
    )
    def get(self, request, *args, **kwargs):
        limit, offset = limit_offset(request)
        after = datetime_param(request, "published_after")
        before = datetime_param(request, "published_before")
        if after is not None and before is not None and after > before:
            # Equal bounds are an empty range ([after, before) is half-open), not an error.
            raise BadRequest("'published_after' must not be later than 'published_before'.")
        previewed = self.release_preview.grant.release if self.release_preview else None
        count, releases = selectors.releases_visible(
            caller=self.caller,
            after=after,
            before=before,
            offset=offset,
            limit=limit,
            previewed=previewed,
            overlay=self.overlay,
        )
        payload = {
            "count": count,
            "next": self._url(offset + limit, limit) if offset + limit < count else None,
            "previous": self._url(max(offset - limit, 0), limit) if offset > 0 else None,
            "results": ReleaseSerializer(releases, many=True).data,
        }
        if self.release_preview is not None:
            payload["meta"] = self.release_preview.meta
        return self.previewed(
            json_response(
                request,
                _body(payload),
                last_modified=selectors.last_change_at(caller=self.caller),
                public=not self.caller.authenticated and self.release_preview is None,
                feed_validated=True,
            )
        )

    def _url(self, offset: int, limit: int) -> str:
        query = self.request.GET.copy()
        query["limit"], query["offset"] = str(limit), str(offset)
        return self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}")


class ReleaseDetailView(DeliveryView):
    """One published release (or, with its token, the release to come)."""

    params = frozenset({RELEASE_TOKEN})

    def previewed_release_id(self) -> int:
        return self.kwargs["pk"]  # a token names its release: another one's is refused

    @extend_schema(
        operation_id="release_retrieve",
        summary="Get a published release",
        description=(
            "A release that went live: its items and its range in the change feed. A release "
            "still in preparation answers only its own `release_token` (another release's token "
            "is a 403 `wrong_release`)."
        ),
        parameters=[RELEASE_TOKEN_PARAMETER],
        responses={
            200: ReleaseSerializer,
            **NOT_MODIFIED,
            **RELEASE_PREVIEW_ERRORS,
            **NOT_FOUND,
        },
        tags=["Releases"],
    )
    def get(self, request, pk: int, *args, **kwargs):
        previewed = self.release_preview.grant.release if self.release_preview else None
        release = selectors.release_get(
            caller=self.caller, pk=pk, previewed=previewed, overlay=self.overlay
        )
        if release is None:
            raise NotFound(f"There is no published release with id {pk}.")
        data = dict(ReleaseSerializer(release).data)
        if self.release_preview is not None:
            data["meta"] = self.release_preview.meta
        return self.previewed(
            json_response(
                request,
                _body(data),
                last_modified=release.published_at,
                public=not self.caller.authenticated and self.release_preview is None,
                feed_validated=True,
            )
        )
