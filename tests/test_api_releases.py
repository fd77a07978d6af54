"""`/api/v1/releases/`: published releases, newest first, with their items (as the caller may
read them) and their range in the change feed; filters by date; ETags; problems."""

import datetime

import pytest
from django.utils import timezone

from releases import services
from releases.models import Release

from .helpers import assert_problem, restrict_to_groups
from .release_support import NEW_NAME, draft, release_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(site, reviewer):
    """Two published releases, a day apart: NASA renamed (older), then ESA's new summary."""
    s = site
    first = services.release_publish(
        release=release_of(draft(s.nasa, title=NEW_NAME), title="NASA renamed"), user=reviewer
    )
    second = services.release_publish(
        release=release_of(draft(s.esa, summary="New summary."), title="ESA summary"),
        user=reviewer,
    )
    Release.objects.filter(pk=first.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=1)
    )
    return [Release.objects.get(pk=first.pk), Release.objects.get(pk=second.pk)]


def test_published_releases_are_listed_newest_first_with_items_and_feed_range(
    published, api_client
):
    first, second = published

    body = api_client.get("/api/v1/releases/").json()

    assert body["count"] == 2 and [r["id"] for r in body["results"]] == [second.pk, first.pk]
    listed = body["results"][1]
    assert listed["title"] == "NASA renamed" and listed["status"] == "published"
    assert listed["notes"] == "Everything for GER 4."
    [item] = listed["items"]
    nasa = first.items.get()
    assert item == {
        "action": "published",
        "type": "member",
        "id": nasa.page_id,
        "version": nasa.version,
        "api_url": f"/api/v1/members/{nasa.page_id}/",
    }
    assert (listed["seq"]["first"], listed["seq"]["last"]) == (first.first_seq, first.last_seq)
    assert listed["api_url"] == f"/api/v1/releases/{first.pk}/"


def test_the_feed_range_leads_to_the_release_s_entries(published, api_client):
    release = published[0]
    detail = api_client.get(f"/api/v1/releases/{release.pk}/").json()

    entries = api_client.get(detail["seq"]["changes_url"]).json()["results"]

    assert entries[0]["seq"] == release.first_seq
    assert {e["release"] for e in entries if e["seq"] <= release.last_seq} == {release.pk}


def test_releases_filter_by_publication_date(published, api_client):
    first, second = published
    middle = (first.published_at + (second.published_at - first.published_at) / 2).isoformat()

    after = api_client.get("/api/v1/releases/", {"published_after": middle}).json()
    before = api_client.get("/api/v1/releases/", {"published_before": middle}).json()

    assert [r["id"] for r in after["results"]] == [second.pk]
    assert [r["id"] for r in before["results"]] == [first.pk]


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"published_after": "yesterday"}, "published_after"),
        ({"published_before": "2026-13-01"}, "published_before"),
        (
            {"published_after": "2026-02-01T00:00:00Z", "published_before": "2026-01-01T00:00:00Z"},
            "later",
        ),
        ({"limit": "0"}, "limit"),
        ({"status": "open"}, "status"),
    ],
)
def test_bad_parameters_are_problems(published, api_client, params, word):
    body = assert_problem(api_client.get("/api/v1/releases/", params), 400)

    assert word in body["detail"]


def test_equal_bounds_are_an_empty_range_not_an_error(published, api_client):
    moment = "2026-01-01T00:00:00Z"
    response = api_client.get(
        "/api/v1/releases/", {"published_after": moment, "published_before": moment}
    )

    assert response.status_code == 200
    assert (response.json()["count"], response.json()["results"]) == (0, [])


def test_a_release_answers_304_to_its_etag(published, api_client):
    url = f"/api/v1/releases/{published[0].pk}/"
    first = api_client.get(url)

    again = api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first["Cache-Control"].startswith("public")
    assert again.status_code == 304


def test_unpublished_and_unknown_releases_are_not_found(site, api_client):
    release = release_of(draft(site.nasa, title=NEW_NAME))

    for pk in (release.pk, 999_999, 2**40):
        body = assert_problem(api_client.get(f"/api/v1/releases/{pk}/"), 404)
        assert "no published release" in body["detail"]


def test_items_the_caller_may_not_read_are_not_listed(site, reviewer, api_client, member_client):
    s = site
    restrict_to_groups(s.esa, "Members")
    release = services.release_publish(
        release=release_of(draft(s.nasa, title=NEW_NAME), draft(s.esa, summary="Members only.")),
        user=reviewer,
    )

    anonymous = api_client.get(f"/api/v1/releases/{release.pk}/").json()
    member = member_client.get(f"/api/v1/releases/{release.pk}/").json()

    assert [i["id"] for i in anonymous["items"]] == [s.nasa.pk]
    assert sorted(i["id"] for i in member["items"]) == sorted([s.nasa.pk, s.esa.pk])
