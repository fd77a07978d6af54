"""Previewing the site as a release would leave it: with the release's token every content
endpoint answers as if it were published (details, lists, filters, resolve, the pages tree,
embeds), unchanged items live; without it, nothing of it shows, and no shared cache keeps it.
Tokens are refused as page previews are: forged, expired, revoked, for another release."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from preview import services as page_previews
from releases import previews, services, tokens
from releases.models import ReleaseLink, ReleaseLinkUse

from .helpers import assert_problem, fresh
from .release_support import NEW_ANSWER, NEW_NAME, approve, release_of

pytestmark = pytest.mark.django_db

TOKEN = "release_token"


@pytest.fixture
def release(three_changes):
    s = three_changes
    return release_of(s.faq_isecg, s.nasa, s.ger4, approved=False)


@pytest.fixture
def token(release, editor):
    _link, token = previews.release_preview_create(release=release, user=editor)
    return token


@pytest.fixture
def share(release, reviewer):
    link, token = previews.release_share_link_create(
        release=release, user=reviewer, expires_in=datetime.timedelta(days=3), label="ESA comms"
    )
    return link, token


def get(client, url, token=None, **params):
    if token is not None:
        params[TOKEN] = token
    return client.get(url, params)


def ok(response) -> dict:
    assert response.status_code == 200, (response.status_code, response.content[:400])
    return response.json()


def titles(response) -> list[str]:
    return [item["title"] for item in ok(response)["results"]]


def ids(response) -> list[int]:
    return [item["id"] for item in ok(response)["results"]]


# With the token: the release's state ----------------------------------------------------------


def test_details_show_the_release_and_say_so(three_changes, release, token, api_client):
    s = three_changes
    live_version = ok(get(api_client, f"/api/v1/members/{s.nasa.pk}/"))["version"]

    for url in (f"/api/v1/members/{s.nasa.pk}/", f"/api/v1/pages/{s.nasa.pk}/"):
        response = get(api_client, url, token)
        member = ok(response)
        assert member["title"] == NEW_NAME
        assert member["version"] == live_version + 1
        assert member["meta"]["preview"]["release"] == {"id": release.pk, "title": release.title}
        assert member["meta"]["preview"]["kind"] == "live"
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Robots-Tag"] == "noindex"
    faq = ok(get(api_client, f"/api/v1/faqs/{s.faq_isecg.pk}/", token))
    assert faq["questions"][0]["answer"] == NEW_ANSWER
    ger4 = ok(get(api_client, f"/api/v1/roadmap-releases/{s.ger4.pk}/", token))
    assert ger4["version"] == 1 and ger4["url_path"] == "/roadmap/ger-4/"


def test_embeds_show_pages_as_the_release_leaves_them(three_changes, token, api_client):
    s = three_changes

    ger4 = ok(get(api_client, f"/api/v1/roadmap-releases/{s.ger4.pk}/", token))
    ger3 = ok(get(api_client, f"/api/v1/roadmap-releases/{s.ger3.pk}/", token))
    live_ger3 = ok(get(api_client, f"/api/v1/roadmap-releases/{s.ger3.pk}/"))

    assert [a["title"] for a in ger4["contributing_agencies"]] == [NEW_NAME]
    # GER 3 is not in the release, but embeds NASA: it is rendered again, as publishing would.
    assert NEW_NAME in [a["title"] for a in ger3["contributing_agencies"]]
    assert NEW_NAME not in [a["title"] for a in live_ger3["contributing_agencies"]]
    assert ger3["version"] == live_ger3["version"] + 1


def test_lists_filters_ordering_and_the_tree_show_the_release(three_changes, token, api_client):
    s = three_changes

    assert NEW_NAME in titles(get(api_client, "/api/v1/members/", token))
    # NASA stops being an ISS partner in the release: the filter reads the release's value.
    assert s.nasa.pk not in ids(get(api_client, "/api/v1/members/", token, iss_partner="true"))
    assert s.nasa.pk in ids(get(api_client, "/api/v1/members/", token, iss_partner="false"))
    assert ids(get(api_client, "/api/v1/members/", token, ordering="-title")) == [
        m.pk for m in (s.ukspa, s.nasa, s.kari, s.jaxa, s.esa, s.csa)
    ]
    assert ids(get(api_client, "/api/v1/roadmap-releases/", token, year=2024)) == [s.ger4.pk]
    assert (
        ids(get(api_client, "/api/v1/roadmap-releases/", token, ordering="-release_date"))[0]
        == s.ger4.pk
    )
    assert s.ger4.pk in ids(get(api_client, "/api/v1/pages/", token, child_of=s.roadmap_index.pk))
    assert s.ger4.pk in ids(get(api_client, "/api/v1/pages/", token, type="roadmap_release"))
    listing = ok(get(api_client, "/api/v1/faqs/", token))
    assert listing["results"][0]["questions"][0]["answer"] == NEW_ANSWER
    assert listing["meta"]["preview"]["release"]["title"] == "Edition 4 launch"


def test_resolve_finds_the_release_pages(three_changes, token, api_client):
    found = ok(get(api_client, "/api/v1/pages/resolve/", token, path="/roadmap/ger-4/"))

    assert found["id"] == three_changes.ger4.pk
    assert found["meta"]["preview"]["release"]["title"] == "Edition 4 launch"


def test_unchanged_items_are_served_live(three_changes, token, api_client):
    s = three_changes

    previewed = ok(get(api_client, f"/api/v1/members/{s.esa.pk}/", token))
    live = ok(get(api_client, f"/api/v1/members/{s.esa.pk}/"))

    assert previewed.pop("meta")["preview"]["release"]["id"]
    assert previewed == live


def test_the_release_itself_is_visible_with_its_token(three_changes, release, token, api_client):
    s = three_changes

    detail = ok(get(api_client, f"/api/v1/releases/{release.pk}/", token))
    listing = ok(get(api_client, "/api/v1/releases/", token))

    assert (detail["status"], detail["published_at"]) == ("open", None)
    assert sorted((i["type"], i["id"], i["version"]) for i in detail["items"]) == sorted(
        [
            ("faq", s.faq_isecg.pk, None),
            ("member", s.nasa.pk, None),
            ("roadmap_release", s.ger4.pk, None),
        ]
    )
    assert [r["id"] for r in listing["results"]] == [release.pk]
    assert_problem(get(api_client, f"/api/v1/releases/{release.pk}/"), 404)
    assert ok(get(api_client, "/api/v1/releases/"))["results"] == []


def test_an_unpublish_in_the_release_hides_the_page_and_its_embeds(site, api_client):
    s = site
    release = services.release_create(title="ESA leaves")
    services.release_item_add(release=release, page=s.esa, action="unpublish")
    _link, token = previews.release_preview_create(release=release, user=None)

    assert_problem(get(api_client, f"/api/v1/members/{s.esa.pk}/", token), 404)
    assert s.esa.pk not in ids(get(api_client, "/api/v1/members/", token))
    assert_problem(get(api_client, "/api/v1/pages/resolve/", token, path="/members/esa/"), 404)
    ger3 = ok(get(api_client, f"/api/v1/roadmap-releases/{s.ger3.pk}/", token))
    assert [a["acronym"] for a in ger3["contributing_agencies"]] == ["JAXA", "NASA"]
    assert ok(get(api_client, f"/api/v1/members/{s.esa.pk}/"))["acronym"] == "ESA"


# Without it: nothing of the release ------------------------------------------------------------


def test_without_the_token_nothing_of_the_release_shows(three_changes, token, api_client):
    s = three_changes
    get(api_client, "/api/v1/members/", token)  # a preview first: it must leave nothing behind

    assert NEW_NAME not in titles(get(api_client, "/api/v1/members/"))
    assert ok(get(api_client, f"/api/v1/members/{s.nasa.pk}/"))["title"] != NEW_NAME
    assert s.ger4.pk not in ids(get(api_client, "/api/v1/roadmap-releases/"))
    assert_problem(get(api_client, f"/api/v1/roadmap-releases/{s.ger4.pk}/"), 404)
    assert_problem(get(api_client, "/api/v1/pages/resolve/", path="/roadmap/ger-4/"), 404)
    assert "meta" not in ok(get(api_client, f"/api/v1/members/{s.nasa.pk}/"))


def test_no_shared_cache_keeps_a_preview(three_changes, token, api_client, settings):
    """The origin cache is on: a preview is never stored there, and a validator taken from a
    preview never revalidates the live answer."""
    settings.API_ORIGIN_CACHE_SECONDS = 60
    url = "/api/v1/members/"

    previewed = get(api_client, url, token)
    live = api_client.get(url)
    again = api_client.get(url, HTTP_IF_NONE_MATCH=previewed["ETag"])
    previewed_again = get(api_client, url, token)
    revalidated = api_client.get(f"{url}?{TOKEN}={token}", HTTP_IF_NONE_MATCH=previewed["ETag"])

    assert NEW_NAME not in live.content.decode() and NEW_NAME in previewed.content.decode()
    assert again.status_code == 200 and NEW_NAME not in again.content.decode()
    assert NEW_NAME in previewed_again.content.decode()
    assert revalidated.status_code == 304  # the reviewer's own copy, revalidated by the view
    assert revalidated["Cache-Control"] == "private, no-store"
    assert live["Cache-Control"].startswith("public")


def test_a_member_token_and_a_release_token_together(three_changes, token, member_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {member_token}")

    assert ok(get(client, f"/api/v1/members/{three_changes.nasa.pk}/", token))["title"] == NEW_NAME


def test_as_of_and_a_release_token_do_not_mix(three_changes, token, api_client):
    body = assert_problem(
        get(
            api_client,
            f"/api/v1/members/{three_changes.nasa.pk}/",
            token,
            as_of=timezone.now().isoformat(),
        ),
        400,
    )
    assert "as_of" in body["detail"]


def test_endpoints_that_cannot_preview_refuse_the_token(three_changes, token, api_client):
    for url in ("/api/v1/search/?q=nasa", f"/api/v1/members/{three_changes.nasa.pk}/versions/"):
        body = assert_problem(api_client.get(url, {TOKEN: token}), 400)
        assert TOKEN in body["detail"]


# Refused tokens ---------------------------------------------------------------------------------


def refused(response, status, reason):
    body = assert_problem(response, status)
    assert body["reason"] == reason, body
    assert NEW_NAME not in response.content.decode()
    return body


def test_a_forged_token_is_refused(three_changes, token, api_client):
    url = f"/api/v1/members/{three_changes.nasa.pk}/"

    refused(get(api_client, url, "not-a-token"), 401, "invalid")
    refused(
        get(api_client, url, token[:-2] + ("AA" if token[-2:] != "AA" else "BB")), 401, "invalid"
    )
    refused(get(api_client, url, ""), 401, "missing")


def test_a_page_preview_token_is_no_release_token(three_changes, editor, api_client):
    _state, page_token = page_previews.live_preview_create(
        page=fresh(three_changes.nasa), user=editor
    )

    refused(
        get(api_client, f"/api/v1/members/{three_changes.nasa.pk}/", page_token), 401, "invalid"
    )


def test_a_token_for_a_release_that_never_was_is_refused(three_changes, api_client):
    forged = tokens.token_make(
        kind="share", release_id=999, expires_at=timezone.now() + datetime.timedelta(hours=1)
    )

    refused(get(api_client, "/api/v1/members/", forged), 401, "invalid")


def test_an_expired_token_is_refused(three_changes, release, share, api_client):
    link, token = share
    signed_expired = tokens.token_make(
        kind="share",
        release_id=release.pk,
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    refused(get(api_client, "/api/v1/members/", signed_expired), 401, "expired")

    ReleaseLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    refused(get(api_client, "/api/v1/members/", token), 401, "expired")
    assert list(link.uses.values_list("outcome", flat=True)) == ["expired"]


def test_a_revoked_share_link_is_refused_and_each_use_is_logged(share, reviewer, api_client):
    link, token = share
    ok(get(api_client, "/api/v1/members/", token))
    ok(get(api_client, "/api/v1/pages/resolve/", token, path="/"))

    page_previews.link_revoke(link=link, user=reviewer)

    refused(get(api_client, "/api/v1/members/", token), 403, "revoked")
    uses = list(link.uses.order_by("pk").values_list("outcome", "path"))
    assert uses == [
        ("served", "/api/v1/members/"),
        ("served", "/api/v1/pages/resolve/"),
        ("revoked", "/api/v1/members/"),
    ]


def test_another_release_s_token_is_refused_for_a_release(
    three_changes, release, share, api_client
):
    other = services.release_create(title="Another release")
    _link, token = share

    refused(get(api_client, f"/api/v1/releases/{other.pk}/", token), 403, "wrong_release")
    assert ReleaseLinkUse.objects.filter(outcome="wrong_release").count() == 1


def test_a_published_release_is_no_longer_previewed(
    three_changes, release, token, reviewer, api_client
):
    services.release_publish(release=approve(release), user=reviewer)

    refused(get(api_client, "/api/v1/members/", token), 403, "closed")
    assert ok(get(api_client, f"/api/v1/members/{three_changes.nasa.pk}/"))["title"] == NEW_NAME


# Cost -----------------------------------------------------------------------------------------


def test_a_preview_renders_the_release_once_and_lists_at_a_fixed_cost(
    three_changes, token, api_client, django_assert_max_num_queries
):
    get(api_client, "/api/v1/members/", token)  # renders the release's documents, once
    counts = []
    for limit in (1, 2, 20):
        with CaptureQueriesContext(connection) as queries:
            ok(get(api_client, "/api/v1/members/", token, limit=limit))
        counts.append(len(queries))
    with django_assert_max_num_queries(8):
        ok(get(api_client, f"/api/v1/members/{three_changes.nasa.pk}/", token))

    assert counts[0] == counts[1] == counts[2] <= 10
