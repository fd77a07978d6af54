"""Anonymous reads of unchanged content are answered before DRF (api.middleware), exactly as
the full path answered them, and never stale: any change, restriction, token, other Accept,
scheme or throttle takes the full path."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.params import encode_cursor
from pipeline.feed_watch import position_sql
from pipeline.models import FeedState

from .factories import MemberProfilePageFactory, MembersIndexPageFactory
from .helpers import assert_problem, edit, publish, restrict_to_groups

KEPT = ("ETag", "Cache-Control", "Last-Modified", "Vary", "Allow")
KINDS = ["detail", "list", "pages detail", "resolve", "versions", "version"]


pytestmark = pytest.mark.usefixtures("origin_cache")


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
    """Fetch `url` through the full path (which the middleware remembers); return that 200."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    assert len(queries.captured_queries) > 1, "answered from the cache: not the full path"
    return response


@pytest.mark.parametrize("name", KINDS)
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


@pytest.mark.parametrize("name", KINDS)
def test_a_repeated_read_is_the_full_answer_byte_for_byte_from_one_query(members, api_client, name):
    url = urls_of(members)[name]
    full = remembered(api_client, url)

    with CaptureQueriesContext(connection) as queries:
        fast = api_client.get(url)

    assert [q["sql"] for q in queries.captured_queries] == [position_sql(connection.vendor)]
    assert fast.status_code == 200
    assert fast.content == full.content
    assert sorted(fast.items()) == sorted(full.items())
    # A stale validator gets the same full answer.
    stale = api_client.get(url, HTTP_IF_NONE_MATCH='"not-what-we-served"')
    assert (stale.status_code, stale.content) == (200, full.content)


def test_head_is_answered_like_get(members, api_client):
    url = urls_of(members)["detail"]
    full = remembered(api_client, url)
    with CaptureQueriesContext(connection) as queries:
        revalidated = api_client.head(url, HTTP_IF_NONE_MATCH=full["ETag"])
        fetched = api_client.head(url)
    assert revalidated.status_code == 304
    assert fetched.status_code == 200
    assert fetched["ETag"] == full["ETag"]
    assert len(queries.captured_queries) == 2  # the feed position, twice


def test_another_scheme_or_host_is_another_answer(members, api_client):
    url = urls_of(members)["list"].replace("limit=5", "limit=1")
    remembered(api_client, url)

    over_https = api_client.get(url, secure=True).json()["next"]
    elsewhere = api_client.get(url, HTTP_HOST="localhost").json()["next"]

    assert over_https.startswith("https://testserver/")
    assert elsewhere.startswith("http://localhost/")


def test_a_cookie_setting_answer_is_never_remembered(members, api_client, monkeypatch):
    from api.resources.members import MemberDetailView

    get = MemberDetailView.get

    def get_with_cookie(self, request, *args, **kwargs):
        response = get(self, request, *args, **kwargs)
        response.set_cookie("seen", "1")
        return response

    monkeypatch.setattr(MemberDetailView, "get", get_with_cookie)
    url = urls_of(members)["detail"]
    remembered(api_client, url)
    remembered(api_client, url)  # the full path again


def test_a_publish_of_the_item_answers_the_old_etag_with_the_new_content(members, api_client):
    url = urls_of(members)["detail"]
    old = remembered(api_client, url)["ETag"]
    edit(members[0], title="Agency A renamed")

    response = api_client.get(url, HTTP_IF_NONE_MATCH=old)

    assert response.status_code == 200
    assert response.json()["title"] == "Agency A renamed"
    assert response["ETag"] != old
    assert api_client.get(url).json()["title"] == "Agency A renamed"


def test_a_publish_elsewhere_still_revalidates_unchanged_content_to_304(members, api_client):
    url = urls_of(members)["detail"]
    etag = remembered(api_client, url)["ETag"]
    edit(members[1], title="Agency B renamed")

    # The position moved, so this one goes the full way, and the content is the same.
    assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_list_revalidation_sees_a_publish_of_any_item(members, api_client):
    url = urls_of(members)["list"]
    old = remembered(api_client, url)["ETag"]
    edit(members[1], title="Agency B renamed")

    response = api_client.get(url, HTTP_IF_NONE_MATCH=old)

    assert response.status_code == 200
    assert "Agency B renamed" in [item["title"] for item in response.json()["results"]]


def test_an_unpublished_item_answers_404_not_304(members, api_client):
    url = urls_of(members)["detail"]
    etag = remembered(api_client, url)["ETag"]
    members[0].unpublish()

    assert_problem(api_client.get(url, HTTP_IF_NONE_MATCH=etag), 404)
    assert_problem(api_client.get(url), 404)


def test_a_restricted_item_answers_404_not_304(members, api_client):
    url = urls_of(members)["detail"]
    etag = remembered(api_client, url)["ETag"]
    restrict_to_groups(members[0], "Members")

    assert_problem(api_client.get(url, HTTP_IF_NONE_MATCH=etag), 404)
    assert_problem(api_client.get(url), 404)


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
    assert_problem(api_client.get(url, HTTP_ACCEPT="text/html"), 406)


def test_cached_answers_count_towards_the_anonymous_rate(
    members, api_client, settings, monkeypatch
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "4/minute", "user": None, "preview": None},
    }
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
    url = urls_of(members)["detail"]
    etag = remembered(api_client, url)["ETag"]  # one request

    statuses = [api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code for _ in range(2)]
    statuses.append(api_client.get(url).status_code)
    response = api_client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert statuses == [304, 304, 200]
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0


def test_the_changes_feed_is_never_answered_early(members, api_client):
    # Retention moves no feed position, yet it turns an old cursor into a 410.
    url = f"/api/v1/changes/?cursor={encode_cursor(1)}"
    etag = api_client.get(url)["ETag"]
    assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    FeedState.objects.filter(pk=1).update(pruned_through=2)

    assert_problem(api_client.get(url, HTTP_IF_NONE_MATCH=etag), 410)


def test_zero_seconds_turns_the_origin_cache_off(members, api_client, settings):
    url = urls_of(members)["detail"]
    etag = remembered(api_client, url)["ETag"]
    settings.API_ORIGIN_CACHE_SECONDS = 0

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    sqls = [q["sql"] for q in queries.captured_queries]
    assert position_sql(connection.vendor) not in sqls
    assert sqls  # the view looked the document up itself


def test_a_database_failure_reading_the_position_leaves_the_answer_to_the_view(
    members, api_client, monkeypatch
):
    from django.db import OperationalError

    import api.middleware

    def unreachable():
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(api.middleware, "feed_position", unreachable)
    url = urls_of(members)["detail"]

    assert api_client.get(url).json()["title"] == "Agency A"  # the view's own answer
    assert_problem(api_client.get("/api/v1/changes/?cursor=not-a-cursor"), 400)


def test_a_revalidation_reads_the_validators_never_the_body(members, api_client, monkeypatch):
    from django.core.cache import cache as shared

    url = urls_of(members)["list"]
    etag = remembered(api_client, url)["ETag"]
    read = []
    get = shared.get
    monkeypatch.setattr(shared, "get", lambda key, *a, **kw: read.append(key) or get(key, *a, **kw))

    assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    origin = [key for key in read if key.startswith("api:origin:")]
    assert len(origin) == 1 and not origin[0].endswith(":body")
    read.clear()
    assert api_client.get(url).status_code == 200
    assert [key for key in read if key.startswith("api:origin:")][-1].endswith(":body")
