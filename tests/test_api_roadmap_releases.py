"""GET /api/v1/roadmap-releases/: editions and supplements, contributing agencies embedded."""

import datetime

import pytest

from .factories import RoadmapReleasePageFactory
from .helpers import assert_problem, fresh, ids_of, publish

pytestmark = pytest.mark.django_db


def test_release_detail_embeds_agencies_and_links_the_previous_release(api_client, shared_site):
    response = api_client.get(f"/api/v1/roadmap-releases/{shared_site.ger3.pk}/")

    assert response.status_code == 200
    release = response.json()
    assert release["type"] == "roadmap_release"
    assert release["url_path"] == "/roadmap/ger-3/"
    assert release["kind"] == "edition"
    assert release["edition_number"] == 3
    assert release["release_date"] == "2018-01-01"
    assert {"published_at", "last_published_at", "version", "slug", "title"} <= set(release)
    assert release["previous_release"] == {
        "id": shared_site.ger2.pk,
        "type": "roadmap_release",
        "title": "The Global Exploration Roadmap, second edition",
        "url_path": "/roadmap/ger-2/",
        "api_url": f"/api/v1/roadmap-releases/{shared_site.ger2.pk}/",
        "relation": "supersedes",
        # Which edition: editions often share a title.
        "edition_number": 2,
        "edition_label": "",
        "release_date": "2013-08-01",
        "release_date_precision": "day",
    }
    assert release["contributing_agencies"] == [
        {
            "id": agency.pk,
            "acronym": agency.acronym,
            "title": agency.title,
            "url_path": f"/members/{agency.slug}/",
            "api_url": f"/api/v1/members/{agency.pk}/",
        }
        for agency in (shared_site.esa, shared_site.jaxa, shared_site.nasa)  # by acronym
    ]


def test_a_supplement_updates_the_release_before_it(api_client, shared_site):
    release = api_client.get(f"/api/v1/roadmap-releases/{shared_site.supplement.pk}/").json()

    assert release["kind"] == "supplement"
    assert release["edition_number"] is None
    assert release["edition_label"] == "Supplement August 2020"
    assert release["previous_release"]["id"] == shared_site.ger3.pk
    assert release["previous_release"]["relation"] == "updates"
    assert [a["acronym"] for a in release["contributing_agencies"]] == ["CSA", "NASA"]


def test_the_first_edition_has_no_previous_release(api_client, shared_site):
    release = api_client.get(f"/api/v1/roadmap-releases/{shared_site.ger1.pk}/").json()

    assert release["previous_release"] is None
    assert release["contributing_agencies"] == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=edition", ["ger1", "ger2", "ger3"]),
        ("kind=supplement", ["supplement"]),
        ("year=2013", ["ger2"]),
        ("year=2019", []),
        ("slug=ger-3", ["ger3"]),
        ("kind=edition&year=2011", ["ger1"]),
    ],
)
def test_releases_filter(api_client, shared_site, query, expected):
    response = api_client.get(f"/api/v1/roadmap-releases/?{query}")

    assert ids_of(response) == [getattr(shared_site, name).pk for name in expected]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("release_date", ["ger1", "ger2", "ger3", "supplement"]),
        ("-release_date", ["supplement", "ger3", "ger2", "ger1"]),
    ],
)
def test_releases_ordering(api_client, shared_site, ordering, expected):
    response = api_client.get(f"/api/v1/roadmap-releases/?ordering={ordering}")

    assert ids_of(response) == [getattr(shared_site, name).pk for name in expected]


def test_releases_are_listed_by_release_date_by_default(api_client, shared_site):
    older = RoadmapReleasePageFactory(
        parent=fresh(shared_site.roadmap_index),
        slug="ger-0",
        title="A roadmap before the first",
        edition_number=None,
        kind="supplement",
        release_date=datetime.date(2010, 6, 1),
    )
    publish(older)

    listed = ids_of(api_client.get("/api/v1/roadmap-releases/"))

    assert listed[0] == older.pk
    assert listed[1:] == [
        shared_site.ger1.pk,
        shared_site.ger2.pk,
        shared_site.ger3.pk,
        shared_site.supplement.pk,
    ]


def test_release_fields_subset(api_client, shared_site):
    response = api_client.get(
        "/api/v1/roadmap-releases/?fields=release_date,previous_release&limit=1"
    )

    assert response.json()["results"] == [
        {
            "id": shared_site.ger1.pk,
            "type": "roadmap_release",
            "release_date": "2011-09-01",
            "previous_release": None,
        }
    ]


def test_a_member_is_not_a_release(api_client, shared_site):
    assert_problem(api_client.get(f"/api/v1/roadmap-releases/{shared_site.nasa.pk}/"), 404)
