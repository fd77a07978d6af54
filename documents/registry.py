"""Which serializer renders which page type, and rendering a page to its stored document."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from wagtail.models import Page

from content_models.models import (
    FAQIndexPage,
    FAQPage,
    HomePage,
    MemberProfilePage,
    MembersIndexPage,
    RoadmapIndexPage,
    RoadmapReleasePage,
    StandardPage,
)

from .rendering import RenderContext
from .serializers.base import ItemSerializer
from .serializers.faqs import FAQSerializer
from .serializers.members import MemberSerializer
from .serializers.pages import HomePageSerializer, IndexPageSerializer, StandardPageSerializer
from .serializers.roadmap import RoadmapReleaseSerializer

SERIALIZERS: dict[type[Page], type[ItemSerializer]] = {
    HomePage: HomePageSerializer,
    StandardPage: StandardPageSerializer,
    FAQIndexPage: IndexPageSerializer,
    FAQPage: FAQSerializer,
    MembersIndexPage: IndexPageSerializer,
    MemberProfilePage: MemberSerializer,
    RoadmapIndexPage: IndexPageSerializer,
    RoadmapReleasePage: RoadmapReleaseSerializer,
}


# Every API `type` the registry renders, e.g. "member".
PAGE_TYPES = sorted({model.api_type for model in SERIALIZERS})


def models_of_type(page_type: str) -> list[type[Page]]:
    """Return the page models delivered with this API `type`."""
    return [model for model in SERIALIZERS if model.api_type == page_type]


def is_delivered(page: Page) -> bool:
    """Return whether the API delivers this page type."""
    return page.specific_class in SERIALIZERS


def serializer_for(model: type[Page]) -> type[ItemSerializer]:
    """Return the serializer of a page type; a type without one is a configuration error."""
    try:
        return SERIALIZERS[model]
    except KeyError:
        raise LookupError(
            f"No API serializer for {model.__name__}: add it to documents.registry.SERIALIZERS."
        ) from None


def dump_json(data) -> str:
    """Serialize a document the one way every stored body and response uses."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def etag_of(body: str) -> str:
    """Return the strong ETag of a stored body: its SHA-256."""
    return hashlib.sha256(body.encode()).hexdigest()


def render_data(page: Page, context: RenderContext) -> dict:
    """Render a page (live, or a draft for preview) to its delivery document."""
    page = page.specific if type(page) is Page else page
    serializer = serializer_for(type(page))(page, context={"render": context})
    return dict(serializer.data)


def render_document(page: Page, context: RenderContext) -> str:
    """Render a page to the JSON bytes it is stored and served as."""
    return dump_json(render_data(page, context))
