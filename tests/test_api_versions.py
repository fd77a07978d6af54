"""GET /api/v1/{collection}/{id}/versions/ and .../versions/{n}/, and ?as_of= on details."""

import hashlib
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from content_models.models import MemberProfilePage

from .conftest import fresh, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def republished(api_client, shared_site):
    """NASA published twice; returns the bytes served for v1 and v2 and a moment in between."""
    v1 = api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/").content
    time.sleep(0.01)
    between = timezone.now()
    time.sleep(0.01)
    page = fresh(shared_site.nasa)
    page.summary = "NASA leads the Artemis programme."
    publish(page)
    v2 = api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/").content
    return v1, v2, between


def test_versions_list_every_publish_in_order(api_client, shared_site, republished):
    v1, v2, _ = republished

    response = api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/versions/")

    assert response.status_code == 200
    listing = response.json()
    assert listing["count"] == 2
    first, second = listing["results"]
    assert [first["number"], second["number"]] == [1, 2]
    assert first["etag"] == hashlib.sha256(v1).hexdigest()
    assert second["etag"] == hashlib.sha256(v2).hexdigest()
    assert first["live_until"] is not None
    assert second["live_until"] is None
    assert first["cause"] == second["cause"] == "publish"
    assert first["api_url"] == f"/api/v1/members/{shared_site.nasa.pk}/versions/1/"


def test_a_version_is_served_again_byte_for_byte(api_client, shared_site, republished):
    v1, v2, _ = republished

    old = api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/versions/1/")
    new = api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/versions/2/")

    assert old.content == v1
    assert new.content == v2
    assert old["ETag"] == f'"{hashlib.sha256(v1).hexdigest()}"'
    assert b"Artemis" in v2
    assert b"Artemis" not in v1


def test_as_of_returns_the_version_live_at_that_moment(api_client, shared_site, republished):
    v1, v2, between = republished
    url = f"/api/v1/members/{shared_site.nasa.pk}/"

    assert api_client.get(url, {"as_of": between.isoformat()}).content == v1
    assert api_client.get(url, {"as_of": timezone.now().isoformat()}).content == v2


def test_as_of_before_the_first_publish_is_a_404(api_client, shared_site):
    response = api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/?as_of=2001-01-01T00:00:00Z")

    assert response.status_code == 404
    assert "2001-01-01" in response.json()["detail"]


def test_versions_paginate(api_client, shared_site, republished):
    url = f"/api/v1/members/{shared_site.nasa.pk}/versions/"

    first = api_client.get(url, {"limit": 1}).json()
    second = api_client.get(first["next"]).json()

    assert [v["number"] for v in first["results"] + second["results"]] == [1, 2]
    assert second["next"] is None


@pytest.mark.parametrize(
    ("collection", "name"),
    [("faqs", "faq_isecg"), ("roadmap-releases", "ger3"), ("pages", "home"), ("pages", "nasa")],
)
def test_every_collection_serves_versions(api_client, shared_site, collection, name):
    page = getattr(shared_site, name)

    listing = api_client.get(f"/api/v1/{collection}/{page.pk}/versions/").json()
    version = api_client.get(f"/api/v1/{collection}/{page.pk}/versions/1/")

    assert listing["count"] == 1
    assert version.content == api_client.get(f"/api/v1/{collection}/{page.pk}/").content


def test_versions_of_an_item_are_not_under_another_collection(api_client, shared_site):
    response = api_client.get(f"/api/v1/faqs/{shared_site.nasa.pk}/versions/")

    assert response.status_code == 404


def test_a_bulk_generated_first_version_stays_readable_after_a_republish(api_client, shared_site):
    """generate_content stores version 1 through the pipeline's bulk path: it must record the
    audience it rendered for, or version 1 would be hidden once a second version is live."""
    call_command("generate_content", members="1", seed="7", stdout=StringIO())
    page = MemberProfilePage.objects.get(slug__startswith="synthetic-")
    page.save_revision().publish()

    listing = api_client.get(f"/api/v1/members/{page.pk}/versions/").json()

    assert [v["number"] for v in listing["results"]] == [1, 2]
    assert api_client.get(f"/api/v1/members/{page.pk}/versions/1/").status_code == 200
