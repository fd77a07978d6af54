"""The schema and the code say the same thing: a request the schema accepts is never refused as
malformed (400), and one it refuses always is, with a problem+json saying why. Each row was a
disagreement schemathesis found (or its sibling); the verdict comes from the served schema."""

from urllib.parse import parse_qsl, urlsplit

import jsonschema
import pytest

from api.params import encode_cursor

from .helpers import assert_problem

pytestmark = pytest.mark.django_db

# (URL, the status the API answers); whether the schema admits the request is computed.
ROWS = [
    # An empty cursor was valid per schema ("string") but refused; the schema now gives the form.
    ("/api/v1/changes/?cursor=", 400),
    ("/api/v1/changes/?cursor=AAAA", 400),
    (f"/api/v1/changes/?cursor={encode_cursor(0)}", 200),
    (f"/api/v1/changes/?cursor={encode_cursor(10**30)}", 410),  # well formed, ahead of the log
    # Control characters were valid per schema but refused; the schema now refuses them too.
    ("/api/v1/pages/resolve/?path=/a%0Db", 400),
    ("/api/v1/pages/resolve/?path=/%C2%96%C3%A3F", 404),
    ("/api/v1/search/?q=%1F%C2%B7", 400),
    ("/api/v1/search/?q=%C2%B7%21", 200),  # no word: nothing found, not an error
    ("/api/v1/search/?q=%20", 200),
    ("/api/v1/search/?q=", 400),
    ("/api/v1/roadmap-releases/?slug=%C2%B1.%00I", 400),
    ("/api/v1/members/?slug=%01", 400),
    ("/api/v1/members/?acronym=NASA", 200),
    # preview?id=0 was valid per schema (any integer) but refused; the schema now says >= 1.
    ("/api/v1/preview/?id=0&token=x", 400),
    ("/api/v1/preview/?id=1&token=x", 401),
    # Empty filters were invalid per schema (not in the enum, not a boolean) but accepted.
    ("/api/v1/members/?ordering=", 400),
    ("/api/v1/members/?ordering=-joined", 200),
    ("/api/v1/members/?country=", 400),
    ("/api/v1/members/?iss_partner=", 400),
    ("/api/v1/members/?joined_after=", 400),
    ("/api/v1/members/?slug=", 400),
    ("/api/v1/pages/?type=", 400),
    ("/api/v1/roadmap-releases/?kind=", 400),
]


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return APIClient().get("/api/v1/schema/?format=json").json()


def schema_admits(schema: dict, url: str) -> bool:
    """Whether each query parameter is valid against the schema of its operation."""
    parts = urlsplit(url)
    operation = schema["paths"][parts.path]["get"]
    declared = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
    given = dict(parse_qsl(parts.query, keep_blank_values=True))
    if any(p.get("required") and name not in given for name, p in declared.items()):
        return False
    for name, raw in given.items():
        if name not in declared:
            return False
        param_schema = declared[name]["schema"]
        try:
            jsonschema.validate(typed(raw, param_schema), param_schema)
        except (jsonschema.ValidationError, ValueError):
            return False
    return True


def typed(raw: str, param_schema: dict):
    """The value a query string carries for this schema (form style, not exploded)."""
    kind = param_schema.get("type")
    if kind == "integer":
        return int(raw)
    if kind == "boolean":
        return {"true": True, "false": False}[raw] if raw in ("true", "false") else raw
    if kind == "array":
        return raw.split(",") if raw else []
    return raw


@pytest.mark.parametrize(("url", "status"), ROWS, ids=[url for url, _ in ROWS])
def test_the_schema_admits_exactly_what_the_code_accepts(api_client, home, schema, url, status):
    response = api_client.get(url)

    assert response.status_code == status, response.content[:300]
    assert (status != 400) == schema_admits(schema, url), "schema and code disagree"
    if status >= 400:
        assert_problem(response, status)


def test_a_query_without_words_finds_nothing(api_client, home):
    body = api_client.get("/api/v1/search/", {"q": "?!"}).json()

    assert (body["count"], body["results"]) == (0, [])


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        ("application/json;q=0", 406),
        ("application/json; q=0.0, text/html", 406),
        ("application/json;q=0, */*", 406),  # the most specific range decides
        ("*/*;q=0, application/json", 200),
        ("application/*;q=0, application/json;q=0.3", 200),
        ("application/json;q=0.5", 200),
        ("text/html", 406),
        ("*/*", 200),
    ],
)
def test_a_media_type_given_q_0_is_not_acceptable(api_client, home, accept, status):
    response = api_client.get("/api/v1/health/", HTTP_ACCEPT=accept)

    if status == 406:
        assert_problem(response, 406)
    else:
        assert response.status_code == 200
