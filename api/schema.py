"""OpenAPI helpers: shared parameters, the problem schema, paginated envelopes, and the
description of a collection's endpoints."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from documents.paths import api_prefix
from documents.registry import SERIALIZERS

from .params import DEFAULT_LIMIT, MAX_INT, MAX_LIMIT
from .release_preview import RELEASE_TOKEN, ReleasePreviewMetaSerializer

PROBLEM_JSON = "application/problem+json"


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details: every API error."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()


def problem(status: int, description: str) -> dict:
    """Document an error answer, served as application/problem+json."""
    return {(status, PROBLEM_JSON): OpenApiResponse(ProblemSerializer, description=description)}


ERRORS = {
    **problem(400, "Unknown query parameter, or a bad value; `detail` says which."),
    **problem(401, "The API token is malformed, unknown or revoked."),
    **problem(406, "The Accept header allows no JSON."),
    **problem(429, "Too many requests; retry after Retry-After seconds."),
}
NOT_FOUND = problem(404, "No such item, or the caller may not read it.")
RELEASE_PREVIEW_ERRORS = {
    **ERRORS,
    **problem(
        401,
        "The API token is malformed, unknown or revoked; or the release token is missing, "
        "invalid or expired (`reason`: missing, invalid, expired).",
    ),
    **problem(
        403,
        "The release token was revoked, is for another release, or its release was published "
        "or cancelled (`reason`: revoked, wrong_release, closed).",
    ),
}
RELEASE_TOKEN_PARAMETER = OpenApiParameter(
    RELEASE_TOKEN,
    OpenApiTypes.STR,
    description=(
        "A release preview token: answer as if that release were published (unchanged items "
        "live). Private, no-store, noindex; `meta.preview` names the release. A token that "
        "grants nothing is a 401/403 problem with a `reason`."
    ),
)
NOT_MODIFIED = {304: OpenApiResponse(description="The caller's copy (If-None-Match) is current.")}


def limit_parameter(*, maximum: int = MAX_LIMIT, default: int = DEFAULT_LIMIT) -> OpenApiParameter:
    return OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": maximum, "default": default},
        description=f"How many entries to return, 1 to {maximum}.",
    )


LIMIT = limit_parameter()
OFFSET = OpenApiParameter(
    "offset",
    {"type": "integer", "minimum": 0, "maximum": MAX_INT, "default": 0},
    description="How many entries to skip.",
)
AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATETIME,
    description=(
        "Return the version that was live at this ISO 8601 date-time (without a zone: UTC); "
        "404 when none was, or the caller may not read it."
    ),
)


def fields_parameter(available: set[str]) -> OpenApiParameter:
    """Document `?fields=a,b` with the fields this endpoint can return."""
    return OpenApiParameter(
        "fields",
        {"type": "array", "items": {"type": "string", "enum": sorted(available)}, "minItems": 1},
        style="form",
        explode=False,
        description="Return only these fields (comma-separated); `id` and `type` always come back.",
    )


def item_schemas_from_registry(result, generator, request, public):
    """Postprocessing hook for the item schemas (one per serializer in the registry).

    Each item's `type` is pinned to the API types its serializer renders, so the `Item` oneOf
    admits exactly one schema per document. And each requires only `id` and `type`: the two
    fields `?fields=` always keeps.
    """
    types: dict[str, list[str]] = {}
    for model, serializer in SERIALIZERS.items():
        types.setdefault(serializer.__name__.removesuffix("Serializer"), []).append(model.api_type)
    schemas = result.get("components", {}).get("schemas", {})
    for name, api_types in types.items():
        if name in schemas:
            schemas[name]["properties"]["type"] = {"type": "string", "enum": api_types}
            schemas[name]["properties"]["meta"] = {
                "$ref": "#/components/schemas/ReleasePreviewMeta",
                "description": "Only in a release preview (`release_token`).",
            }
            schemas[name]["required"] = ["id", "type"]
    return result


def query_arrays_not_empty(result, generator, request, public):
    """Postprocessing hook: a list-valued query parameter (`ordering=a,b`) names at least one
    value, as the code requires (an empty parameter is a 400)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "array":
                    schema.setdefault("minItems", 1)
    return result


# The `{count, next, previous, results}` envelope; each list names its own `results`.
class PaginatedSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class PaginatedItemsSerializer(PaginatedSerializer):
    """The envelope of item lists, which a release token may preview."""

    meta = ReleasePreviewMetaSerializer(required=False)


LIST_DESCRIPTION = (
    "Published {noun}s the caller may read: public ones, plus members-only ones with a member's "
    "token. Filter and order with the parameters below, page with `limit` and `offset`, and pick "
    "fields with `fields`. Each entry is the same document as its detail."
)
DETAIL_DESCRIPTION = (
    "The {noun} as published (never a draft), or 404 when there is none or the caller may not "
    "read it. `as_of` returns the version that was live at a moment."
)
VERSIONS_DESCRIPTION = (
    "Every published version of the {noun} the caller may read, oldest first, each with the "
    "ETag its body was served with."
)
VERSION_DESCRIPTION = "One published version of the {noun}, byte for byte as it was served."


@dataclass(frozen=True)
class CollectionSchema:
    """The OpenAPI description of a collection's four endpoints (list, detail, versions, one
    version), for `extend_schema_view(get=...)` on each view."""

    tag: str
    page_type: str
    noun: str
    item: object  # the item's serializer (or a polymorphic proxy of several)
    paginated: type[PaginatedSerializer]
    fields: OpenApiParameter

    def list(self, *, summary: str | None = None, note: str = ""):
        return extend_schema(
            filters=True,
            operation_id=f"{self.page_type}_list",
            summary=summary or f"List published {self.noun}s",
            description=LIST_DESCRIPTION.format(noun=self.noun) + note,
            parameters=[LIMIT, OFFSET, self.fields, RELEASE_TOKEN_PARAMETER],
            responses={200: self.paginated, **NOT_MODIFIED, **RELEASE_PREVIEW_ERRORS},
            tags=[self.tag],
        )

    def detail(self, *, summary: str | None = None):
        return extend_schema(
            operation_id=f"{self.page_type}_retrieve",
            summary=summary or f"Get a published {self.noun}",
            description=DETAIL_DESCRIPTION.format(noun=self.noun),
            parameters=[self.fields, AS_OF, RELEASE_TOKEN_PARAMETER],
            responses={
                200: self.item,
                **NOT_MODIFIED,
                **RELEASE_PREVIEW_ERRORS,
                **NOT_FOUND,
            },
            tags=[self.tag],
        )

    def versions(self, paginated_versions: type[PaginatedSerializer]):
        return extend_schema(
            operation_id=f"{self.page_type}_versions_list",
            summary=f"List the published versions of a {self.noun}",
            description=VERSIONS_DESCRIPTION.format(noun=self.noun),
            parameters=[LIMIT, OFFSET],
            responses={200: paginated_versions, **NOT_MODIFIED, **ERRORS, **NOT_FOUND},
            tags=[self.tag],
        )

    def version(self, *, summary: str | None = None):
        return extend_schema(
            operation_id=f"{self.page_type}_versions_retrieve",
            summary=summary
            or f"Get one published version of a {self.noun}, exactly as it was served",
            description=VERSION_DESCRIPTION.format(noun=self.noun),
            responses={200: self.item, **NOT_MODIFIED, **ERRORS, **NOT_FOUND},
            tags=[self.tag],
        )


GUIDE = Path(__file__).with_name("guide.md")


def guide_and_servers(result, generator, request, public):
    """Postprocessing hook: the getting-started guide as the schema's description, and the
    API's public base (`API_PUBLIC_BASE_URL`) as its server; both read per generation."""
    base = settings.API_PUBLIC_BASE_URL.rstrip("/")
    prefix = api_prefix()
    guide = (
        GUIDE.read_text(encoding="utf-8")
        .replace("{base}", base)
        .replace("{prefix_no_slash}", prefix.rstrip("/"))
        .replace("{prefix}", prefix)
    )
    result["info"]["description"] = guide
    result["servers"] = [{"url": base, "description": "The API's public base"}]
    return result


def only_delivery_api(endpoints, **kwargs):
    """Preprocessing hook: the schema documents the delivery API only (not Wagtail's admin
    API)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(api_prefix())]


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
