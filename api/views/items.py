"""List and detail endpoints of the typed collections and of all pages."""

import json
from datetime import datetime

from django.utils.http import urlencode
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError

from .. import selectors
from ..caching import json_response, public_list
from ..params import datetime_param, fields_param, limit_offset
from .base import DeliveryView


def item_fields(serializer_classes) -> set[str]:
    """Return every field the serializers can render: what `?fields=` may name."""
    fields: set[str] = set()
    for serializer_class in serializer_classes:
        fields.update(serializer_class().fields)
    return fields


def _select(body: str, fields: list[str] | None) -> str:
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
        return selectors.pages_visible(caller=self.caller, model=self.model)

    def available_fields(self) -> frozenset[str]:
        # Building the serializers' fields costs more than the rest of a detail request: once
        # per view class, not per request.
        cls = type(self)
        if cls not in _AVAILABLE_FIELDS:
            _AVAILABLE_FIELDS[cls] = frozenset(item_fields(self.serializer_classes))
        return _AVAILABLE_FIELDS[cls]


_AVAILABLE_FIELDS: dict[type, frozenset[str]] = {}


class ItemListView(CollectionMixin, DeliveryView):
    base_params = frozenset({"limit", "offset", "fields"})

    @property
    def params(self):
        filters = set(self.filterset_class.base_filters) if self.filterset_class else set()
        return self.base_params | filters

    def get(self, request, *args, **kwargs):
        limit, offset = limit_offset(request)
        fields = fields_param(request, self.available_fields())

        def render() -> tuple[str, datetime | None]:
            # Filters are validated here: a cached list was rendered for the very same query
            # string, so its filters passed (they depend on nothing but the string).
            queryset = self.filter_queryset(self.get_queryset())
            return self._render(queryset, limit=limit, offset=offset, fields=fields)

        if self.caller.authenticated:
            body, last_modified = render()
            return json_response(request, body, last_modified=last_modified, public=False)
        body, etag, last_modified = public_list(request, render)
        return json_response(
            request, body, etag=etag, last_modified=last_modified, feed_validated=True
        )

    def _render(self, queryset, *, limit: int, offset: int, fields) -> tuple[str, datetime | None]:
        if not self.request.GET.get("ordering"):
            # Page managers always order by tree path, so "no order_by yet" never happens.
            queryset = queryset.order_by(*self.default_ordering)
        count, rows = selectors.listing(queryset=queryset, offset=offset, limit=limit)
        results = ",".join(_select(body, fields) for body, _ in rows)
        body = (
            f'{{"count":{count},"next":{json.dumps(self._page_url(offset + limit, limit, count))},'
            f'"previous":{json.dumps(self._page_url(offset - limit, limit, count))},'
            f'"results":[{results}]}}'
        )
        last_modified = max((published for _, published in rows), default=None)
        if last_modified is None:  # an empty page: when what the caller sees last changed
            last_modified = selectors.last_change_at(caller=self.caller)
        return body, last_modified

    def filter_queryset(self, queryset):
        filterset = self.filterset_class(self.request.GET, queryset=queryset, request=self.request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs

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
    params = frozenset({"fields", "as_of"})

    def get(self, request, pk: int, *args, **kwargs):
        fields = fields_param(request, self.available_fields())
        document = selectors.document_get(caller=self.caller, page_id=pk, page_type=self.page_type)
        if document is None:
            raise NotFound(f"There is no {self.noun} with id {pk}.")
        as_of = datetime_param(request, "as_of")
        if as_of is not None:
            version = selectors.version_as_of(
                caller=self.caller, document=document, page_id=pk, moment=as_of
            )
            if version is None:
                raise NotFound(f"No version of {self.noun} {pk} was live at {as_of.isoformat()}.")
            body, etag, published = version.body, version.etag, version.published_at
        else:
            body, etag, published = document.body, document.etag, document.published_at
        if fields is not None:
            body, etag = _select(body, fields), None
        return json_response(
            request,
            body,
            etag=etag,
            last_modified=published,
            public=document.public and not self.caller.authenticated,
            feed_validated=True,
        )

    @property
    def noun(self) -> str:
        return (self.page_type or "page").replace("_", " ")


class VersionListView(CollectionMixin, DeliveryView):
    params = frozenset({"limit", "offset"})

    def get(self, request, pk: int, *args, **kwargs):
        document = selectors.document_get(caller=self.caller, page_id=pk, page_type=self.page_type)
        if document is None:
            raise NotFound(f"There is no item with id {pk} in this collection.")
        limit, offset = limit_offset(request)
        versions = selectors.versions_visible(caller=self.caller, document=document, page_id=pk)
        count = len(versions)
        base = request.path
        results = [
            {
                "number": v.number,
                "published_at": v.published_at.isoformat().replace("+00:00", "Z"),
                "live_until": v.live_until.isoformat().replace("+00:00", "Z")
                if v.live_until
                else None,
                "etag": v.etag,
                "cause": v.cause,
                "published_by": _user_name(v.published_by),
                "revision_id": v.revision_id,
                "api_url": f"{base}{v.number}/",
            }
            for v in versions[offset : offset + limit]
        ]
        payload = {
            "count": count,
            "next": self._url(offset + limit, limit) if offset + limit < count else None,
            "previous": self._url(max(offset - limit, 0), limit) if offset > 0 else None,
            "results": results,
        }
        return json_response(
            request,
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
            last_modified=max(v.published_at for v in versions),
            public=document.public and not self.caller.authenticated,
            feed_validated=True,
        )

    def _url(self, offset: int, limit: int) -> str:
        return self.request.build_absolute_uri(f"{self.request.path}?limit={limit}&offset={offset}")


class VersionDetailView(CollectionMixin, DeliveryView):
    params = frozenset()

    def get(self, request, pk: int, number: int, *args, **kwargs):
        document = selectors.document_get(caller=self.caller, page_id=pk, page_type=self.page_type)
        if document is None:
            raise NotFound(f"There is no item with id {pk} in this collection.")
        version = selectors.version_get(
            caller=self.caller, document=document, page_id=pk, number=number
        )
        if version is None:
            raise NotFound(f"Item {pk} has no version {number}.")
        return json_response(
            request,
            version.body,
            etag=version.etag,
            last_modified=version.published_at,
            public=document.public and not self.caller.authenticated,
            feed_validated=True,
        )


def _user_name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()
