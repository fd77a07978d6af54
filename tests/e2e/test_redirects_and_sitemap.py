"""Editors' redirects reach readers of the reference frontend: typed URLs get the server's 301,
links inside the app are followed by its router; /sitemap.xml lists the public pages."""

import re

import pytest
from wagtail.contrib.redirects.models import Redirect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TIMEOUT = 30_000


def visitor(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    context.route(
        re.compile(r"^https?://(?!(localhost|127\.0\.0\.1)[:/]).*"), lambda route: route.abort()
    )
    context.set_default_timeout(TIMEOUT)
    return context.new_page()


def test_redirects_are_followed_and_the_sitemap_is_served(browser, frontend, site, shoot):
    Redirect.add_redirect("/old-faq", site["faq"], is_permanent=True)
    page = visitor(browser)

    response = page.goto(f"{frontend.url}/old-faq/")
    assert response.request.redirected_from.url == f"{frontend.url}/old-faq/"
    assert page.url == f"{frontend.url}/faq/isecg/"
    page.wait_for_selector("main[aria-busy=false]")
    assert page.locator("main h1").inner_text() == "ISECG"

    page.goto(f"{frontend.url}/")
    page.wait_for_selector("main[aria-busy=false]")
    page.evaluate(
        """() => {
          const link = document.createElement("a");
          link.href = "/old-faq/";
          link.id = "to-old-faq";
          link.textContent = "Old FAQ";
          document.getElementById("main").append(link);
        }"""
    )
    page.click("#to-old-faq")
    page.wait_for_url(f"{frontend.url}/faq/isecg/")
    page.wait_for_selector("main[aria-busy=false]")
    assert page.locator("main h1").inner_text() == "ISECG"
    shoot(page, "redirect-followed-in-app")

    sitemap = page.goto(f"{frontend.url}/sitemap.xml")
    assert sitemap.status == 200
    xml = sitemap.text()
    assert f"<loc>{frontend.url}/faq/isecg/</loc>" in xml
    assert "<lastmod>" in xml
