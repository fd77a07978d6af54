"""Wagtail's own API v2 and v3 on our data, for comparison (bench settings only).

v2 needs a router with the pages endpoint (plus images and documents, which `logo` and
`document` link to). Neither knows django-countries' `CountryField`, whose value is a `Country`
object rather than a string: v2 cannot encode an empty one (an intergovernmental member) and
v3 answers 422 for every member profile. Both are told to serve the ISO code; v3 must be told
before it builds its schemas, on first import (see `bench.apps`).
"""

from django_countries.fields import CountryField
from django_countries.serializer_fields import CountryField as CountrySerializerField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import PageSerializer
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet


class CountryAwarePageSerializer(PageSerializer):
    def build_standard_field(self, field_name, model_field):
        if isinstance(model_field, CountryField):
            return CountrySerializerField, {"read_only": True}
        return super().build_standard_field(field_name, model_field)


class BenchPagesAPIViewSet(PagesAPIViewSet):
    base_serializer_class = CountryAwarePageSerializer


def v2_router() -> WagtailAPIRouter:
    router = WagtailAPIRouter("wagtailapi")
    router.register_endpoint("pages", BenchPagesAPIViewSet)
    router.register_endpoint("images", ImagesAPIViewSet)
    router.register_endpoint("documents", DocumentsAPIViewSet)
    return router


def _country_schema(generator, field):
    name = field.name

    def resolve(obj) -> str | None:
        return getattr(obj, name).code or None

    return str | None, None, staticmethod(resolve)


def teach_v3_country_fields() -> None:
    """Register how v3 reads a CountryField (its ISO code), before v3 builds its schemas."""
    from wagtail.api.v3.schemas.generators.read import read_generator

    read_generator.register_field_schema(CountryField, _country_schema)
