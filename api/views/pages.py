"""Every published page, whatever its type, and the route lookup frontends need."""

from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from wagtail.models import Page

from .. import selectors
from ..caching import json_response
from ..errors import BadRequest
from ..filters import PageFilter
from ..params import fields_param, text_param
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
from ..serializers.registry import SERIALIZERS
from ..serializers.versions import VersionSerializer
from .base import DeliveryView
from .collections import (
    DETAIL_DESCRIPTION,
    LIST_DESCRIPTION,
    VERSION_DESCRIPTION,
    VERSIONS_DESCRIPTION,
    documented,
)
from .items import (
    CollectionMixin,
    ItemDetailView,
    ItemListView,
    VersionDetailView,
    VersionListView,
    _select,
    item_fields,
)


def _item(**kwargs) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name="Item",
        serializers={model.api_type: serializer for model, serializer in SERIALIZERS.items()},
        resource_type_field_name="type",
        **kwargs,
    )


ITEM = _item()
FIELDS = fields_parameter(item_fields(SERIALIZERS.values()))


class PaginatedItemListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = _item(many=True)


class PagesMixin(CollectionMixin):
    model = Page
    page_type = None
    serializer_classes = tuple(dict.fromkeys(SERIALIZERS.values()))
    filterset_class = PageFilter
    default_ordering = ("path",)


class PageListView(PagesMixin, ItemListView):
    get = documented(
        ItemListView.get,
        filters=True,
        operation_id="page_list",
        summary="List every published page (filter by type or parent)",
        description=LIST_DESCRIPTION.format(noun="page")
        + " `fields` may name a field of any type.",
        parameters=[LIMIT, OFFSET, FIELDS],
        responses={200: PaginatedItemListSerializer, **NOT_MODIFIED, **ERRORS},
        tags=["Pages"],
    )


class PageDetailView(PagesMixin, ItemDetailView):
    get = documented(
        ItemDetailView.get,
        operation_id="page_retrieve",
        summary="Get a published page of any type",
        description=DETAIL_DESCRIPTION.format(noun="page"),
        parameters=[FIELDS, AS_OF],
        responses={200: ITEM, **NOT_MODIFIED, **ERRORS, **NOT_FOUND},
        tags=["Pages"],
    )


class PageVersionListView(PagesMixin, VersionListView):
    get = documented(
        VersionListView.get,
        operation_id="page_versions_list",
        summary="List the published versions of a page",
        description=VERSIONS_DESCRIPTION.format(noun="page"),
        parameters=[LIMIT, OFFSET],
        responses={200: paginated(VersionSerializer), **NOT_MODIFIED, **ERRORS, **NOT_FOUND},
        tags=["Pages"],
    )


class PageVersionDetailView(PagesMixin, VersionDetailView):
    get = documented(
        VersionDetailView.get,
        operation_id="page_versions_retrieve",
        summary="Get one published version of a page",
        description=VERSION_DESCRIPTION.format(noun="page"),
        responses={200: ITEM, **NOT_MODIFIED, **ERRORS, **NOT_FOUND},
        tags=["Pages"],
    )


class ResolveView(PagesMixin, DeliveryView):
    """Find the page a frontend route shows: everything a router needs."""

    params = frozenset({"path", "fields"})

    @extend_schema(
        operation_id="page_resolve",
        summary="Find the published page at a frontend URL path",
        parameters=[
            OpenApiParameter(
                "path",
                {"type": "string", "pattern": "^/"},
                required=True,
                description="The frontend path, e.g. /members/nasa/ (the home page is /).",
            ),
            FIELDS,
        ],
        responses={200: ITEM, **NOT_MODIFIED, **ERRORS, **NOT_FOUND},
        tags=["Pages"],
    )
    def get(self, request, *args, **kwargs):
        path = text_param(request, "path") or ""
        if not path.startswith("/"):
            raise BadRequest("'path' is required and must start with '/', e.g. /members/nasa/.")
        fields = fields_param(request, self.available_fields())
        document = selectors.document_resolve(caller=self.caller, path=path)
        if document is None:
            raise NotFound(f"No published page at {path}.")
        body, etag = document.body, document.etag
        if fields is not None:
            body, etag = _select(body, fields), None
        return json_response(
            request,
            body,
            etag=etag,
            last_modified=document.published_at,
            public=document.public and not self.caller.authenticated,
            feed_validated=True,
        )
