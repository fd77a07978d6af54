"""CORS: browsers on the configured frontend origins may read the API (test settings allow
https://frontend.example), with the headers they need for caching; other origins may not."""

import pytest

pytestmark = pytest.mark.django_db

ALLOWED = "https://frontend.example"


def test_an_allowed_origin_may_read_and_see_the_validators(api_client, shared_site):
    response = api_client.get("/api/v1/members/", HTTP_ORIGIN=ALLOWED)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "last-modified", "retry-after"} <= exposed
    assert "origin" in response["Vary"].lower()


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "http://frontend.example", "https://frontend.example.org"]
)
def test_another_origin_gets_no_cors_headers(api_client, shared_site, origin):
    response = api_client.get("/api/v1/members/", HTTP_ORIGIN=origin)

    assert response.status_code == 200
    assert not response.has_header("Access-Control-Allow-Origin")


def test_preflight_allows_the_token_and_revalidation_headers(api_client, db):
    response = api_client.options(
        "/api/v1/members/",
        HTTP_ORIGIN=ALLOWED,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, if-none-match",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    allowed = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "if-none-match"} <= allowed


@pytest.mark.parametrize(
    ("path", "status", "headers"),
    [
        ("/api/v1/members/987654/", 404, {}),
        ("/api/v1/members/?limit=0", 400, {}),
        ("/api/v1/members/", 401, {"HTTP_AUTHORIZATION": "Bearer nope"}),
    ],
)
def test_an_allowed_origin_can_read_problems_too(api_client, shared_site, path, status, headers):
    response = api_client.get(path, HTTP_ORIGIN=ALLOWED, **headers)

    assert response.status_code == status
    assert response["Access-Control-Allow-Origin"] == ALLOWED


def test_an_allowed_origin_gets_cors_headers_on_a_304(api_client, shared_site):
    etag = api_client.get("/api/v1/members/")["ETag"]

    response = api_client.get("/api/v1/members/", HTTP_ORIGIN=ALLOWED, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response["Access-Control-Allow-Origin"] == ALLOWED


def test_cors_applies_to_the_api_only(client, db):
    response = client.get("/admin/login/", HTTP_ORIGIN=ALLOWED)

    assert not response.has_header("Access-Control-Allow-Origin")
