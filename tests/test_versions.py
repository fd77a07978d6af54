"""Published versions: numbered, immutable byte for byte, listed, addressable, and `as_of`."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from content_models.models import MemberProfilePage
from pipeline.models import PublishedVersion

from .factories import MemberProfilePageFactory, UserFactory
from .helpers import assert_problem, edit, publish, token_for, versions

pytestmark = pytest.mark.django_db

US = datetime.timedelta(microseconds=1)


def member_url(page, suffix=""):
    return f"/api/v1/members/{page.pk}/{suffix}"


def iso(moment):
    return moment.isoformat()


def test_each_publish_creates_the_next_version_number(site):
    nasa = site.nasa
    edit(nasa, summary="Second.")
    edit(nasa, summary="Third.")
    assert [v.number for v in versions(nasa.pk)] == [1, 2, 3]
    assert [v.cause for v in versions(nasa.pk)] == ["publish"] * 3
    assert json.loads(versions(nasa.pk)[-1].body)["version"] == 3


def test_version_bytes_and_etag_never_change_after_later_edits(api_client, site):
    nasa, release = site.nasa, site.ger3
    first = api_client.get(member_url(nasa, "versions/1/"))
    release_first = api_client.get(f"/api/v1/roadmap-releases/{release.pk}/versions/1/")
    assert first.status_code == 200 and release_first.status_code == 200

    edit(nasa, summary="Edited summary.")
    edit(nasa, title="NASA, renamed")
    edit(release, title="GER 3, renamed")
    release_page = type(release).objects.get(pk=release.pk)
    release_page.contributing_agencies.set([site.esa])
    publish(release_page)
    publish(type(nasa).objects.get(pk=nasa.pk)).unpublish()
    publish(type(nasa).objects.get(pk=nasa.pk))

    again = api_client.get(member_url(nasa, "versions/1/"))
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    release_again = api_client.get(f"/api/v1/roadmap-releases/{release.pk}/versions/1/")
    assert release_again.content == release_first.content
    assert release_again["ETag"] == release_first["ETag"]
    assert (
        json.loads(release_again.content)["title"]
        == "The Global Exploration Roadmap, third edition"
    )
    current = api_client.get(member_url(nasa))
    assert current.json()["title"] == "NASA, renamed"
    assert current.json()["version"] == len(versions(nasa.pk))


def test_the_version_etag_is_the_sha256_of_the_served_bytes(api_client, site):
    import hashlib

    response = api_client.get(member_url(site.nasa, "versions/1/"))
    assert response["ETag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert api_client.get(member_url(site.nasa))["ETag"] == response["ETag"]
    not_modified = api_client.get(
        member_url(site.nasa, "versions/1/"), HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert not_modified.status_code == 304


def test_versions_list_says_who_published_when_from_which_revision(site):
    author = UserFactory(username="grace", first_name="Grace", groups=["Editors"])
    publisher = UserFactory(
        username="ada", first_name="Ada", last_name="Lovelace", groups=["Reviewers"]
    )
    nasa = edit(site.nasa, user=publisher, author=author, summary="By Grace, for Ada.")
    staff = APIClient()  # who published is for the CMS's staff (tests/test_api_version_publishers)
    staff.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(author)}")
    response = staff.get(member_url(nasa, "versions/"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first, second = body["results"]
    stored = versions(nasa.pk)
    assert [first["number"], second["number"]] == [1, 2]
    assert second["etag"] == stored[1].etag
    assert second["published_by"] == "Ada Lovelace"
    assert first["published_by"] is None
    assert second["revision_id"] == nasa.live_revision_id
    assert first["revision_id"] == stored[0].revision_id is not None
    assert datetime.datetime.fromisoformat(second["published_at"]) == stored[1].published_at
    assert first["live_until"] == second["published_at"]
    assert second["live_until"] is None
    assert second["api_url"] == member_url(nasa, "versions/2/")


def test_versions_list_paginates(api_client, site):
    for n in range(3):
        edit(site.nasa, summary=f"Edit {n}.")
    page = api_client.get(member_url(site.nasa, "versions/"), {"limit": 2, "offset": 2})
    assert [v["number"] for v in page.json()["results"]] == [3, 4]
    assert page.json()["next"] is None and page.json()["previous"]


@pytest.mark.parametrize("number", [0, 2, 999])
def test_unknown_version_is_404(api_client, site, number):
    body = assert_problem(api_client.get(member_url(site.nasa, f"versions/{number}/")), 404)
    assert str(number) in body["detail"]


def test_a_version_of_another_collection_is_404(api_client, site):
    response = api_client.get(f"/api/v1/roadmap-releases/{site.nasa.pk}/versions/1/")
    assert_problem(response, 404)


def test_as_of_returns_the_version_live_at_that_moment(api_client, site):
    nasa = site.nasa
    edit(nasa, summary="Second.")
    edit(nasa, summary="Third.")
    v1, v2, v3 = versions(nasa.pk)

    def as_of(moment):
        return api_client.get(member_url(nasa), {"as_of": iso(moment)})

    assert_problem(as_of(v1.published_at - US), 404)
    for moment, expected in [
        (v1.published_at, v1),
        (v2.published_at - US, v1),
        (v2.published_at, v2),
        (v3.published_at - US, v2),
        (v3.published_at, v3),
        (v3.published_at + datetime.timedelta(days=1), v3),
    ]:
        response = as_of(moment)
        assert response.status_code == 200
        assert response.content.decode() == expected.body, moment
        assert response["ETag"] == f'"{expected.etag}"'


def test_as_of_inside_an_unpublished_gap_is_404(api_client, site):
    nasa = site.nasa
    nasa.unpublish()
    nasa = publish(type(nasa).objects.get(pk=nasa.pk))
    v1, v2 = versions(nasa.pk)
    assert v1.live_until is not None and v1.live_until < v2.published_at
    gap = v1.live_until + (v2.published_at - v1.live_until) / 2
    assert_problem(api_client.get(member_url(nasa), {"as_of": iso(gap)}), 404)
    assert_problem(api_client.get(member_url(nasa), {"as_of": iso(v1.live_until)}), 404)
    before_gap = api_client.get(member_url(nasa), {"as_of": iso(v1.live_until - US)})
    assert before_gap.content.decode() == v1.body
    after_gap = api_client.get(member_url(nasa), {"as_of": iso(v2.published_at)})
    assert after_gap.content.decode() == v2.body


@pytest.mark.parametrize(
    "value", ["yesterday", "2024-13-01T00:00:00Z", "2024-02-30T10:00:00", "", "1700000000"]
)
def test_malformed_as_of_is_400(api_client, site, value):
    body = assert_problem(api_client.get(member_url(site.nasa), {"as_of": value}), 400)
    assert "as_of" in body["detail"]


def test_as_of_accepts_offsets_and_naive_times_as_utc(api_client, site):
    v1 = versions(site.nasa.pk)[0]
    moment = v1.published_at.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
    assert api_client.get(member_url(site.nasa), {"as_of": iso(moment)}).status_code == 200
    naive = v1.published_at.replace(tzinfo=None).isoformat()
    assert api_client.get(member_url(site.nasa), {"as_of": naive}).status_code == 200


@pytest.mark.parametrize("how", ["unpublish", "delete"])
def test_unpublished_or_deleted_item_and_its_versions_are_404(api_client, site, how):
    nasa = site.nasa
    edit(nasa, summary="Second.")
    urls = [
        member_url(nasa),
        member_url(nasa, "versions/"),
        member_url(nasa, "versions/1/"),
        member_url(nasa, "versions/2/"),
        f"/api/v1/pages/{nasa.pk}/",
        f"/api/v1/pages/{nasa.pk}/versions/1/",
    ]
    for url in urls:
        assert api_client.get(url).status_code == 200, url
    page = type(nasa).objects.get(pk=nasa.pk)
    page.unpublish() if how == "unpublish" else page.delete()
    for url in urls:
        assert_problem(api_client.get(url), 404)
    assert_problem(
        api_client.get(member_url(nasa), {"as_of": iso(versions(nasa.pk)[0].published_at)}), 404
    )
    assert api_client.get("/api/v1/pages/resolve/", {"path": "/members/nasa/"}).status_code == 404
    # The versions stay stored: a later republish continues the numbering.
    assert PublishedVersion.objects.filter(page_id=nasa.pk).count() == 2


def test_republishing_after_unpublish_continues_the_numbering(api_client, site):
    nasa = site.nasa
    nasa.unpublish()
    nasa = publish(type(nasa).objects.get(pk=nasa.pk))
    assert [v.number for v in versions(nasa.pk)] == [1, 2]
    assert api_client.get(member_url(nasa)).json()["version"] == 2


def test_draft_changes_never_reach_a_version(api_client, site):
    nasa = type(site.nasa).objects.get(pk=site.nasa.pk)
    nasa.summary = "A draft nobody approved."
    nasa.save_revision()
    assert len(versions(nasa.pk)) == 1
    assert api_client.get(member_url(nasa)).json()["summary"] != "A draft nobody approved."


def test_a_page_created_without_publishing_has_no_version(api_client, site):
    draft = MemberProfilePageFactory(parent=site.members_index, live=False, slug="draft")
    assert versions(draft.pk) == []
    assert_problem(api_client.get(member_url(draft, "versions/")), 404)


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


def test_a_bulk_generated_first_version_stays_readable_after_a_republish(api_client, db):
    """generate_content stores version 1 through the pipeline's bulk path: it must record the
    audience it rendered for, or version 1 would be hidden once a second version is live."""
    call_command("generate_content", members="1", seed="7", stdout=StringIO())
    page = MemberProfilePage.objects.get(slug__startswith="synthetic-")
    page.save_revision().publish()

    listing = api_client.get(f"/api/v1/members/{page.pk}/versions/").json()

    assert [v["number"] for v in listing["results"]] == [1, 2]
    assert api_client.get(f"/api/v1/members/{page.pk}/versions/1/").status_code == 200
