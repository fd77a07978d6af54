"""Wagtail's own API v2 and v3 on our data, for comparison (bench settings only).

Both read the fields to serve from each model's `api_fields`. The product declares none (its
API has its own serializers), so the bench declares them here: every field our API delivers,
the way a Wagtail site would, and they are set on the models only by the bench server's app
(`bench.apps.BenchServerConfig`).

v2 needs a router with the pages endpoint (plus images and documents, which `logo` and
`document` link to). Neither knows django-countries' `CountryField`, whose value is a `Country`
object rather than a string: v2 cannot encode an empty one (an intergovernmental member) and
v3 answers 422 for every member profile. Both are told to serve the ISO code; v3 must be told,
and the fields declared, before it builds its schemas, on first import (see `bench.apps`).
"""

from django.apps import apps
from django_countries.fields import CountryField
from django_countries.serializer_fields import CountryField as CountrySerializerField
from wagtail.api import APIField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import PageSerializer
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.fields import ImageRenditionField
from wagtail.images.api.v2.views import ImagesAPIViewSet

# What v2 and v3 serve of each model: a name is the model field; thumbnails are renditions.
API_FIELDS: dict[str, list[str | APIField]] = {
    "content_models.HomePage": ["intro", "body"],
    "content_models.StandardPage": ["intro", "body"],
    "content_models.FAQIndexPage": ["intro"],
    "content_models.FAQPage": ["intro", "questions"],
    "content_models.FAQQuestion": ["anchor", "question", "answer"],
    "content_models.MembersIndexPage": ["intro"],
    "content_models.MemberProfilePage": [
        "acronym",
        "country",
        "logo",
        APIField("logo_thumbnail", serializer=ImageRenditionField("max-400x400", source="logo")),
        "website",
        "year_joined",
        "iss_partner",
        "summary",
        "body",
        "verification_note",
    ],
    "content_models.RoadmapIndexPage": ["intro"],
    "content_models.RoadmapReleasePage": [
        "kind",
        "edition_number",
        "edition_label",
        "release_date",
        "release_date_precision",
        "summary",
        "body",
        "document",
        "cover_image",
        APIField(
            "cover_thumbnail", serializer=ImageRenditionField("fill-600x800", source="cover_image")
        ),
        "previous_release",
        "relation_to_previous",
        "contributing_agencies",
        "verification_note",
    ],
}


def declare_api_fields() -> None:
    """Set `api_fields` on the models, for Wagtail's v2 and v3 (before v3 builds its schemas)."""
    for label, fields in API_FIELDS.items():
        apps.get_model(label).api_fields = [
            field if isinstance(field, APIField) else APIField(field) for field in fields
        ]


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
