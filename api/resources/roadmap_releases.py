"""Roadmap releases (editions and supplements): their list (filters, ordering) and detail."""

import django_filters
from drf_spectacular.utils import extend_schema_view

from content_models.models import RoadmapReleasePage
from documents.serializers.roadmap import RoadmapReleaseSerializer

from ..filters import StableOrderingFilter, TextFilter, YearFilter
from ..schema import CollectionSchema, PaginatedItemsSerializer, fields_parameter
from ..views import CollectionMixin, ItemDetailView, ItemListView


class RoadmapReleaseFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RoadmapReleasePage.Kind.choices)
    year = YearFilter(field_name="release_date", lookup_expr="year", help_text="Release year.")
    slug = TextFilter()
    ordering = StableOrderingFilter(
        fields=(("release_date", "release_date"),),
        help_text="release_date or -release_date.",
    )

    class Meta:
        model = RoadmapReleasePage
        fields: list[str] = []


class PaginatedRoadmapReleaseListSerializer(PaginatedItemsSerializer):
    results = RoadmapReleaseSerializer(many=True)


class RoadmapReleaseCollection(CollectionMixin):
    model = RoadmapReleasePage
    page_type = "roadmap_release"
    serializer_classes = (RoadmapReleaseSerializer,)
    filterset_class = RoadmapReleaseFilter
    default_ordering = ("release_date", "pk")


ROADMAP_RELEASE_SCHEMA = CollectionSchema(
    tag="RoadmapReleases",
    page_type="roadmap_release",
    noun="roadmap release",
    item=RoadmapReleaseSerializer,
    paginated=PaginatedRoadmapReleaseListSerializer,
    fields=fields_parameter(set(RoadmapReleaseSerializer().fields)),
)


@extend_schema_view(get=ROADMAP_RELEASE_SCHEMA.list())
class RoadmapReleaseListView(RoadmapReleaseCollection, ItemListView):
    """Published roadmap releases, by kind or year."""


@extend_schema_view(get=ROADMAP_RELEASE_SCHEMA.detail())
class RoadmapReleaseDetailView(RoadmapReleaseCollection, ItemDetailView):
    """One published roadmap release."""
