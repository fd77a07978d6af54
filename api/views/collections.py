"""The typed collections: faqs, members, roadmap-releases. Each is four thin views."""

from drf_spectacular.utils import extend_schema

from content_models.models import FAQPage, MemberProfilePage, RoadmapReleasePage

from ..filters import FAQFilter, MemberFilter, RoadmapReleaseFilter
from ..schema import (
    AS_OF,
    ERRORS,
    LIMIT,
    NOT_FOUND,
    NOT_MODIFIED,
    OFFSET,
    fields_parameter,
    paginated,
)
from ..serializers.faqs import FAQSerializer
from ..serializers.members import MemberSerializer
from ..serializers.roadmap import RoadmapReleaseSerializer
from ..serializers.versions import VersionSerializer
from .items import ItemDetailView, ItemListView, VersionDetailView, VersionListView


def documented(method, **schema):
    """Return a copy of a base view method carrying its own OpenAPI description."""

    def get(self, request, *args, **kwargs):
        return method(self, request, *args, **kwargs)

    return extend_schema(**schema)(get)


LIST_DESCRIPTION = (
    "Published {noun}s the caller may read: public ones, plus members-only ones with a member's "
    "token. Filter and order with the parameters below, page with `limit` and `offset`, and pick "
    "fields with `fields`. Each entry is the same document as its detail."
)
DETAIL_DESCRIPTION = (
    "The {noun} as published (never a draft), or 404 when there is none or the caller may not "
    "read it. `as_of` returns the version that was live at a moment."
)
VERSIONS_DESCRIPTION = (
    "Every published version of the {noun} the caller may read, oldest first, each with the "
    "ETag its body was served with."
)
VERSION_DESCRIPTION = "One published version of the {noun}, byte for byte as it was served."


def collection_views(*, tag, model, page_type, serializer, filterset, ordering, noun):
    """Build the list, detail, versions and version views of one collection."""
    fields = fields_parameter(set(serializer().fields))
    attrs = {
        "model": model,
        "page_type": page_type,
        "serializer_classes": (serializer,),
        "filterset_class": filterset,
        "default_ordering": ordering,
    }

    list_view = type(
        f"{tag}ListView",
        (ItemListView,),
        {
            **attrs,
            "get": documented(
                ItemListView.get,
                filters=True,
                operation_id=f"{page_type}_list",
                summary=f"List published {noun}s",
                description=LIST_DESCRIPTION.format(noun=noun),
                parameters=[LIMIT, OFFSET, fields],
                responses={200: paginated(serializer), **NOT_MODIFIED, **ERRORS},
                tags=[tag],
            ),
        },
    )
    detail_view = type(
        f"{tag}DetailView",
        (ItemDetailView,),
        {
            **attrs,
            "get": documented(
                ItemDetailView.get,
                operation_id=f"{page_type}_retrieve",
                summary=f"Get a published {noun}",
                description=DETAIL_DESCRIPTION.format(noun=noun),
                parameters=[fields, AS_OF],
                responses={200: serializer, **NOT_MODIFIED, **ERRORS, **NOT_FOUND},
                tags=[tag],
            ),
        },
    )
    versions_view = type(
        f"{tag}VersionListView",
        (VersionListView,),
        {
            **attrs,
            "get": documented(
                VersionListView.get,
                operation_id=f"{page_type}_versions_list",
                summary=f"List the published versions of a {noun}",
                description=VERSIONS_DESCRIPTION.format(noun=noun),
                parameters=[LIMIT, OFFSET],
                responses={
                    200: paginated(VersionSerializer),
                    **NOT_MODIFIED,
                    **ERRORS,
                    **NOT_FOUND,
                },
                tags=[tag],
            ),
        },
    )
    version_view = type(
        f"{tag}VersionDetailView",
        (VersionDetailView,),
        {
            **attrs,
            "get": documented(
                VersionDetailView.get,
                operation_id=f"{page_type}_versions_retrieve",
                summary=f"Get one published version of a {noun}, exactly as it was served",
                description=VERSION_DESCRIPTION.format(noun=noun),
                responses={200: serializer, **NOT_MODIFIED, **ERRORS, **NOT_FOUND},
                tags=[tag],
            ),
        },
    )
    return list_view, detail_view, versions_view, version_view


FAQ_VIEWS = collection_views(
    tag="FAQs",
    model=FAQPage,
    page_type="faq",
    serializer=FAQSerializer,
    filterset=FAQFilter,
    ordering=("path",),
    noun="FAQ section",
)
MEMBER_VIEWS = collection_views(
    tag="Members",
    model=MemberProfilePage,
    page_type="member",
    serializer=MemberSerializer,
    filterset=MemberFilter,
    ordering=("title", "pk"),
    noun="member profile",
)
ROADMAP_VIEWS = collection_views(
    tag="RoadmapReleases",
    model=RoadmapReleasePage,
    page_type="roadmap_release",
    serializer=RoadmapReleaseSerializer,
    filterset=RoadmapReleaseFilter,
    ordering=("release_date", "pk"),
    noun="roadmap release",
)
