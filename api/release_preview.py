"""The delivery API as a release would leave it: `?release_token=` on the content endpoints.

Details, lists (with their filters and ordering), the pages tree and resolve accept a release
preview token (`releases.previews`). With a valid one they answer from the release's overlay
(`releases.overlay`): its documents, embeds rendered against its pages, the pages it unpublishes
gone, everything else live. A token that grants nothing is refused as a page preview is
(401/403 with a `reason`), never answered with the live site: a reviewer must not take the live
site for the release.

Nothing of an overlay answer reaches anyone else: it is `private, no-store`, `noindex`, and the
origin cache (`api.middleware`) passes requests carrying the token through. Answers carry
`meta.preview` naming the release.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case, F, QuerySet, Value, When
from django_filters import OrderingFilter
from rest_framework import serializers
from rest_framework.exceptions import APIException

from releases.models import Release, ReleaseLink
from releases.overlay import ReleaseOverlay, release_overlay
from releases.previews import (
    TOKEN_PARAM,
    ReleaseGrant,
    ReleasePreviewDenied,
    release_grant,
    release_link_use_record,
)

RELEASE_TOKEN = TOKEN_PARAM
PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
}
TITLES = {
    "missing": "Release preview token required",
    "invalid": "Invalid release preview token",
    "expired": "Release preview link expired",
    "revoked": "Release preview link revoked",
    "wrong_release": "Release preview token is for another release",
    "closed": "Release no longer in preview",
}


# What `meta` says in a release preview's answer (documented on every endpoint that takes one).
class PreviewedReleaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class ReleasePreviewSerializer(serializers.Serializer):
    release = PreviewedReleaseSerializer()
    status = serializers.ChoiceField(
        choices=[status for status, _ in Release.Status.choices if status in Release.UNFINISHED]
    )
    kind = serializers.ChoiceField(
        choices=ReleaseLink.Kind.values,
        help_text="live: the admin's preview; share: a reviewer's share link.",
    )
    expires_at = serializers.DateTimeField(help_text="When the token stops working.")


class ReleasePreviewMetaSerializer(serializers.Serializer):
    """Present only in answers to a request with a release token: the release they show."""

    preview = ReleasePreviewSerializer()


class ReleasePreviewRefused(APIException):
    """A release token that grants nothing: a 401/403 problem with a `reason`."""

    def __init__(self, denied: ReleasePreviewDenied):
        super().__init__(denied.detail)
        self.status_code = denied.status
        self.problem_title = TITLES[denied.reason]
        self.problem_extra = {"reason": denied.reason}


@dataclass(frozen=True)
class ReleasePreview:
    """A request's view of a release: the grant, and the overlay (built on first use)."""

    grant: ReleaseGrant

    @property
    def overlay(self) -> ReleaseOverlay:
        return release_overlay(self.grant.release)

    @property
    def meta(self) -> dict:
        return {"preview": self.grant.meta}


def release_preview_of(request, *, release_id: int | None = None) -> ReleasePreview | None:
    """Return the release preview a request's token grants (None without a token).

    Each use of a share link is logged, refusals included; `release_id` is the release the
    request names, if any.
    """
    token = request.GET.get(RELEASE_TOKEN)
    if token is None:
        return None
    use = {"ip": request.META.get("REMOTE_ADDR"), "path": request.path}
    try:
        grant = release_grant(token=token, release_id=release_id)
    except ReleasePreviewDenied as denied:
        if denied.link is not None:
            release_link_use_record(link=denied.link, outcome=denied.reason, **use)
        raise ReleasePreviewRefused(denied) from None
    release_link_use_record(link=grant.link, outcome="served", **use)
    return ReleasePreview(grant=grant)


def private(response):
    """Keep an answer out of every shared cache and search index."""
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


def with_meta(body: str, meta: dict) -> str:
    """Return a JSON object's bytes with a `meta` member added (bodies are stored compact)."""
    member = '"meta":' + json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
    inner = body.strip()[1:-1]
    return "{" + (inner + "," if inner else "") + member + "}"


# Lists: filters and ordering read the release's field values ---------------------------------


def overlay_filtered(
    filterset, overlay: ReleaseOverlay, default_ordering: tuple[str, ...]
) -> tuple[QuerySet, list[str]]:
    """Apply a list's filters to the pages as the release would leave them; return the
    queryset and the default ordering to use.

    Each field a filter or an ordering names is read through an alias whose value is the
    release's for the pages it publishes and the row's for every other page, so the database
    compares and sorts them as it would once published. Filters with a method (type, place in
    the tree) read the row: a release does not move pages or change their type.
    """
    model = filterset.queryset.model
    pages = {pk: page for pk, page in overlay.pages.items() if isinstance(page, model)}
    names = {name.lstrip("-") for name in default_ordering}
    for declared in filterset.filters.values():
        if isinstance(declared, OrderingFilter):
            names |= set(declared.param_map.values())
        elif declared.method is None:
            names.add(declared.field_name)
    fields = {}
    for name in names:
        field = _concrete_field(model, name)
        if field is not None:
            fields[name] = field
    queryset = filterset.queryset.alias(
        **{_alias(name): _released_value(name, field, pages) for name, field in fields.items()}
    )
    for name, value in filterset.form.cleaned_data.items():
        declared = filterset.filters[name]
        if isinstance(declared, OrderingFilter):
            declared = copy.copy(declared)
            declared.param_map = {
                param: _aliased(field, fields) for param, field in declared.param_map.items()
            }
        elif declared.method is None and declared.field_name in fields:
            declared = copy.copy(declared)
            declared.field_name = _alias(declared.field_name)
        queryset = declared.filter(queryset, value)
    ordering = [
        ("-" if name.startswith("-") else "") + _aliased(name.lstrip("-"), fields)
        for name in default_ordering
    ]
    return queryset, ordering


def _concrete_field(model, name: str):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a lookup across a relation, or "pk": read as it is
        return None
    if not field.concrete or field.primary_key or field.is_relation:
        return None
    return field


def _alias(name: str) -> str:
    return f"_released_{name}"


def _aliased(name: str, fields: dict) -> str:
    return _alias(name) if name in fields else name


def _released_value(name: str, field, pages: dict):
    return Case(
        *[
            When(pk=pk, then=Value(getattr(page, field.attname), output_field=field))
            for pk, page in pages.items()
        ],
        default=F(name),
        output_field=field,
    )
