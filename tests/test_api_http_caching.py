"""HTTP caching: strong ETags (the hash of the body), 304s, Last-Modified, Cache-Control, Vary."""

import hashlib

import pytest
from django.utils.http import parse_http_date

from .helpers import fresh, publish
from .test_api_errors import url_for

pytestmark = pytest.mark.django_db

CONTENT_ENDPOINTS = [
    "/api/v1/faqs/",
    "/api/v1/faqs/{faq}/",
    "/api/v1/faqs/{faq}/versions/",
    "/api/v1/faqs/{faq}/versions/1/",
    "/api/v1/members/",
    "/api/v1/members/?country=FR",  # an empty page is a representation too
    "/api/v1/members/{member}/",
    "/api/v1/members/{member}/?fields=title",
    "/api/v1/members/{member}/versions/",
    "/api/v1/members/{member}/versions/1/",
    "/api/v1/roadmap-releases/",
    "/api/v1/roadmap-releases/{release}/",
    "/api/v1/roadmap-releases/{release}/versions/",
    "/api/v1/roadmap-releases/{release}/versions/1/",
    "/api/v1/pages/",
    "/api/v1/pages/?fields=title",
    "/api/v1/pages/{page}/",
    "/api/v1/pages/{page}/versions/",
    "/api/v1/pages/{page}/versions/1/",
    "/api/v1/pages/resolve/?path=/members/nasa/",
    "/api/v1/search/?q=agency",
    "/api/v1/search/?q=xylophone",
    "/api/v1/changes/",
    "/api/v1/sitemap/",
]


@pytest.mark.parametrize("endpoint", CONTENT_ENDPOINTS)
def test_every_get_has_a_strong_etag_hashing_the_body_and_last_modified(
    api_client, shared_site, endpoint
):
    response = api_client.get(url_for(endpoint, shared_site))

    assert response.status_code == 200
    assert response["ETag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert not response["ETag"].startswith("W/")
    assert parse_http_date(response["Last-Modified"]) > 0


@pytest.mark.parametrize("endpoint", CONTENT_ENDPOINTS)
def test_if_none_match_answers_304_without_a_body(api_client, shared_site, endpoint):
    url = url_for(endpoint, shared_site)
    first = api_client.get(url)

    again = api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == first["Cache-Control"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert "Authorization" in again["Vary"]


@pytest.mark.parametrize(
    "header",
    [
        "W/{etag}",
        '"some-other", {etag}',
        '"some-other",W/{etag}',
        "*",
    ],
)
def test_if_none_match_uses_weak_comparison_and_lists(api_client, shared_site, header):
    url = f"/api/v1/members/{shared_site.nasa.pk}/"
    etag = api_client.get(url)["ETag"]

    response = api_client.get(url, HTTP_IF_NONE_MATCH=header.format(etag=etag))

    assert response.status_code == 304


def test_a_stale_etag_gets_the_new_version(api_client, shared_site):
    url = f"/api/v1/members/{shared_site.kari.pk}/"
    old = api_client.get(url)
    page = fresh(shared_site.kari)
    page.summary = "KARI flies to the Moon."
    publish(page)

    response = api_client.get(url, HTTP_IF_NONE_MATCH=old["ETag"])

    assert response.status_code == 200
    assert response["ETag"] != old["ETag"]
    assert response.json()["summary"] == "KARI flies to the Moon."


def test_a_list_etag_changes_when_an_item_is_published(api_client, shared_site):
    old = api_client.get("/api/v1/members/")["ETag"]
    page = fresh(shared_site.csa)
    page.summary = "Canada's space agency."
    publish(page)

    assert api_client.get("/api/v1/members/", HTTP_IF_NONE_MATCH=old).status_code == 200


def test_last_modified_is_when_the_document_was_published(api_client, shared_site):
    response = api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/")
    published = shared_site.nasa.live_document.version.published_at

    assert parse_http_date(response["Last-Modified"]) == int(published.timestamp())


@pytest.mark.parametrize("endpoint", CONTENT_ENDPOINTS)
def test_anonymous_public_content_is_publicly_cacheable(
    api_client, shared_site, endpoint, settings
):
    settings.API_CACHE_MAX_AGE = 123

    response = api_client.get(url_for(endpoint, shared_site))

    expected = "public, max-age=0" if endpoint == "/api/v1/changes/" else "public, max-age=123"
    assert response["Cache-Control"] == expected
    assert "Authorization" in response["Vary"]


@pytest.mark.parametrize("endpoint", CONTENT_ENDPOINTS)
def test_answers_to_a_token_are_private(member_client, shared_site, endpoint):
    response = member_client.get(url_for(endpoint, shared_site))

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    assert "Authorization" in response["Vary"]


def test_members_only_content_is_private_and_revalidates(member_client, shared_site):
    url = f"/api/v1/pages/{shared_site.meeting_notes.pk}/"
    first = member_client.get(url)

    again = member_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["Cache-Control"] == "private, no-cache"
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/"])
def test_schema_and_docs_have_an_etag_and_revalidate(api_client, db, path):
    first = api_client.get(path)

    again = api_client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert first["ETag"].startswith('"')
    assert again.status_code == 304


def test_health_is_never_cached(api_client, db):
    response = api_client.get("/api/v1/health/")

    assert response["Cache-Control"] == "no-store"
    assert not response.has_header("ETag")


def test_head_answers_the_headers_of_get(api_client, shared_site):
    url = f"/api/v1/members/{shared_site.nasa.pk}/"

    head = api_client.head(url)

    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == api_client.get(url)["ETag"]
