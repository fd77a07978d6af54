"""FAQ sections: their list and detail (versions: `api.resources.versions`)."""

import django_filters
from drf_spectacular.utils import extend_schema_view

from content_models.models import FAQPage
from documents.serializers.faqs import FAQSerializer

from ..filters import TextFilter
from ..schema import CollectionSchema, PaginatedItemsSerializer, fields_parameter
from ..views import CollectionMixin, ItemDetailView, ItemListView


class FAQFilter(django_filters.FilterSet):
    slug = TextFilter()

    class Meta:
        model = FAQPage
        fields: list[str] = []


class PaginatedFAQListSerializer(PaginatedItemsSerializer):
    results = FAQSerializer(many=True)


class FAQCollection(CollectionMixin):
    model = FAQPage
    page_type = "faq"
    serializer_classes = (FAQSerializer,)
    filterset_class = FAQFilter
    default_ordering = ("path",)


FAQ_SCHEMA = CollectionSchema(
    tag="FAQs",
    page_type="faq",
    noun="FAQ section",
    item=FAQSerializer,
    paginated=PaginatedFAQListSerializer,
    fields=fields_parameter(set(FAQSerializer().fields)),
)


@extend_schema_view(get=FAQ_SCHEMA.list())
class FAQListView(FAQCollection, ItemListView):
    """Published FAQ sections, questions in order."""


@extend_schema_view(get=FAQ_SCHEMA.detail())
class FAQDetailView(FAQCollection, ItemDetailView):
    """One published FAQ section."""
