"""The reference frontend as its readers meet it: real HTTP statuses, errors in words when the
API cannot be used, images that load, releases that say which edition they supersede, and a
menu button on phones. Headless Chromium against the live CMS and frontend/serve.py."""

import json
import re
import socket
import urllib.error
import urllib.request

import pytest

from content_models.models import MemberProfilePage, RoadmapReleasePage
from tests.helpers import make_image, publish

from .conftest import start_frontend

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # The live server commits; the migrations' data (site, groups, workflow) is restored after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TIMEOUT = 30_000
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def new_page(browser, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport)
    context.route(
        re.compile(r"^https?://(?!(localhost|127\.0\.0\.1)[:/]).*"), lambda route: route.abort()
    )
    context.set_default_timeout(TIMEOUT)
    return context.new_page()


def visit(page, url):
    page.goto(url)
    page.wait_for_selector("main[aria-busy=false]")
    return page


def http_get(url) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def api(live_server, path) -> dict:
    status, body = http_get(f"{live_server.url}{path}")
    assert status == 200, body
    return json.loads(body)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def media(settings, media_root):
    """Uploaded images, served by the live server as a web server would in production."""
    settings.ROOT_URLCONF = "tests.e2e.media_urls"
    return media_root


def test_unknown_paths_answer_404_with_the_not_found_page(site, frontend, live_server):
    members = api(live_server, "/api/v1/members/")["results"]

    for path in ("/", members[0]["url_path"], "/search/?q=roadmap"):
        status, _ = http_get(frontend.url + path)
        assert status == 200, path
    status, body = http_get(frontend.url + "/no-such-page/")

    assert status == 404
    assert "<h1>Page not found</h1>" in body
    assert "<title>Page not found · ISECG</title>" in body
    # A draft (preview token) is not for the public API to resolve: the page decides.
    assert http_get(frontend.url + "/no-such-page/?token=abc")[0] == 200


def test_an_unreachable_api_is_named_with_what_to_check(browser, tmp_path, shoot):
    api_url = f"http://127.0.0.1:{closed_port()}"
    frontend = start_frontend(api_url, tmp_path)
    try:
        page = visit(new_page(browser), frontend.url + "/")
    finally:
        frontend.stop()

    alert = page.locator(".api-error[role=alert]")
    assert alert.get_attribute("data-reason") == "unreachable"
    text = alert.inner_text()
    assert "The content API cannot be reached" in text
    assert api_url in text
    assert "CORS_ALLOWED_ORIGINS" in text and frontend.url in text
    assert "Failed to fetch" not in page.inner_text("body")
    shoot(page, "api-unreachable")


def test_an_api_refusing_the_origin_says_to_allow_it(
    browser, site, frontend, live_server, settings
):
    settings.CORS_ALLOWED_ORIGINS = ["https://www.example.org"]  # not the frontend's origin

    page = visit(new_page(browser), frontend.url + "/")

    alert = page.locator(".api-error[role=alert]")
    assert alert.get_attribute("data-reason") == "cors"
    text = alert.inner_text()
    assert "The content API refused this site" in text
    assert live_server.url in text
    assert f"Add {frontend.url} to the API's CORS_ALLOWED_ORIGINS" in " ".join(text.split())
    assert "Failed to fetch" not in page.inner_text("body")


def test_logos_and_covers_load_and_a_release_names_the_edition_it_supersedes(
    browser, site, frontend, live_server, media, shoot
):
    members = list(MemberProfilePage.objects.order_by("pk"))
    colors = ("navy", "teal", "olive", "purple", "gray", "orange")
    for member, color in zip(members, colors, strict=True):
        member.logo = make_image(f"{member.acronym} logo", size=(400, 200), color=color)
        publish(member)
    previous = RoadmapReleasePage.objects.get(edition_number=2)
    previous.edition_label = "Edition 2"
    previous.release_date_precision = "month"
    publish(previous)
    release = RoadmapReleasePage.objects.get(edition_number=3)
    release.cover_image = make_image("GER 3 cover", size=(300, 420), color="maroon")
    release = publish(release)
    members_path = api(live_server, "/api/v1/pages/resolve/?path=/")  # the home page
    members_index = next(
        p
        for p in api(live_server, f"/api/v1/pages/?child_of={members_path['id']}")["results"]
        if p["type"] == "members_index"
    )
    release_path = api(live_server, f"/api/v1/roadmap-releases/{release.pk}/")["url_path"]
    page = new_page(browser)
    image_status = {}
    page.on(
        "response", lambda r: image_status.update({r.url: r.status}) if "/media/" in r.url else None
    )

    visit(page, frontend.url + members_index["url_path"])
    logos = page.locator(".member-card img.logo")
    assert logos.count() == len(members)
    for i in range(logos.count()):
        logos.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=logos.nth(i).element_handle())
        assert logos.nth(i).evaluate("img => img.naturalWidth") > 0
    shoot(page, "member-logos")
    visit(page, frontend.url + release_path)
    cover = page.locator("img.cover")
    cover.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete", arg=cover.element_handle())
    assert cover.evaluate("img => img.naturalWidth") > 0
    assert " ".join(page.inner_text(".previous-release").split()) == (
        "Supersedes The Global Exploration Roadmap, second edition (Edition 2, August 2013)"
    )
    shoot(page, "release")

    assert len(image_status) == len(members) + 1  # the logos and the cover
    assert set(image_status.values()) == {200}


def test_on_a_phone_the_navigation_folds_behind_a_menu_button(browser, site, frontend, shoot):
    phone = visit(new_page(browser, PHONE), frontend.url + "/")
    button = phone.get_by_role("button", name="Menu")
    nav_links = phone.locator("#site-nav a")
    nav_links.first.wait_for(state="attached")

    assert button.is_visible()
    assert button.get_attribute("aria-controls") == "site-menu"
    assert button.get_attribute("aria-expanded") == "false"
    assert not nav_links.first.is_visible()
    assert not phone.locator(".site-search").is_visible()
    header = phone.locator(".site-header").bounding_box()
    assert header["height"] < 80  # one line: the site's name and the button
    shoot(phone, "phone-menu-closed")

    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert all(nav_links.nth(i).is_visible() for i in range(nav_links.count()))
    assert phone.locator(".site-search").is_visible()
    shoot(phone, "phone-menu-open")
    phone.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert not nav_links.first.is_visible()
    button.click()
    phone.get_by_role("link", name="FAQ", exact=False).first.click()  # navigating closes it
    phone.wait_for_url(re.compile(r"/faq"))
    assert button.get_attribute("aria-expanded") == "false"

    desktop = visit(new_page(browser, DESKTOP), frontend.url + "/")
    desktop.locator("#site-nav a").nth(1).wait_for()
    assert not desktop.get_by_role("button", name="Menu").is_visible()
    links = desktop.locator("#site-nav a")
    assert links.count() >= 4
    assert all(links.nth(i).is_visible() for i in range(links.count()))
    shoot(desktop, "desktop")
