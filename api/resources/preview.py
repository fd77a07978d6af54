"""Drafts for reviewers: a preview token in, the draft in its delivery shape out.

Token checks and rendering live in `preview.services`; this view only translates them to HTTP:
never cacheable, never indexed, and a refusal says why without any of the draft.
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers

from documents.registry import SERIALIZERS, dump_json
from documents.serializers.faqs import FAQSerializer
from documents.serializers.members import MemberSerializer
from documents.serializers.pages import (
    HomePageSerializer,
    IndexPageSerializer,
    StandardPageSerializer,
)
from documents.serializers.roadmap import RoadmapReleaseSerializer
from preview import services
from preview.models import ShareLinkUse

from ..caching import json_response
from ..clientip import client_address
from ..errors import problem
from ..params import MAX_INT, int_param
from ..schema import problem as problem_schema
from ..throttling import PreviewRateThrottle
from ..views import DeliveryView


# What makes the answer a preview (from the token's grant, in the serializer's context).
class PreviewMetaSerializer(serializers.Serializer):
    preview = serializers.BooleanField(help_text="Always true: this is a draft, not published.")
    kind = serializers.ChoiceField(
        choices=["live", "share"],
        help_text="live: the admin's preview of unsaved edits; share: a reviewer's share link.",
    )
    revision_id = serializers.IntegerField(
        allow_null=True, help_text="The revision shown (live: the one the edits started from)."
    )
    expires_at = serializers.DateTimeField(help_text="When the token stops working.")

    def get_attribute(self, instance):
        return self.context["preview_meta"]


class PreviewFields:
    """What a preview adds to its item's delivery shape: an `id` that is null for a page never
    saved (in the item's `id` place), and `meta` last."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        fields = cls._declared_fields  # set by DRF's serializer metaclass
        fields["id"] = serializers.IntegerField(
            source="pk", allow_null=True, help_text="Null for a page that was never saved."
        )
        fields["meta"] = PreviewMetaSerializer()


class PreviewFAQSerializer(PreviewFields, FAQSerializer):
    """A draft in the delivery shape of its type, plus `meta`."""


class PreviewMemberSerializer(PreviewFields, MemberSerializer):
    """A draft in the delivery shape of its type, plus `meta`."""


class PreviewRoadmapReleaseSerializer(PreviewFields, RoadmapReleaseSerializer):
    """A draft in the delivery shape of its type, plus `meta`."""


class PreviewHomePageSerializer(PreviewFields, HomePageSerializer):
    """A draft in the delivery shape of its type, plus `meta`."""


class PreviewStandardPageSerializer(PreviewFields, StandardPageSerializer):
    """A draft in the delivery shape of its type, plus `meta`."""


class PreviewIndexPageSerializer(PreviewFields, IndexPageSerializer):
    """A draft in the delivery shape of its type, plus `meta`."""


# The serializer of each type's preview: its item serializer in the registry, with `meta`.
PREVIEW_OF = {
    FAQSerializer: PreviewFAQSerializer,
    MemberSerializer: PreviewMemberSerializer,
    RoadmapReleaseSerializer: PreviewRoadmapReleaseSerializer,
    HomePageSerializer: PreviewHomePageSerializer,
    StandardPageSerializer: PreviewStandardPageSerializer,
    IndexPageSerializer: PreviewIndexPageSerializer,
}
PREVIEW_SERIALIZERS = {model.api_type: PREVIEW_OF[item] for model, item in SERIALIZERS.items()}

PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
}
PREVIEW_ITEM = PolymorphicProxySerializer(
    component_name="PreviewItem",
    serializers=PREVIEW_SERIALIZERS,
    resource_type_field_name="type",
)


class PreviewView(DeliveryView):
    """The draft a preview token grants."""

    authentication_classes: list = []  # the preview token is the only credential here
    throttle_classes = [PreviewRateThrottle]
    params = frozenset({"token", "id"})

    @extend_schema(
        operation_id="preview_retrieve",
        summary="Get the draft a preview token grants, in the delivery shape of its type",
        description=(
            "The token comes from the admin's Preview (kind `live`, valid PREVIEW_LIVE_TTL, "
            "default 30 minutes) or from a share link (kind `share`, for one saved revision, "
            "until it expires or is revoked). Responses are `Cache-Control: private, no-store` "
            "and `X-Robots-Tag: noindex`. A refusal is a problem with `reason`: `missing`, "
            "`invalid` or `expired` (401), `revoked` or `wrong_page` (403)."
        ),
        parameters=[
            OpenApiParameter(
                "token", OpenApiTypes.STR, required=True, description="The preview token."
            ),
            OpenApiParameter(
                "id",
                {"type": "integer", "minimum": 1, "maximum": MAX_INT},
                description="The page id the frontend expects; another page's token is a 403.",
            ),
        ],
        responses={
            200: PREVIEW_ITEM,
            **problem_schema(400, "A bad `id`; `detail` says what."),
            **problem_schema(401, "No token, or it is invalid or expired (see `reason`)."),
            **problem_schema(403, "The token was revoked, or is for another page (see `reason`)."),
            **problem_schema(406, "The Accept header allows no JSON."),
            **problem_schema(429, "Too many requests; retry after Retry-After seconds."),
            304: OpenApiResponse(description="The caller's copy (If-None-Match) is current."),
        },
        tags=["Preview"],
    )
    def get(self, request, *args, **kwargs):
        page_id = int_param(request, "id", default=None, minimum=1)
        try:
            grant = services.preview_grant(token=request.GET.get("token"), page_id=page_id)
        except services.PreviewDenied as denied:
            if denied.link is not None:
                services.share_link_use_record(
                    link=denied.link, ip=_client_ip(request), outcome=denied.reason
                )
            refusal = problem(
                denied.status, denied.detail, title=_TITLES[denied.reason], reason=denied.reason
            )
            return _private(refusal)
        if grant.link is not None:
            services.share_link_use_record(
                link=grant.link, ip=_client_ip(request), outcome=ShareLinkUse.Outcome.SERVED
            )
        page = services.preview_page(grant)
        serializer = PREVIEW_SERIALIZERS[page.api_type](
            page,
            context={"render": services.preview_render_context(page), "preview_meta": grant.meta},
        )
        body = dump_json(serializer.data)
        # A strong ETag like every GET (a reviewer's reload of an unchanged draft is a 304);
        # no-store still keeps every cache from storing the draft.
        response = json_response(request, body, public=False)
        del response["Last-Modified"]
        return _private(response)


_TITLES = {
    "missing": "Preview token required",
    "invalid": "Invalid preview token",
    "expired": "Preview link expired",
    "revoked": "Preview link revoked",
    "wrong_page": "Preview token is for another page",
}


def _private(response: HttpResponse) -> HttpResponse:
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


def _client_ip(request) -> str | None:
    return client_address(request.META) or None
