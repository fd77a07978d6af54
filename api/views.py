"""The bases of every delivery endpoint, and the generic views each collection names.

`DeliveryView` is every endpoint: token authentication, throttling, declared parameters, and
for those declaring `release_token`, the release preview it grants (`api.release_preview`).
`ItemListView`, `ItemDetailView`, `VersionListView` and `VersionDetailView` serve stored
documents of the collection a `CollectionMixin` describes; the resources in `api.resources`
name one class per collection and endpoint.
"""

import json
from datetime import datetime
from functools import cached_property

from django.db import transaction
from django.utils.http import urlencode
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.views import APIView

from . import selectors
from .access import caller_of
from .authentication import APITokenAuthentication
from .caching import json_response
from .errors import BadRequest
from .negotiation import DeliveryContentNegotiation
from .params import datetime_param, fields_param, limit_offset, reject_unknown
from .release_preview import (
    RELEASE_TOKEN,
    ReleasePreview,
    overlay_filtered,
    private,
    release_preview_of,
    with_meta,
)
from .throttling import AnonRateThrottle, UserRateThrottle


class DeliveryView(APIView):
    """Read-only endpoint. Subclasses list the query parameters they accept in `params`."""

    authentication_classes = [APITokenAuthentication]
    permission_classes: list = []
    throttle_classes = [AnonRateThrottle, UserRateThrottle]
    content_negotiation_class = DeliveryContentNegotiation
    params: frozenset[str] = frozenset()
    atomic_request = False  # see as_view(); errors must not roll back a caller's transaction
    release_preview: ReleasePreview | None = None

    @classmethod
    def as_view(cls, **initkwargs):
        # Reads need no transaction; ATOMIC_REQUESTS is for the admin's writes.
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_unknown(request, set(self.params))
        if RELEASE_TOKEN in self.params:
            self.release_preview = release_preview_of(
                request._request, release_id=self.previewed_release_id()
            )

    def previewed_release_id(self) -> int | None:
        """The release this request names, if any: another release's token is refused."""
        return None

    @property
    def caller(self):
        return caller_of(self.request._request)

    @cached_property
    def overlay(self):
        """The release overlay this request reads (None: the live site)."""
        return self.release_preview.overlay if self.release_preview is not None else None

    def previewed(self, response):
        """Make a release preview's answer private (it is one reviewer's view of a release)."""
        return private(response) if self.release_preview is not None else response


def item_fields(serializer_classes) -> set[str]:
    """Return every field the serializers can render: what `?fields=` may name."""
    fields: set[str] = set()
    for serializer_class in serializer_classes:
        fields.update(serializer_class().fields)
    return fields


def select_fields(body: str, fields: list[str] | None) -> str:
    """Return a stored document with only these fields (all of them when `fields` is None)."""
    if fields is None:
        return body
    document = json.loads(body)
    return json.dumps(
        {f: document[f] for f in fields if f in document}, ensure_ascii=False, separators=(",", ":")
    )


class CollectionMixin:
    """What a collection is: its page model, API type, serializers, filters and ordering."""

    model = None
    page_type: str | None = None
    serializer_classes: tuple[type[serializers.Serializer], ...] = ()
    filterset_class = None
    filter_backends = [DjangoFilterBackend]
    default_ordering: tuple[str, ...] = ("path",)

    def get_queryset(self):
        return selectors.pages_visible(caller=self.caller, model=self.model, overlay=self.overlay)

    def available_fields(self) -> frozenset[str]:
        # Building the serializers' fields costs more than the rest of a detail request: once
        # per view class, not per request.
        cls = type(self)
        if cls not in _AVAILABLE_FIELDS:
            _AVAILABLE_FIELDS[cls] = frozenset(item_fields(self.serializer_classes))
        return _AVAILABLE_FIELDS[cls]

    @property
    def noun(self) -> str:
        return (self.page_type or "page").replace("_", " ")

    def live_document(self, pk: int, *, missing: str | None = None) -> selectors.Document:
        """Return the live document of item `pk` the caller may read in this collection."""
        document = selectors.document_get(
            caller=self.caller, page_id=pk, page_type=self.page_type, overlay=self.overlay
        )
        if document is None:
            raise NotFound(missing or f"There is no {self.noun} with id {pk}.")
        return document

    def stored_response(self, document: selectors.Document, *, stored=None, fields=None):
        """Answer a stored body: the live document's, or `stored` (one of its versions).

        With `fields`, only those fields, and no stored ETag (json_response hashes the body).
        """
        stored = stored or document
        body, etag = stored.body, stored.etag
        if fields is not None:
            body, etag = select_fields(body, fields), None
        if self.release_preview is not None:
            body, etag = with_meta(body, self.release_preview.meta), None
        return self.previewed(
            json_response(
                self.request,
                body,
                etag=etag,
                last_modified=stored.published_at,
                public=document.public
                and not self.caller.authenticated
                and self.release_preview is None,
                feed_validated=True,
            )
        )


_AVAILABLE_FIELDS: dict[type, frozenset[str]] = {}


class ItemListView(CollectionMixin, DeliveryView):
    """The published items of a collection, filtered, ordered and paginated."""

    base_params = frozenset({"limit", "offset", "fields", RELEASE_TOKEN})

    @property
    def params(self):
        filters = set(self.filterset_class.base_filters) if self.filterset_class else set()
        return self.base_params | filters

    def get(self, request, *args, **kwargs):
        limit, offset = limit_offset(request)
        fields = fields_param(request, self.available_fields())

        queryset, ordering = self.filter_queryset(self.get_queryset())
        body, last_modified = self._render(
            queryset, ordering=ordering, limit=limit, offset=offset, fields=fields
        )
        if self.caller.authenticated or self.release_preview is not None:
            return self.previewed(
                json_response(request, body, last_modified=last_modified, public=False)
            )
        # Anonymous lists are kept by the origin cache (api.middleware) per feed position.
        return json_response(request, body, last_modified=last_modified, feed_validated=True)

    def _render(
        self, queryset, *, ordering, limit: int, offset: int, fields
    ) -> tuple[str, datetime | None]:
        if not self.request.GET.get("ordering"):
            # Page managers always order by tree path, so "no order_by yet" never happens.
            queryset = queryset.order_by(*ordering)
        count, rows = selectors.listing(
            queryset=queryset, offset=offset, limit=limit, overlay=self.overlay
        )
        results = ",".join(select_fields(body, fields) for body, _ in rows)
        body = (
            f'{{"count":{count},"next":{json.dumps(self._page_url(offset + limit, limit, count))},'
            f'"previous":{json.dumps(self._page_url(offset - limit, limit, count))},'
            f'"results":[{results}]}}'
        )
        if self.release_preview is not None:
            body = with_meta(body, self.release_preview.meta)
        last_modified = max((published for _, published in rows), default=None)
        if last_modified is None:  # an empty page: when what the caller sees last changed
            last_modified = selectors.last_change_at(caller=self.caller)
        return body, last_modified

    def filter_queryset(self, queryset) -> tuple:
        """Return the queryset filtered as asked, and the ordering to use when none is asked
        (both read the release's values of its pages in a release preview)."""
        empty = sorted(
            name for name in self.filterset_class.base_filters if self.request.GET.get(name) == ""
        )
        if empty:
            raise BadRequest(
                f"{', '.join(repr(name) for name in empty)} must not be empty; "
                "leave a filter out to not filter by it."
            )
        filterset = self.filterset_class(self.request.GET, queryset=queryset, request=self.request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        if self.overlay is not None:
            return overlay_filtered(filterset, self.overlay, self.default_ordering)
        return filterset.qs, self.default_ordering

    def _page_url(self, offset: int, limit: int, count: int) -> str | None:
        if offset >= count or offset + limit <= 0:
            return None
        query = self.request.GET.copy()
        query["limit"] = str(limit)
        if offset > 0:
            query["offset"] = str(offset)
        else:
            query.pop("offset", None)
        return self.request.build_absolute_uri(
            f"{self.request.path}?{urlencode(query, doseq=True)}"
        )


class ItemDetailView(CollectionMixin, DeliveryView):
    """One published item, as stored at its last publish (or as of a moment)."""

    params = frozenset({"fields", "as_of", RELEASE_TOKEN})

    def get(self, request, pk: int, *args, **kwargs):
        fields = fields_param(request, self.available_fields())
        as_of = datetime_param(request, "as_of")
        if as_of is not None and self.release_preview is not None:
            raise BadRequest(
                f"'as_of' reads the past and '{RELEASE_TOKEN}' a release to come: give one."
            )
        document = self.live_document(pk)
        version = None
        if as_of is not None:
            version = selectors.version_as_of(
                caller=self.caller, document=document, page_id=pk, moment=as_of
            )
            if version is None:
                raise NotFound(f"No version of {self.noun} {pk} was live at {as_of.isoformat()}.")
        return self.stored_response(document, stored=version, fields=fields)
