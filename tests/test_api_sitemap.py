"""The sitemap endpoint: every public frontend path with its last-modified time."""

import pytest
from django.utils.dateparse import parse_datetime

from .helpers import fresh, publish

pytestmark = pytest.mark.django_db


def entries(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["count"] == len(body["results"])
    return {entry["url_path"]: entry for entry in body["results"]}


def test_the_sitemap_lists_every_public_page_and_no_restricted_one(api_client, site):
    listed = entries(api_client.get("/api/v1/sitemap/"))
    assert {"/", "/members/", "/members/nasa/", "/faq/isecg/", "/roadmap/ger-1/"} <= set(listed)
    assert not any(path.startswith("/private-area/") for path in listed)
    assert list(listed)[0] == "/"  # tree order
    nasa = listed["/members/nasa/"]
    assert nasa["id"] == site.nasa.pk and nasa["type"] == "member"


def test_a_members_token_still_gets_the_public_sitemap(member_client, site):
    listed = entries(member_client.get("/api/v1/sitemap/"))
    assert not any(path.startswith("/private-area/") for path in listed)


def test_last_modified_is_when_the_live_version_was_published(api_client, site):
    before = entries(api_client.get("/api/v1/sitemap/"))
    page = fresh(site.nasa)
    page.summary = "Changed."
    publish(page)
    after = entries(api_client.get("/api/v1/sitemap/"))
    path = "/members/nasa/"
    assert parse_datetime(after[path]["last_modified"]) > parse_datetime(
        before[path]["last_modified"]
    )
    version = page.live_document.version
    assert parse_datetime(after[path]["last_modified"]) == version.published_at


def test_an_unpublished_page_leaves_the_sitemap(api_client, site):
    fresh(site.esa).unpublish()
    listed = entries(api_client.get("/api/v1/sitemap/"))
    assert "/members/esa/" not in listed


def test_the_sitemap_revalidates_with_its_etag(api_client, site):
    first = api_client.get("/api/v1/sitemap/")
    assert first["Last-Modified"]
    again = api_client.get("/api/v1/sitemap/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
