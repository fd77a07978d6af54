"""GET /api/v1/members/: member profiles, their filters, ordering, pagination and `fields`."""

import pytest

from .helpers import assert_problem, ids_of

pytestmark = pytest.mark.django_db

ITEM_FIELDS = {
    "id",
    "type",
    "slug",
    "title",
    "url_path",
    "published_at",
    "last_published_at",
    "version",
}
MEMBER_FIELDS = {
    "acronym",
    "country",
    "country_name",
    "logo",
    "website",
    "year_joined",
    "iss_partner",
    "summary",
    "body",
}


def acronyms(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [item["acronym"] for item in response.json()["results"]]


def test_member_detail_carries_the_item_fields_and_the_agency_fields(api_client, shared_site):
    response = api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    member = response.json()
    assert set(member) >= ITEM_FIELDS | MEMBER_FIELDS
    assert member["id"] == shared_site.nasa.pk
    assert member["type"] == "member"
    assert member["slug"] == "nasa"
    assert member["title"] == "National Aeronautics and Space Administration"
    assert member["url_path"] == "/members/nasa/"
    assert member["version"] == 1
    assert member["published_at"].endswith("Z")
    assert member["acronym"] == "NASA"
    assert member["country"] == "US"
    assert member["country_name"] == "United States of America"
    assert member["year_joined"] == 2007
    assert member["iss_partner"] is True


def test_an_intergovernmental_member_has_no_country(api_client, shared_site):
    member = api_client.get(f"/api/v1/members/{shared_site.esa.pk}/").json()

    assert member["country"] is None
    assert member["country_name"] is None


def test_member_list_is_an_envelope_of_the_same_documents_as_the_detail(api_client, shared_site):
    listing = api_client.get("/api/v1/members/?slug=nasa").json()
    detail = api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/").json()

    assert set(listing) == {"count", "next", "previous", "results"}
    assert listing["count"] == 1
    assert listing["results"] == [detail]


def test_member_list_holds_only_members(api_client, shared_site):
    response = api_client.get("/api/v1/members/")

    assert response.json()["count"] == 6
    assert {item["type"] for item in response.json()["results"]} == {"member"}


def test_members_are_listed_by_title_by_default(api_client, shared_site):
    titles = [item["title"] for item in api_client.get("/api/v1/members/").json()["results"]]

    assert titles == sorted(titles)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=US", ["NASA"]),
        ("country=JP", ["JAXA"]),
        ("country=FR", []),
        ("iss_partner=true", ["CSA", "ESA", "JAXA", "NASA"]),
        ("iss_partner=false", ["KARI", "UKSA"]),
        ("joined_after=2008", ["KARI", "UKSA"]),
        ("joined_before=2007", ["CSA", "ESA", "JAXA", "NASA"]),
        ("joined_after=2008&joined_before=2010", ["KARI"]),
        ("acronym=nasa", ["NASA"]),
        ("acronym=NASA", ["NASA"]),
        ("slug=jaxa", ["JAXA"]),
        ("iss_partner=true&country=CA", ["CSA"]),
    ],
)
def test_members_filter(api_client, shared_site, query, expected):
    response = api_client.get(f"/api/v1/members/?{query}&ordering=acronym")

    assert acronyms(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("acronym", ["CSA", "ESA", "JAXA", "KARI", "NASA", "UKSA"]),
        ("-acronym", ["UKSA", "NASA", "KARI", "JAXA", "ESA", "CSA"]),
        ("title", ["CSA", "ESA", "JAXA", "KARI", "NASA", "UKSA"]),
        ("-title", ["UKSA", "NASA", "KARI", "JAXA", "ESA", "CSA"]),
        # Ties (four founding members joined in 2007) are broken by id: pages stay stable.
        ("joined", ["NASA", "ESA", "JAXA", "CSA", "KARI", "UKSA"]),
        ("-joined", ["UKSA", "KARI", "NASA", "ESA", "JAXA", "CSA"]),
        ("-joined,acronym", ["UKSA", "KARI", "CSA", "ESA", "JAXA", "NASA"]),
    ],
)
def test_members_ordering(api_client, shared_site, ordering, expected):
    assert acronyms(api_client.get(f"/api/v1/members/?ordering={ordering}")) == expected


def test_members_paginate_with_limit_offset_and_links(api_client, shared_site):
    first = api_client.get("/api/v1/members/?ordering=acronym&limit=4").json()
    second = api_client.get(first["next"]).json()

    assert first["count"] == second["count"] == 6
    assert [m["acronym"] for m in first["results"]] == ["CSA", "ESA", "JAXA", "KARI"]
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/members/?ordering=acronym&limit=4&offset=4"
    assert [m["acronym"] for m in second["results"]] == ["NASA", "UKSA"]
    assert second["next"] is None
    assert api_client.get(second["previous"]).json() == first


def test_members_pages_never_repeat_or_skip_an_item(api_client, shared_site):
    seen = []
    for offset in range(6):
        seen += ids_of(api_client.get(f"/api/v1/members/?ordering=joined&limit=1&offset={offset}"))

    assert sorted(seen) == sorted(ids_of(api_client.get("/api/v1/members/")))


@pytest.mark.parametrize("limit", ["1", "100"])
def test_members_limit_accepts_its_bounds(api_client, shared_site, limit):
    response = api_client.get(f"/api/v1/members/?limit={limit}")

    assert len(response.json()["results"]) == min(int(limit), 6)


def test_members_offset_past_the_end_is_an_empty_page(api_client, shared_site):
    page = api_client.get("/api/v1/members/?offset=50&limit=10").json()

    assert page["count"] == 6
    assert page["results"] == []
    assert page["next"] is None


def test_members_fields_selects_a_subset_and_keeps_id_and_type(api_client, shared_site):
    response = api_client.get("/api/v1/members/?fields=acronym,country&ordering=acronym&limit=1")

    assert response.json()["results"] == [
        {"id": shared_site.csa.pk, "type": "member", "acronym": "CSA", "country": "CA"}
    ]


def test_member_detail_fields_selects_a_subset(api_client, shared_site):
    response = api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/?fields=title,url_path")

    assert response.json() == {
        "id": shared_site.nasa.pk,
        "type": "member",
        "title": "National Aeronautics and Space Administration",
        "url_path": "/members/nasa/",
    }
    assert response.has_header("ETag")


def test_unknown_field_is_a_problem_naming_it(api_client, shared_site):
    body = assert_problem(api_client.get("/api/v1/members/?fields=acronym,colour"), 400)

    assert "'colour'" in body["detail"]
    assert "acronym" in body["detail"]  # lists what is available


def test_unknown_member_id_is_a_404_problem(api_client, shared_site):
    body = assert_problem(api_client.get("/api/v1/members/987654/"), 404)

    assert "987654" in body["detail"]


def test_a_page_of_another_type_is_not_a_member(api_client, shared_site):
    assert_problem(api_client.get(f"/api/v1/members/{shared_site.ger1.pk}/"), 404)
