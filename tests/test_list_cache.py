"""Anonymous lists are rendered once per change-feed position (the origin cache,
api.middleware), and never go stale."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from wagtail.models import APIToken, PageViewRestriction

from pipeline.changes import feed_position
from pipeline.models import Change

from .factories import MemberProfilePageFactory, MembersIndexPageFactory, UserFactory

LIST = "/api/v1/members/?limit=5"


pytestmark = pytest.mark.usefixtures("origin_cache")


@pytest.fixture
def members(home):
    index = MembersIndexPageFactory(parent=home)
    index.save_revision().publish()
    pages = [MemberProfilePageFactory(parent=index, title=f"Agency {n}") for n in "ABC"]
    for page in pages:
        page.save_revision().publish()
    return pages


def titles(response):
    return [item["title"] for item in response.json()["results"]]


def test_a_repeated_list_is_served_from_the_cache_in_one_query(
    members, api_client, django_assert_num_queries
):
    first = api_client.get(LIST)
    with django_assert_num_queries(1):  # the feed position only
        second = api_client.get(LIST)

    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Last-Modified"] == first["Last-Modified"]


def test_a_cached_list_revalidates_to_304_in_one_query(
    members, api_client, django_assert_num_queries
):
    etag = api_client.get(LIST)["ETag"]
    with django_assert_num_queries(1):
        response = api_client.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_a_publish_shows_on_the_next_read_without_any_invalidation(members, api_client):
    before = api_client.get(LIST)
    page = members[0]
    page.title = "Agency A renamed"
    page.save_revision().publish()

    after = api_client.get(LIST)
    assert "Agency A renamed" in titles(after)
    assert after["ETag"] != before["ETag"]


def test_an_unpublish_removes_the_item_on_the_next_read(members, api_client):
    assert api_client.get(LIST).json()["count"] == 3
    members[1].unpublish()

    response = api_client.get(LIST)
    assert response.json()["count"] == 2
    assert "Agency B" not in titles(response)


def test_a_new_restriction_hides_the_item_on_the_next_read(members, api_client):
    assert "Agency C" in titles(api_client.get(LIST))
    restriction = PageViewRestriction.objects.create(
        page=members[2], restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get(name="Members"))

    assert "Agency C" not in titles(api_client.get(LIST))


def test_lists_of_token_callers_are_never_taken_from_the_anonymous_cache(members, api_client):
    restriction = PageViewRestriction.objects.create(
        page=members[2], restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get(name="Members"))
    assert "Agency C" not in titles(api_client.get(LIST))  # cached for anonymous callers
    _, token = APIToken.create_token(user=UserFactory(groups=["Members"]), name="member")

    response = api_client.get(LIST, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert "Agency C" in titles(response)
    assert response["Cache-Control"].startswith("private")


def test_next_and_previous_links_follow_the_host_asked(members, api_client):
    here = api_client.get("/api/v1/members/?limit=2", HTTP_HOST="localhost").json()["next"]
    there = api_client.get("/api/v1/members/?limit=2", HTTP_HOST="127.0.0.1").json()["next"]
    assert here.startswith("http://localhost/") and there.startswith("http://127.0.0.1/")


def test_the_cache_can_be_turned_off(members, api_client, settings, django_assert_num_queries):
    settings.API_ORIGIN_CACHE_SECONDS = 0
    api_client.get(LIST)
    with django_assert_num_queries(2):  # the list itself: total and page
        response = api_client.get(LIST)
    assert response.status_code == 200
    assert not any(key.startswith(":1:api:origin") for key in cache._cache)


def test_the_feed_position_differs_when_a_seq_is_reused_after_a_rollback(members):
    last = Change.objects.order_by("-seq").first()
    position, seq = feed_position(), last.seq
    last.delete()
    Change.objects.create(
        seq=seq,
        action=last.action,
        page_id=last.page_id,
        type=last.type,
        event_id=Change.new_event_id(),
    )
    assert feed_position() != position
