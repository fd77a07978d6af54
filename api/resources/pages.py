"""Every published page, whatever its type, and the route lookup frontends need."""

import json

import django_filters
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from wagtail.models import Page

from documents.registry import PAGE_TYPES, SERIALIZERS, models_of_type

from .. import selectors
from ..caching import json_response
from ..errors import BadRequest
from ..filters import IntegerFilter, TextFilter
from ..params import PATH_PATTERN, fields_param, text_param
from ..release_preview import RELEASE_TOKEN
from ..schema import (
    NOT_FOUND,
    NOT_MODIFIED,
    RELEASE_PREVIEW_ERRORS,
    RELEASE_TOKEN_PARAMETER,
    CollectionSchema,
    PaginatedItemsSerializer,
    fields_parameter,
)
from ..views import CollectionMixin, DeliveryView, ItemDetailView, ItemListView, item_fields


class PageFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        choices=[(t, t) for t in PAGE_TYPES], method="filter_type", help_text="An item type."
    )
    child_of = IntegerFilter(method="filter_child_of", min_value=1, help_text="A parent page id.")
    slug = TextFilter()

    class Meta:
        model = Page
        fields: list[str] = []

    def filter_type(self, queryset, name, value):
        return queryset.type(*models_of_type(value))

    def filter_child_of(self, queryset, name, value):
        parent = Page.objects.filter(pk=int(value)).only("path", "depth").first()
        if parent is None:
            return queryset.none()
        return queryset.child_of(parent)


def _item(**kwargs) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name="Item",
        serializers={model.api_type: serializer for model, serializer in SERIALIZERS.items()},
        resource_type_field_name="type",
        **kwargs,
    )


ITEM = _item()
FIELDS = fields_parameter(item_fields(SERIALIZERS.values()))


class PaginatedItemListSerializer(PaginatedItemsSerializer):
    results = _item(many=True)


class PageCollection(CollectionMixin):
    model = Page
    page_type = None
    serializer_classes = tuple(dict.fromkeys(SERIALIZERS.values()))
    filterset_class = PageFilter
    default_ordering = ("path",)


PAGE_SCHEMA = CollectionSchema(
    tag="Pages",
    page_type="page",
    noun="page",
    item=ITEM,
    paginated=PaginatedItemListSerializer,
    fields=FIELDS,
)


@extend_schema_view(
    get=PAGE_SCHEMA.list(
        summary="List every published page (filter by type or parent)",
        note=" `fields` may name a field of any type.",
    )
)
class PageListView(PageCollection, ItemListView):
    """Every published page the caller may read, by type or parent."""


@extend_schema_view(get=PAGE_SCHEMA.detail(summary="Get a published page of any type"))
class PageDetailView(PageCollection, ItemDetailView):
    """One published page of any type."""


class RedirectSerializer(serializers.Serializer):
    """A redirect editors manage (Settings > Redirects): the path has no page, go there."""

    type = serializers.ChoiceField(choices=["redirect"], help_text="Always `redirect`.")
    status = serializers.ChoiceField(
        choices=[301, 302], help_text="The HTTP status a frontend server answers with."
    )
    permanent = serializers.BooleanField(help_text="301 when true, 302 when false.")
    location = serializers.CharField(
        help_text=(
            "Where to go: a frontend path (`/faq/new/`) to route, or an absolute URL "
            "(`https://…`) on another site."
        )
    )


RESOLVED = PolymorphicProxySerializer(
    component_name="Resolved",
    serializers={
        **{model.api_type: serializer for model, serializer in SERIALIZERS.items()},
        "redirect": RedirectSerializer,
    },
    resource_type_field_name="type",
)


class ResolveView(PageCollection, DeliveryView):
    """Find the page a frontend route shows: everything a router needs.

    When no page is at the path but editors redirected it (Settings > Redirects), the answer
    is a 200 `{"type": "redirect", "status": 301, "permanent": true, "location": "/faq/"}`:
    a real 3xx would be followed by `fetch()` without the frontend seeing it, so the frontend
    decides (a server answers the browser with that status and `Location`, a client-side
    router navigates).
    """

    params = frozenset({"path", "fields", RELEASE_TOKEN})

    @extend_schema(
        operation_id="page_resolve",
        summary="Find the published page at a frontend URL path",
        parameters=[
            OpenApiParameter(
                "path",
                {"type": "string", "pattern": PATH_PATTERN},
                required=True,
                description="The frontend path, e.g. /members/nasa/ (the home page is /).",
            ),
            FIELDS,
            RELEASE_TOKEN_PARAMETER,
        ],
        responses={
            200: OpenApiResponse(
                RESOLVED,
                description=(
                    "The page's document; or, when no live page is at the path and editors "
                    "redirected it, a `redirect` (`type` tells which). `fields` does not apply "
                    "to a redirect."
                ),
            ),
            **NOT_MODIFIED,
            **RELEASE_PREVIEW_ERRORS,
            **NOT_FOUND,
        },
        tags=["Pages"],
    )
    def get(self, request, *args, **kwargs):
        path = text_param(request, "path") or ""
        if not path.startswith("/"):
            raise BadRequest("'path' is required and must start with '/', e.g. /members/nasa/.")
        fields = fields_param(request, self.available_fields())
        document = selectors.document_resolve(caller=self.caller, path=path, overlay=self.overlay)
        if document is None:
            redirect = selectors.redirect_resolve(path=path)
            if redirect is None:
                raise NotFound(f"No published page at {path}.")
            return self.redirect_response(redirect)
        return self.stored_response(document, fields=fields)

    def redirect_response(self, redirect: selectors.RedirectTarget):
        body = RedirectSerializer(
            {
                "type": "redirect",
                "status": 301 if redirect.permanent else 302,
                "permanent": redirect.permanent,
                "location": redirect.location,
            }
        ).data
        # Not feed-validated: editing a redirect moves no feed, so a 304 is only ever decided
        # here, from the body.
        return self.previewed(
            json_response(
                self.request,
                json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                public=not self.caller.authenticated and self.release_preview is None,
            )
        )
