"""Times on the frontend's preview pages are in the reader's time zone, in words: the API says
"expired at 2026-01-05T09:00:00Z", a reader in Tokyo reads 18:00 with the moment kept in
<time datetime>, never the raw ISO string."""

import datetime
import re

import pytest

from preview import services
from preview.models import ShareLink

from .test_preview_flow import loaded, local_only

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EXPIRED_AT = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def test_an_expired_share_link_says_when_in_the_readers_time_zone(browser, site, frontend, shoot):
    faq = site["faq"]
    link, token = services.share_link_create(
        page=faq,
        revision=faq.latest_revision,
        user=site["editor"],
        expires_in=datetime.timedelta(hours=1),
    )
    ShareLink.objects.filter(pk=link.pk).update(expires_at=EXPIRED_AT)
    context = local_only(
        browser.new_context(
            timezone_id="Asia/Tokyo", locale="en-GB", viewport={"width": 1100, "height": 800}
        )
    )
    guest = context.new_page()

    guest.goto(f"{frontend.url}/faq/isecg/?token={token}")
    loaded(guest)

    error = guest.locator(".preview-error")
    assert error.get_attribute("data-reason") == "expired"
    moment = error.locator("time")
    assert moment.get_attribute("datetime") == "2026-01-05T09:00:00Z"
    assert "5 January 2026" in moment.inner_text() and "18:00" in moment.inner_text()
    assert not ISO.search(guest.locator("main").inner_text())
    shoot(guest, "expired-link-local-time")
    context.close()
