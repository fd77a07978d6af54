"""OpenAPI helpers: shared parameters, the problem schema, paginated envelopes."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from .params import DEFAULT_LIMIT, MAX_LIMIT


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details: every API error."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()


def problem(description: str) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=description)


ERRORS = {
    400: problem("Unknown query parameter or bad value."),
    401: problem("The API token is malformed, unknown or revoked."),
    429: problem("Too many requests; see Retry-After."),
}
NOT_FOUND = {404: problem("No such item, or the caller may not see it.")}
NOT_MODIFIED = {304: OpenApiResponse(description="The caller's copy (If-None-Match) is current.")}

LIMIT = OpenApiParameter(
    "limit", OpenApiTypes.INT, description=f"Page size, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})."
)
OFFSET = OpenApiParameter("offset", OpenApiTypes.INT, description="Items to skip (default 0).")
FIELDS = OpenApiParameter(
    "fields",
    OpenApiTypes.STR,
    description="Comma-separated fields to return; `id` and `type` always come back.",
)
AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATETIME,
    description="Return the version that was live at this ISO 8601 date-time.",
)

_paginated: dict[str, type[serializers.Serializer]] = {}


def paginated(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """Return the `{count, next, previous, results}` envelope of a serializer (one per item)."""
    name = f"Paginated{item.__name__.removesuffix('Serializer')}List"
    if name not in _paginated:
        _paginated[name] = type(
            name,
            (serializers.Serializer,),
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": item(many=True),
                "__module__": __name__,
            },
        )
    return _paginated[name]


def only_delivery_api(endpoints, **kwargs):
    """Preprocessing hook: the schema documents /api/v1/ only (not Wagtail's admin API)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class APITokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.APITokenAuthentication"
    name = "APIToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A Wagtail API token (Settings > API tokens in the admin). Optional: it lets "
                "members read members-only content. It never grants access to drafts."
            ),
        }

    def get_security_requirement(self, auto_schema):
        return [{self.name: []}, {}]
