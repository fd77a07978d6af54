"""Queries are a budget: each endpoint makes a fixed number of SQL queries, whatever `limit`.

Reads serve stored documents, so a list is a count and one page of bodies, a detail one row.
A token adds three (the token, its user's groups, the members-only documents it may read), or
two where nothing is read through api.access (health).
"""

import pytest
from django.db import transaction
from wagtail.models import Page, Site

from pipeline import services

from .factories import FAQPageFactory, FAQQuestionFactory, MemberProfilePageFactory
from .helpers import build_site, index_for_search

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TOKEN_QUERIES = 3


def publish_in_bulk(pages) -> None:
    """Publish through the pipeline service the page_published receiver calls, without
    Wagtail's revision machinery: 120 pages in seconds, the same stored documents."""
    for page in pages:
        services.item_publish(page=page)


@pytest.fixture(scope="module")
def big_site(django_db_setup, django_db_blocker):
    """The shared site plus 100 members, 12 FAQ sections and 12 versions of NASA."""
    with django_db_blocker.unblock(), transaction.atomic():
        site = build_site(Site.objects.get(is_default_site=True).root_page.specific)
        members = [
            MemberProfilePageFactory(parent=site.members_index, slug=f"agency-{n}", country="FR")
            for n in range(100)
        ]
        faqs = [FAQPageFactory(parent=site.faq_index, slug=f"faq-{n}") for n in range(10)]
        for faq in faqs:
            FAQQuestionFactory.create_batch(3, page=faq)
        publish_in_bulk(members + faqs + [site.nasa] * 11)
        index_for_search()
        yield site
        transaction.set_rollback(True)


def count_queries(client, url, django_assert_max_num_queries, budget: int) -> int:
    client.get(url)  # warm up: the token's last_used_at is written at most once a minute
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured)


LISTS = [
    # (url without limit, budget for an anonymous caller)
    ("/api/v1/members/?", 2),
    ("/api/v1/members/?country=FR&ordering=-joined&fields=title,acronym&", 2),
    ("/api/v1/faqs/?", 2),
    ("/api/v1/pages/?", 2),
    ("/api/v1/pages/?type=member&", 2),
    ("/api/v1/search/?q=agency&", 3),
    ("/api/v1/members/{nasa}/versions/?", 2),
    ("/api/v1/changes/?", 3),
]
# Token callers' extra queries on some lists: whether the token's user may see who published
# versions (Django's has_perm: the user's and their groups' permissions).
TOKEN_EXTRA = {"/api/v1/members/{nasa}/versions/?": 2}


@pytest.mark.parametrize("caller", ["anonymous", "member"])
@pytest.mark.parametrize(("url", "budget"), LISTS)
def test_lists_make_the_same_queries_at_limit_5_and_100(
    api_client, member_client, big_site, django_assert_max_num_queries, url, budget, caller
):
    client = api_client if caller == "anonymous" else member_client
    budget += TOKEN_QUERIES + TOKEN_EXTRA.get(url, 0) if caller == "member" else 0
    url = url.format(nasa=big_site.nasa.pk)

    small = count_queries(client, f"{url}limit=5", django_assert_max_num_queries, budget)
    large = count_queries(client, f"{url}limit=100", django_assert_max_num_queries, budget)

    assert small == large
    results = client.get(f"{url}limit=100").json()["results"]
    assert len(results) >= 12


DETAILS = [
    ("/api/v1/members/{nasa}/", 1),
    ("/api/v1/members/{nasa}/?fields=title", 1),
    ("/api/v1/roadmap-releases/{ger3}/", 1),
    ("/api/v1/faqs/{faq}/", 1),
    ("/api/v1/pages/{nasa}/", 1),
    ("/api/v1/pages/resolve/?path=/members/nasa/", 2),
    ("/api/v1/members/{nasa}/versions/3/", 2),
    ("/api/v1/members/{nasa}/?as_of=2099-01-01T00:00:00Z", 2),
]


@pytest.mark.parametrize("caller", ["anonymous", "member"])
@pytest.mark.parametrize(("url", "budget"), DETAILS)
def test_details_make_a_fixed_number_of_queries(
    api_client, member_client, big_site, django_assert_max_num_queries, url, budget, caller
):
    client = api_client if caller == "anonymous" else member_client
    budget += TOKEN_QUERIES if caller == "member" else 0
    url = url.format(nasa=big_site.nasa.pk, ger3=big_site.ger3.pk, faq=big_site.faq_isecg.pk)

    assert count_queries(client, url, django_assert_max_num_queries, budget) == budget


@pytest.mark.parametrize(("caller", "budget"), [("anonymous", 1), ("member", 3)])
def test_health_makes_one_query_and_the_token_lookup(
    api_client, member_client, big_site, django_assert_max_num_queries, caller, budget
):
    client = api_client if caller == "anonymous" else member_client

    assert count_queries(client, "/api/v1/health/", django_assert_max_num_queries, budget) == budget


def test_the_big_site_is_big(big_site):
    assert Page.objects.type(MemberProfilePageFactory._meta.model).live().count() >= 106
