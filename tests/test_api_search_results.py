"""What a search result shows: readable snippets, marked matches, a type label and a subtitle."""

import datetime

import pytest
from wagtail.rich_text import RichText

from api.resources.search import marked

from .factories import MemberProfilePageFactory, RoadmapReleasePageFactory
from .helpers import index_for_search, publish

pytestmark = pytest.mark.django_db


def search(client, **params) -> list[dict]:
    response = client.get("/api/v1/search/", params)
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


@pytest.fixture
def releases(site):
    """Two releases of the same title, one with a two-paragraph body mentioning the word."""
    first = RoadmapReleasePageFactory.build(
        slug="ger-2011",
        title="The Global Exploration Roadmap",
        edition_number=1,
        edition_label="Edition 1",
        release_date=datetime.date(2011, 9, 1),
        summary="A first release.",
        body=[
            ("heading", "Why a roadmap"),
            (
                "paragraph",
                RichText(
                    "<p>Agencies agreed on a <b>roadmap</b></p><p>The plan &amp; its goals.</p>"
                ),
            ),
        ],
    )
    site.roadmap_index.add_child(instance=first)
    first.contributing_agencies.set([site.nasa, site.esa])
    first = publish(first)
    second = RoadmapReleasePageFactory.build(
        slug="ger-2013",
        title="The Global Exploration Roadmap",
        edition_number=2,
        edition_label="",
        release_date=datetime.date(2013, 8, 1),
        release_date_precision="month",
        summary="The second roadmap edition.",
    )
    site.roadmap_index.add_child(instance=second)
    second = publish(second)
    index_for_search()
    return first, second


def result_for(results, page) -> dict:
    return next(result for result in results if result["id"] == page.pk)


def test_a_snippet_quotes_readable_text_only_with_paragraphs_apart(api_client, releases):
    first, _ = releases
    result = result_for(search(api_client, q="roadmap", type="roadmap_release", limit=100), first)
    snippet = result["snippet"]
    assert snippet.startswith("A first release.\nWhy a roadmap\nAgencies")
    assert "Agencies agreed on a roadmap\nThe plan & its goals." in snippet
    for raw in ("edition", "Edition 1", "2011-09-01", "NASA", "ESA", "application/pdf", "<b>"):
        assert raw not in snippet, raw
    assert "roadmapThe" not in snippet


def test_the_match_is_marked_and_everything_else_escaped(api_client, releases):
    first, _ = releases
    result = result_for(search(api_client, q="roadmap", type="roadmap_release", limit=100), first)
    assert "a <mark>roadmap</mark>\nThe plan &amp; its goals." in result["snippet_html"]
    assert "<b>" not in result["snippet_html"]


def test_a_matched_word_is_marked_as_written_and_the_rest_escaped(api_client, site):
    page = MemberProfilePageFactory(
        parent=site.members_index, slug="xa", title="X Agency", summary="The Roadmap & more <3"
    )
    publish(page)
    index_for_search()
    result = result_for(search(api_client, q="ROADMAP", type="member"), page)
    assert result["snippet_html"] == "The <mark>Roadmap</mark> &amp; more &lt;3"


def test_marking_takes_whole_words_that_start_with_a_term():
    # the PostgreSQL backend stems: "roadmap" finds "Roadmaps", which is marked whole
    assert marked("Roadmaps, roads and a roadmap.", ["roadmap", "x"]) == (
        "<mark>Roadmaps</mark>, roads and a <mark>roadmap</mark>."
    )


def test_same_titled_results_carry_a_type_label_and_a_distinct_subtitle(api_client, releases):
    first, second = releases
    results = search(api_client, q="roadmap", type="roadmap_release", limit=100)
    one, two = result_for(results, first), result_for(results, second)
    assert one["title"] == two["title"]
    assert one["type_label"] == two["type_label"] == "Roadmap release"
    assert one["subtitle"] == "Edition 1 · 1 September 2011"
    assert two["subtitle"] == "Edition 2 · August 2013"


def test_members_and_faqs_are_told_apart_too(api_client, site):
    index_for_search()
    nasa = result_for(search(api_client, q="NASA", type="member"), site.nasa)
    assert nasa["type_label"] == "Member agency"
    assert nasa["subtitle"] == "NASA · United States of America"
    faq = result_for(search(api_client, q="ISECG", type="faq"), site.faq_isecg)
    assert faq["type_label"] == "FAQ" and faq["subtitle"] == "3 questions"
