"""Wagtail's own API v2 and v3 on our data, for comparison (bench settings only).

v2 needs a router with the pages endpoint (plus images and documents, which `logo` and
`document` link to). v3 builds pydantic schemas from each model's `api_fields` when first
imported; it does not know django-countries' `CountryField`, whose value is a `Country`
object rather than a string, and answers 422 for every member profile unless told how to
read it, here, before its schemas are built.
"""

from django_countries.fields import CountryField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet


def v2_router() -> WagtailAPIRouter:
    router = WagtailAPIRouter("wagtailapi")
    router.register_endpoint("pages", PagesAPIViewSet)
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
