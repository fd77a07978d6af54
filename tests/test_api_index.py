"""The API's index at its prefix: a link to every endpoint, absolute, cacheable."""

import pytest

pytestmark = pytest.mark.django_db

NAMES = {
    "pages",
    "faqs",
    "members",
    "roadmap_releases",
    "resolve",
    "search",
    "sitemap",
    "changes",
    "releases",
    "docs",
    "schema",
}


def test_the_api_root_links_every_endpoint_absolutely(api_client, settings):
    settings.API_PUBLIC_BASE_URL = "https://cms.example.org"
    response = api_client.get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] and body["version"]
    assert set(body["links"]) == NAMES
    assert body["links"]["members"]["href"] == "https://cms.example.org/api/v1/members/"
    assert body["links"]["resolve"]["href"] == "https://cms.example.org/api/v1/pages/resolve/"
    assert body["links"]["docs"]["href"] == "https://cms.example.org/api/v1/docs/"
    assert all(link["description"] for link in body["links"].values())


def test_every_link_of_the_index_answers(api_client, settings):
    settings.API_PUBLIC_BASE_URL = "http://testserver"
    links = api_client.get("/api/v1/").json()["links"]
    for name, link in links.items():
        path = link["href"].removeprefix("http://testserver")
        query = {"resolve": "?path=/", "search": "?q=space"}.get(name, "")
        response = api_client.get(path + query)
        assert response.status_code in (200, 404), (name, response.status_code)
        if name != "resolve":  # no site published here: resolve's 404 is an answer too
            assert response.status_code == 200, name


def test_the_index_revalidates_with_its_etag(api_client):
    first = api_client.get("/api/v1/")
    assert first["ETag"] and first["Cache-Control"].startswith("public")
    again = api_client.get("/api/v1/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_the_index_refuses_unknown_parameters(api_client):
    response = api_client.get("/api/v1/?page=2")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
