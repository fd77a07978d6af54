"""Anonymous revalidations of unchanged content are answered before DRF (api.middleware), and
never with a stale 304: any change, restriction, token, other Accept or throttle takes the full
path."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.params import encode_cursor
from pipeline.feed_watch import position_sql
from pipeline.models import FeedState

from .factories import MemberProfilePageFactory, MembersIndexPageFactory
from .helpers import assert_problem, publish, restrict_to_groups

KEPT = ("ETag", "Cache-Control", "Last-Modified", "Vary", "Allow")


@pytest.fixture(autouse=True)
def revalidation_cache(settings):
    """Turn the fast path on (the test settings keep it off), starting empty."""
    settings.API_REVALIDATION_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def members(home):
    index = publish(MembersIndexPageFactory(parent=home))
    return [publish(MemberProfilePageFactory(parent=index, title=f"Agency {n}")) for n in "AB"]


def urls_of(members) -> dict[str, str]:
    page = members[0]
    return {
        "detail": f"/api/v1/members/{page.pk}/",
        "list": "/api/v1/members/?limit=5",
        "pages detail": f"/api/v1/pages/{page.pk}/?fields=title,url_path",
        "resolve": f"/api/v1/pages/resolve/?path={page.url_path.removeprefix('/home')}",
        "versions": f"/api/v1/members/{page.pk}/versions/",
        "version": f"/api/v1/members/{page.pk}/versions/1/",
    }


def remembered(client, url: str, **headers):
    """Fetch `url`, then revalidate it once through the full path (which the middleware
    remembers); return that full 304."""
    etag = client.get(url, **headers)["ETag"]
    response = client.get(url, HTTP_IF_NONE_MATCH=etag, **headers)
    assert response.status_code == 304, (url, response.status_code, response.content[:300])
    return response


@pytest.mark.parametrize(
    "name", ["detail", "list", "pages detail", "resolve", "versions", "version"]
)
def test_a_remembered_revalidation_runs_only_the_feed_position_query(members, api_client, name):
    url = urls_of(members)[name]
    full = remembered(api_client, url)

    with CaptureQueriesContext(connection) as queries:
        fast = api_client.get(url, HTTP_IF_NONE_MATCH=full["ETag"])

    assert fast.status_code == 304
    assert fast.content == b""
    assert [q["sql"] for q in queries.captured_queries] == [position_sql(connection.vendor)]
    for header in KEPT:
        assert fast.get(header) == full.get(header), header
    assert fast["Cache-Control"].startswith("public")


def test_head_is_answered_like_get(members, api_client):
    url = urls_of(members)["detail"]
    full = remembered(api_client, url)
    with CaptureQueriesContext(connection) as queries:
        fast = api_client.head(url, HTTP_IF_NONE_MATCH=full["ETag"])
    assert fast.status_code == 304
    assert len(queries.captured_queries) == 1


def test_a_stale_etag_gets_the_full_answer(members, api_client):
    url = urls_of(members)["detail"]
    remembered(api_client, url)

    response = api_client.get(url, HTTP_IF_NONE_MATCH='"not-what-we-served"')

    assert response.status_code == 200
    assert response.json()["title"] == "Agency A"


def test_a_publish_of_the_item_answers_the_old_etag_with_the_new_content(members, api_client):
    url = urls_of(members)["detail"]
    old = remembered(api_client, url)["ETag"]
    page = members[0]
    page.title = "Agency A renamed"
    publish(page)

    response = api_client.get(url, HTTP_IF_NONE_MATCH=old)

    assert response.status_code == 200
    assert response.json()["title"] == "Agency A renamed"
    assert response["ETag"] != old


def test_a_publish_elsewhere_still_revalidates_unchanged_content_to_304(members, api_client):
    url = urls_of(members)["detail"]
    etag = remembered(api_client, url)["ETag"]
    other = members[1]
    other.title = "Agency B renamed"
    publish(other)

    # The position moved, so this one goes the full way, and the content is the same.
    assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_list_revalidation_sees_a_publish_of_any_item(members, api_client):
    url = urls_of(members)["list"]
    old = remembered(api_client, url)["ETag"]
    other = members[1]
    other.title = "Agency B renamed"
    publish(other)

    response = api_client.get(url, HTTP_IF_NONE_MATCH=old)

    assert response.status_code == 200
    assert "Agency B renamed" in [item["title"] for item in response.json()["results"]]


def test_an_unpublished_item_answers_404_not_304(members, api_client):
    url = urls_of(members)["detail"]
    etag = remembered(api_client, url)["ETag"]
    members[0].unpublish()

    assert_problem(api_client.get(url, HTTP_IF_NONE_MATCH=etag), 404)


def test_a_restricted_item_answers_404_not_304(members, api_client):
    url = urls_of(members)["detail"]
    etag = remembered(api_client, url)["ETag"]
    restrict_to_groups(members[0], "Members")

    assert_problem(api_client.get(url, HTTP_IF_NONE_MATCH=etag), 404)


def test_a_token_caller_always_takes_the_full_path(members, api_client):
    url = urls_of(members)["detail"]
    etag = remembered(api_client, url)["ETag"]

    response = api_client.get(
        url, HTTP_IF_NONE_MATCH=etag, HTTP_AUTHORIZATION="Bearer wagtail_not-a-token"
    )

    assert_problem(response, 401)


def test_another_accept_header_is_not_answered_from_a_remembered_validator(members, api_client):
    url = urls_of(members)["detail"]
    etag = remembered(api_client, url)["ETag"]

    response = api_client.get(url, HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT="text/html")

    assert_problem(response, 406)


def test_fast_revalidations_count_towards_the_anonymous_rate(
    members, api_client, settings, monkeypatch
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "4/minute", "user": None, "preview": None},
    }
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
    url = urls_of(members)["detail"]
    etag = remembered(api_client, url)["ETag"]  # two requests

    statuses = [api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code for _ in range(2)]
    response = api_client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert statuses == [304, 304]
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0


def test_the_changes_feed_is_never_answered_early(members, api_client):
    # Retention moves no feed position, yet it turns an old cursor into a 410.
    url = f"/api/v1/changes/?cursor={encode_cursor(1)}"
    etag = api_client.get(url)["ETag"]
    assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    FeedState.objects.filter(pk=1).update(pruned_through=2)

    assert_problem(api_client.get(url, HTTP_IF_NONE_MATCH=etag), 410)


def test_zero_seconds_turns_the_fast_path_off(members, api_client, settings):
    url = urls_of(members)["detail"]
    etag = remembered(api_client, url)["ETag"]
    settings.API_REVALIDATION_CACHE_SECONDS = 0

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    sqls = [q["sql"] for q in queries.captured_queries]
    assert position_sql(connection.vendor) not in sqls
    assert sqls  # the view looked the document up itself
