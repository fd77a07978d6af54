"""Redirects editors manage (Wagtail's redirects module) reach frontends through `resolve`."""

import pytest
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Site

from .helpers import assert_problem, fresh

pytestmark = pytest.mark.django_db

RESOLVE = "/api/v1/pages/resolve/"


def resolve(client, path: str, **headers):
    return client.get(RESOLVE, {"path": path}, **headers)


def test_a_permanent_redirect_to_a_page_answers_its_current_frontend_path(api_client, site):
    Redirect.add_redirect("/old-faq", site.faq_isecg, is_permanent=True)
    response = resolve(api_client, "/old-faq/")
    assert response.status_code == 200
    assert response.json() == {
        "type": "redirect",
        "status": 301,
        "permanent": True,
        "location": "/faq/isecg/",
    }
    # the target moves: the redirect follows it
    page = fresh(site.faq_isecg)
    page.slug = "about-isecg"
    page.save_revision().publish()
    assert resolve(api_client, "/old-faq/").json()["location"] == "/faq/about-isecg/"


def test_a_temporary_redirect_to_an_external_url(api_client, site):
    Redirect.add_redirect("/gateway", "https://www.nasa.gov/gateway/", is_permanent=False)
    body = resolve(api_client, "/gateway/").json()
    assert body == {
        "type": "redirect",
        "status": 302,
        "permanent": False,
        "location": "https://www.nasa.gov/gateway/",
    }


def test_a_site_redirect_wins_over_an_all_sites_one(api_client, site):
    Redirect.add_redirect("/news", "https://all.example/", site=None)
    Redirect.add_redirect("/news", site.members_index, site=Site.objects.get(is_default_site=True))
    assert resolve(api_client, "/news").json()["location"] == "/members/"


def test_a_live_page_wins_over_a_redirect(api_client, site):
    Redirect.add_redirect("/members/nasa", "https://elsewhere.example/")
    body = resolve(api_client, "/members/nasa/").json()
    assert body["type"] == "member" and body["id"] == site.nasa.pk


def test_a_members_only_page_is_not_redirected_away_from(api_client, site):
    Redirect.add_redirect("/private-area", "https://elsewhere.example/")
    assert_problem(resolve(api_client, "/private-area/"), 404)


def test_a_redirect_to_an_unpublished_page_leads_nowhere(api_client, site):
    Redirect.add_redirect("/old-esa", site.esa)
    fresh(site.esa).unpublish()
    assert_problem(resolve(api_client, "/old-esa/"), 404)


def test_no_page_and_no_redirect_is_still_a_404(api_client, site):
    assert_problem(resolve(api_client, "/nowhere/"), 404)


def test_a_redirect_answer_revalidates(api_client, site):
    Redirect.add_redirect("/old-faq", site.faq_isecg)
    first = resolve(api_client, "/old-faq/")
    assert first["ETag"] and first["Cache-Control"].startswith("public")
    assert resolve(api_client, "/old-faq/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    Redirect.objects.all().delete()
    assert resolve(api_client, "/old-faq/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404
