"""GET /api/v1/search/?q=: ranked results across every type, on Wagtail's search backend."""

import pytest

from .helpers import fresh, index_for_search, publish

pytestmark = pytest.mark.django_db


def search(client, **params):
    response = client.get("/api/v1/search/", params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_search_finds_items_of_every_type_with_a_snippet(api_client, shared_site):
    page = search(api_client, q="roadmap")

    types = {result["type"] for result in page["results"]}
    assert {"roadmap_release", "roadmap_index", "faq"} <= types
    for result in page["results"]:
        assert set(result) == {
            "type",
            "type_label",
            "id",
            "title",
            "subtitle",
            "url_path",
            "api_url",
            "snippet",
            "snippet_html",
        }
        assert result["url_path"].startswith("/")
        assert result["api_url"] == f"/api/v1/pages/{result['id']}/"


def test_search_result_snippet_shows_the_words_around_the_match(api_client, shared_site):
    result = search(api_client, q="NASA")["results"][0]

    assert result["id"] == shared_site.nasa.pk
    assert result["title"] == "National Aeronautics and Space Administration"
    assert "NASA is a member agency." in result["snippet"]


def test_search_ranks_the_best_match_first(api_client, shared_site):
    results = search(api_client, q="Korea")["results"]

    assert results[0]["id"] == shared_site.kari.pk


def test_search_filters_by_type(api_client, shared_site):
    page = search(api_client, q="agency", type="member")

    assert page["count"] == 6
    assert {r["type"] for r in page["results"]} == {"member"}
    assert search(api_client, q="agency", type="faq")["count"] == 0


def test_search_paginates(api_client, shared_site):
    everything = search(api_client, q="agency", limit=100)
    first = search(api_client, q="agency", limit=4)
    second = api_client.get(first["next"]).json()

    assert first["count"] == second["count"] == everything["count"] == 6
    assert [r["id"] for r in first["results"] + second["results"]] == [
        r["id"] for r in everything["results"]
    ]
    assert second["next"] is None
    assert second["previous"].startswith("http://testserver/api/v1/search/?")


def test_search_without_a_match_is_an_empty_page(api_client, shared_site):
    assert search(api_client, q="xylophone") == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_search_never_finds_words_of_a_draft(api_client, shared_site):
    draft = fresh(shared_site.ukspa)
    draft.summary = "Quetzalcoatl appears only in an unpublished draft."
    draft.save_revision()
    index_for_search()

    assert search(api_client, q="Quetzalcoatl")["count"] == 0
    assert search(api_client, q="UKSA")["results"][0]["snippet"] == ("UKSA is a member agency.")


def test_search_finds_a_newly_published_version(api_client, shared_site):
    page = fresh(shared_site.ukspa)
    page.summary = "The UK Space Agency funds Quetzalcoatl studies."
    publish(page)
    index_for_search()

    results = search(api_client, q="Quetzalcoatl")["results"]

    assert [r["id"] for r in results] == [page.pk]
    assert "Quetzalcoatl" in results[0]["snippet"]
