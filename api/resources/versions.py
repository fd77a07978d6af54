"""Published versions of an item: the list of them, and each one byte for byte as served."""

import json

from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from .. import selectors
from ..access import sees_publishers
from ..caching import json_response
from ..params import limit_offset
from ..schema import PaginatedSerializer
from ..views import CollectionMixin, DeliveryView
from .faqs import FAQ_SCHEMA, FAQCollection
from .members import MEMBER_SCHEMA, MemberCollection
from .pages import PAGE_SCHEMA, PageCollection
from .roadmap_releases import ROADMAP_RELEASE_SCHEMA, RoadmapReleaseCollection


class VersionURLField(serializers.CharField):
    """The API URL of a version: the versions list's own path, plus its number."""

    def get_attribute(self, instance):
        return f"{self.context['request'].path}{instance.number}/"


STAFF_ONLY = " Only for a token of a user who may use the CMS's admin; absent otherwise."


class VersionSerializer(serializers.Serializer):
    """A published version. `published_by` and `revision_id` are given only to a token of a
    user who may use the CMS's admin: staff names are not public."""

    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    live_until = serializers.DateTimeField(allow_null=True)
    etag = serializers.CharField(help_text="SHA-256 of the version's body: its ETag.")
    cause = serializers.ChoiceField(choices=["publish", "dependency", "move", "rebuild"])
    published_by = serializers.CharField(
        allow_null=True,
        required=False,
        source="publisher_name",
        help_text="Who published it (null for a re-render)." + STAFF_ONLY,
    )
    revision_id = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text="The admin revision it was rendered from." + STAFF_ONLY,
    )
    api_url = VersionURLField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("publishers"):  # see api.access.sees_publishers
            del data["published_by"], data["revision_id"]
        return data


class PaginatedVersionListSerializer(PaginatedSerializer):
    results = VersionSerializer(many=True)


NO_ITEM = "There is no item with id {pk} in this collection."


class VersionListView(CollectionMixin, DeliveryView):
    """Every published version of an item the caller may read, oldest first."""

    params = frozenset({"limit", "offset"})

    def get(self, request, pk: int, *args, **kwargs):
        document = self.live_document(pk, missing=NO_ITEM.format(pk=pk))
        limit, offset = limit_offset(request)
        publishers = sees_publishers(request.user)
        versions = selectors.versions_visible(
            caller=self.caller, document=document, page_id=pk, with_publishers=publishers
        )
        count = len(versions)
        results = VersionSerializer(
            versions[offset : offset + limit],
            many=True,
            context={"request": request, "publishers": publishers},
        ).data
        payload = {
            "count": count,
            "next": self._url(offset + limit, limit) if offset + limit < count else None,
            "previous": self._url(max(offset - limit, 0), limit) if offset > 0 else None,
            "results": results,
        }
        return json_response(
            request,
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
            last_modified=max(v.published_at for v in versions),
            public=document.public and not self.caller.authenticated,
            feed_validated=True,
        )

    def _url(self, offset: int, limit: int) -> str:
        return self.request.build_absolute_uri(f"{self.request.path}?limit={limit}&offset={offset}")


class VersionDetailView(CollectionMixin, DeliveryView):
    """One published version of an item, byte for byte as it was served."""

    params = frozenset()

    def get(self, request, pk: int, number: int, *args, **kwargs):
        document = self.live_document(pk, missing=NO_ITEM.format(pk=pk))
        version = selectors.version_get(
            caller=self.caller, document=document, page_id=pk, number=number
        )
        if version is None:
            raise NotFound(f"Item {pk} has no version {number}.")
        return self.stored_response(document, stored=version)


@extend_schema_view(get=FAQ_SCHEMA.versions(PaginatedVersionListSerializer))
class FAQVersionListView(FAQCollection, VersionListView):
    """The published versions of an FAQ section."""


@extend_schema_view(get=FAQ_SCHEMA.version())
class FAQVersionDetailView(FAQCollection, VersionDetailView):
    """One published version of an FAQ section."""


@extend_schema_view(get=MEMBER_SCHEMA.versions(PaginatedVersionListSerializer))
class MemberVersionListView(MemberCollection, VersionListView):
    """The published versions of a member profile."""


@extend_schema_view(get=MEMBER_SCHEMA.version())
class MemberVersionDetailView(MemberCollection, VersionDetailView):
    """One published version of a member profile."""


@extend_schema_view(get=ROADMAP_RELEASE_SCHEMA.versions(PaginatedVersionListSerializer))
class RoadmapReleaseVersionListView(RoadmapReleaseCollection, VersionListView):
    """The published versions of a roadmap release."""


@extend_schema_view(get=ROADMAP_RELEASE_SCHEMA.version())
class RoadmapReleaseVersionDetailView(RoadmapReleaseCollection, VersionDetailView):
    """One published version of a roadmap release."""


@extend_schema_view(get=PAGE_SCHEMA.versions(PaginatedVersionListSerializer))
class PageVersionListView(PageCollection, VersionListView):
    """The published versions of a page of any type."""


@extend_schema_view(get=PAGE_SCHEMA.version(summary="Get one published version of a page"))
class PageVersionDetailView(PageCollection, VersionDetailView):
    """One published version of a page of any type."""
