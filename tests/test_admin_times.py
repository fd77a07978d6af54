"""Times on the admin screens are in the viewer's time zone (Account → Time zone in Wagtail),
named, with the exact moment in `<time datetime>`; never a raw ISO string, never "UTC" for a
time that is not."""

import datetime
import re

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from wagtail.users.models import UserProfile

from pipeline.webhooks.models import WebhookEndpoint
from preview import services as preview_services
from preview.models import ShareLink
from releases.models import ReleaseItem

from .factories import StandardPageFactory, UserFactory
from .release_support import release_of

MOMENT = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
IN_TOKYO = "5 Jan 2026, 6 p.m. JST"
IN_UTC = "5 Jan 2026, 9 a.m. UTC"
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def client_of(user, time_zone: str | None = None) -> Client:
    if time_zone:
        profile = UserProfile.get_for_user(user)
        profile.current_time_zone = time_zone
        profile.save()
    client = Client()
    client.force_login(user)
    return client


def times_on(response) -> list[tuple[str, str]]:
    """Every <time> of the page: (its datetime attribute, its text)."""
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    main = soup.find("main") or soup
    assert not ISO.search(main.get_text()), "a raw ISO date in the text"
    return [(t["datetime"], t.get_text()) for t in main.find_all("time")]


@pytest.fixture
def page(home):
    page = StandardPageFactory(parent=home, title="About", slug="about")
    page.save_revision().publish()
    return page


@pytest.fixture
def share_link(page, reviewer):
    link, _token = preview_services.share_link_create(
        page=page, revision=page.latest_revision, user=reviewer, expires_in=datetime.timedelta(1)
    )
    ShareLink.objects.filter(pk=link.pk).update(created_at=MOMENT)
    return link


@pytest.mark.parametrize(("time_zone", "shown"), [("Asia/Tokyo", IN_TOKYO), (None, IN_UTC)])
def test_share_links_are_listed_in_the_viewers_time_zone(reviewer, share_link, time_zone, shown):
    client = client_of(reviewer, time_zone)

    times = times_on(client.get(reverse("preview_share_links", args=[share_link.page_id])))

    assert (MOMENT.isoformat(), shown) in times


def test_the_revision_choices_of_a_share_link_are_in_the_viewers_time_zone(reviewer, page):
    page.revisions.update(created_at=MOMENT)
    client = client_of(reviewer, "Asia/Tokyo")

    html = client.get(reverse("preview_share_links", args=[page.pk])).content.decode()

    option = BeautifulSoup(html, "html.parser").select_one("select[name=revision] option")
    assert option.get_text().endswith(f"· {IN_TOKYO} · system")


def test_a_webhook_endpoints_page_shows_its_times_in_the_viewers_time_zone(db):
    admin = UserFactory(username="ops", is_superuser=True)
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.org/cms", last_attempt_at=MOMENT, last_success_at=MOMENT
    )
    client = client_of(admin, "Asia/Tokyo")

    response = client.get(reverse("webhookendpoint:deliveries", args=[endpoint.pk]))

    assert times_on(response).count((MOMENT.isoformat(), IN_TOKYO)) == 2
    assert "UTC" not in response.content.decode()


def test_the_release_screen_shows_its_times_in_the_viewers_time_zone(editor, page):
    release = release_of(page, approved=False)
    ReleaseItem.objects.filter(release=release).update(pinned_at=MOMENT)
    client = client_of(editor, "Asia/Tokyo")

    response = client.get(reverse("releases_screen", args=[release.pk]))

    assert (MOMENT.isoformat(), IN_TOKYO) in times_on(response)
