"""The OpenAPI schema: it validates, covers every endpoint, parameter and response, and any
change to it is reviewed (a snapshot under tests/snapshots/)."""

import difflib
import os
import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.yaml"
PROBLEM = "application/problem+json"
NOT_DOCUMENTED = {"api/v1/schema/", "api/v1/docs/"}  # they serve the documentation itself


@pytest.fixture(scope="module")
def schema_yaml(django_db_setup, django_db_blocker, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--file", str(path), "--validate", "--fail-on-warn")
    return path.read_text()


@pytest.fixture(scope="module")
def schema(schema_yaml) -> dict:
    return yaml.safe_load(schema_yaml)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def parameters(schema, path) -> dict:
    return {p["name"]: p for p in schema["paths"][path]["get"].get("parameters", [])}


def api_routes() -> set[str]:
    """Every route under /api/v1/, as an OpenAPI path template."""
    routes = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
                routes.add(route)

    walk(get_resolver().url_patterns, "")
    routes = {r for r in routes if "^" not in r and r not in NOT_DOCUMENTED}  # the catch-all
    return {"/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r).replace("{pk}", "{id}") for r in routes}


def test_the_schema_validates_without_warnings(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"]


def test_the_schema_covers_every_api_route(schema):
    assert api_routes() == set(schema["paths"])


def test_every_operation_documents_its_errors_as_problems(schema):
    for path, _, operation in operations(schema):
        responses = operation["responses"]
        throttled = path != "/api/v1/health/"
        assert ("429" in responses) == throttled, path
        for status in ("400", "401", "406", "429") if throttled else ("400", "401", "406"):
            assert PROBLEM in responses[status]["content"], (path, status)
            assert responses[status]["content"][PROBLEM]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }
        if "{id}" in path or path.endswith("/resolve/"):
            assert PROBLEM in responses["404"]["content"], path
        if path != "/api/v1/health/":
            assert "304" in responses, path
            assert "application/json" in responses["200"]["content"], path


def test_problem_schema_has_the_rfc_9457_members(schema):
    problem = schema["components"]["schemas"]["Problem"]

    assert {"type", "title", "status", "detail"} <= set(problem["required"])


@pytest.mark.parametrize(
    "path",
    ["/api/v1/faqs/", "/api/v1/members/", "/api/v1/roadmap-releases/", "/api/v1/pages/"],
)
def test_lists_document_limit_offset_and_fields(schema, path):
    params = parameters(schema, path)

    assert params["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 20,
    }
    assert params["offset"]["schema"]["minimum"] == 0
    fields = params["fields"]
    assert fields["schema"]["type"] == "array"
    assert {"id", "type", "title", "url_path"} <= set(fields["schema"]["items"]["enum"])
    assert (fields["style"], fields["explode"]) == ("form", False)


def test_members_list_documents_its_filters_and_ordering(schema):
    params = parameters(schema, "/api/v1/members/")

    assert "FR" in params["country"]["schema"]["enum"]
    assert params["iss_partner"]["schema"]["type"] == "boolean"
    assert params["joined_after"]["schema"]["type"] == "integer"
    assert params["joined_before"]["schema"]["type"] == "integer"
    assert params["acronym"]["schema"]["type"] == "string"
    assert params["slug"]["schema"]["type"] == "string"
    assert set(params["ordering"]["schema"]["items"]["enum"]) == {
        "title",
        "-title",
        "acronym",
        "-acronym",
        "joined",
        "-joined",
    }
    assert "acronym" in parameters(schema, "/api/v1/members/")["fields"]["schema"]["items"]["enum"]


def test_releases_list_documents_its_filters_and_ordering(schema):
    params = parameters(schema, "/api/v1/roadmap-releases/")

    assert set(params["kind"]["schema"]["enum"]) == {"edition", "supplement"}
    assert params["year"]["schema"]["type"] == "integer"
    assert params["slug"]["schema"]["type"] == "string"
    assert set(params["ordering"]["schema"]["items"]["enum"]) == {"release_date", "-release_date"}


def test_pages_list_documents_type_and_parent(schema):
    params = parameters(schema, "/api/v1/pages/")

    assert set(params["type"]["schema"]["enum"]) == {
        "home",
        "page",
        "faq_index",
        "faq",
        "members_index",
        "member",
        "roadmap_index",
        "roadmap_release",
    }
    assert params["child_of"]["schema"]["type"] == "integer"


@pytest.mark.parametrize(
    ("path", "required", "optional"),
    [
        ("/api/v1/members/{id}/", set(), {"fields", "as_of", "release_token"}),
        ("/api/v1/pages/resolve/", {"path"}, {"fields", "release_token"}),
        ("/api/v1/search/", {"q"}, {"type", "limit", "offset"}),
        ("/api/v1/changes/", set(), {"cursor", "limit"}),
        ("/api/v1/members/{id}/versions/", set(), {"limit", "offset"}),
        (
            "/api/v1/releases/",
            set(),
            {"published_after", "published_before", "limit", "offset", "release_token"},
        ),
        ("/api/v1/releases/{id}/", set(), {"release_token"}),
    ],
)
def test_other_operations_document_their_parameters(schema, path, required, optional):
    params = {name: p for name, p in parameters(schema, path).items() if p["in"] == "query"}

    assert set(params) == required | optional
    assert {name for name, p in params.items() if p.get("required")} == required


def test_the_feed_documents_its_own_limit(schema):
    limit = parameters(schema, "/api/v1/changes/")["limit"]["schema"]

    assert (limit["maximum"], limit["default"]) == (1000, 100)


def test_every_item_schema_pins_its_type(schema):
    """`Item` is a oneOf over the item schemas: each must admit only its own types, or a
    validator finds a home page valid as a standard page too."""
    components = schema["components"]["schemas"]
    mapping = components["Item"]["discriminator"]["mapping"]

    for api_type, ref in mapping.items():
        component = components[ref.rsplit("/", 1)[1]]
        assert api_type in component["properties"]["type"]["enum"]
    enums = [
        set(components[r["$ref"].rsplit("/", 1)[1]]["properties"]["type"]["enum"])
        for r in components["Item"]["oneOf"]
    ]
    assert sum(len(e) for e in enums) == len(set().union(*enums)) == len(mapping)


def test_items_require_only_what_fields_always_keeps(schema):
    for name in ("Member", "FAQ", "RoadmapRelease", "HomePage", "StandardPage", "IndexPage"):
        assert set(schema["components"]["schemas"][name]["required"]) == {"id", "type"}, name


def test_the_schema_endpoint_serves_yaml_and_json(api_client):
    as_yaml = api_client.get("/api/v1/schema/")
    as_json = api_client.get("/api/v1/schema/?format=json")

    assert as_yaml.status_code == as_json.status_code == 200
    assert yaml.safe_load(as_yaml.content)["paths"] == as_json.json()["paths"]


def test_the_docs_page_loads_the_schema(api_client):
    response = api_client.get("/api/v1/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"/api/v1/schema/" in response.content
    assert b"swagger" in response.content.lower()


def test_the_schema_matches_the_reviewed_snapshot(schema_yaml):
    """A schema change is an API change: review the diff, then run
    `UPDATE_SNAPSHOTS=1 pytest tests/test_api_schema.py` and commit tests/snapshots/openapi.yaml."""
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(schema_yaml)
    assert SNAPSHOT.exists(), (
        f"No schema snapshot at {SNAPSHOT}: run `UPDATE_SNAPSHOTS=1 pytest "
        "tests/test_api_schema.py` and commit it."
    )
    expected = SNAPSHOT.read_text()
    if schema_yaml != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    schema_yaml.splitlines(keepends=True),
                    "tests/snapshots/openapi.yaml",
                    "generated",
                )
            )[:80]
        )
        pytest.fail(
            "The OpenAPI schema changed. If the change is intended, review it and run "
            "`UPDATE_SNAPSHOTS=1 pytest tests/test_api_schema.py`, then commit "
            f"tests/snapshots/openapi.yaml.\n{diff}"
        )
