"""Member agency profiles: their list (filters, ordering) and detail."""

import django_filters
from django_countries import countries
from drf_spectacular.utils import extend_schema_view

from content_models.models import MemberProfilePage
from documents.serializers.members import MemberSerializer

from ..filters import StableOrderingFilter, StrictBooleanFilter, TextFilter, YearFilter
from ..schema import CollectionSchema, PaginatedItemsSerializer, fields_parameter
from ..views import CollectionMixin, ItemDetailView, ItemListView


class MemberFilter(django_filters.FilterSet):
    country = django_filters.ChoiceFilter(
        choices=list(countries), help_text="ISO 3166-1 alpha-2 code, e.g. FR."
    )
    iss_partner = StrictBooleanFilter(help_text="true or false.")
    joined_after = YearFilter(
        field_name="year_joined", lookup_expr="gte", help_text="Joined in this year or later."
    )
    joined_before = YearFilter(
        field_name="year_joined", lookup_expr="lte", help_text="Joined in this year or earlier."
    )
    acronym = TextFilter(lookup_expr="iexact")
    slug = TextFilter()
    ordering = StableOrderingFilter(
        fields=(("title", "title"), ("acronym", "acronym"), ("year_joined", "joined")),
        help_text="title, acronym or joined; prefix with - for descending.",
    )

    class Meta:
        model = MemberProfilePage
        fields: list[str] = []


class PaginatedMemberListSerializer(PaginatedItemsSerializer):
    results = MemberSerializer(many=True)


class MemberCollection(CollectionMixin):
    model = MemberProfilePage
    page_type = "member"
    serializer_classes = (MemberSerializer,)
    filterset_class = MemberFilter
    default_ordering = ("title", "pk")


MEMBER_SCHEMA = CollectionSchema(
    tag="Members",
    page_type="member",
    noun="member profile",
    item=MemberSerializer,
    paginated=PaginatedMemberListSerializer,
    fields=fields_parameter(set(MemberSerializer().fields)),
)


@extend_schema_view(get=MEMBER_SCHEMA.list())
class MemberListView(MemberCollection, ItemListView):
    """Published member profiles, filtered by country, ISS partnership or year joined."""


@extend_schema_view(get=MEMBER_SCHEMA.detail())
class MemberDetailView(MemberCollection, ItemDetailView):
    """One published member profile."""
