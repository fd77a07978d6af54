"""A release, previewed as a whole site in the reference frontend, approved and published at once,
in a real headless Chromium against the live CMS and the reference frontend."""

import datetime
import re

import pytest

from content_models.models import MemberProfilePage, RoadmapIndexPage, RoadmapReleasePage
from releases import previews, services
from releases.models import Release

from .conftest import NEW_ANSWER, OLD_ANSWER
from .test_preview_flow import loaded, log_in, visitor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # The live server commits; the migrations' data (site, groups, workflow) is restored after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_NAME = "NASA, the United States space agency"
NEW_EDITION = "The Global Exploration Roadmap, fourth edition"


@pytest.fixture
def release(site):
    """Three drafts in one release, submitted for review: the FAQ's new answer, NASA's new name
    and a fourth edition, never published, naming NASA."""
    editor = site["editor"]
    faq = site["faq"].get_latest_revision_as_object()
    questions = list(faq.questions.all())
    questions[0].answer = f"<p>{NEW_ANSWER}</p>"
    faq.questions = questions
    faq.save_revision(user=editor)
    nasa = MemberProfilePage.objects.get(acronym="NASA")
    nasa.title = NEW_NAME
    nasa.save_revision(user=editor)
    ger4 = RoadmapReleasePage(
        title=NEW_EDITION,
        slug="ger-4",
        kind="edition",
        edition_number=4,
        edition_label="Edition 4",
        release_date=datetime.date(2024, 6, 1),
        summary="The fourth edition.",
        previous_release=RoadmapReleasePage.objects.get(edition_number=3),
        live=False,
    )
    RoadmapIndexPage.objects.get().add_child(instance=ger4)
    ger4.contributing_agencies.set([nasa])
    ger4.save_revision(user=editor)
    release = services.release_create(title="GER 4 launch", owner=editor)
    for page in (site["faq"], nasa, ger4):
        services.release_item_add(release=release, page=page, user=editor)
    release.get_workflow().start(release, editor)
    return Release.objects.get(pk=release.pk)


def text_of(page) -> str:
    return page.locator("main").inner_text()


def test_a_reviewer_browses_the_release_in_the_frontend_approves_and_it_goes_live_at_once(
    browser, site, release, frontend, live_server, shoot
):
    assert release.status == Release.Status.IN_REVIEW
    _link, token = previews.release_share_link_create(
        release=release,
        user=site["reviewer"],
        expires_in=datetime.timedelta(days=2),
        label="Reviewers",
    )
    share_url = previews.frontend_release_url(token=token)
    assert share_url.startswith(f"{frontend.url}/?release_token=")

    # The reviewer opens the share link: the whole site, as the release would leave it.
    guest = visitor(browser)
    guest.goto(share_url)
    loaded(guest)
    banner = guest.locator("#preview-banner")
    assert banner.is_visible() and "GER 4 launch" in banner.inner_text()
    shoot(guest, "release-preview-home")

    guest.get_by_role("link", name="Global Exploration Roadmap").first.click()
    loaded(guest)
    assert "release_token=" in guest.url
    assert NEW_EDITION in guest.locator(".timeline").inner_text()
    shoot(guest, "release-preview-roadmap-timeline")

    guest.locator(".timeline").get_by_role("link", name=NEW_EDITION).click()
    guest.wait_for_url(re.compile(r".*/roadmap/ger-4/\?release_token="))
    loaded(guest)
    assert "Edition 4" in text_of(guest) and banner.is_visible()
    shoot(guest, "release-preview-new-edition")

    guest.locator("main").get_by_role("link", name="NASA").click()
    guest.wait_for_url(re.compile(r".*/members/.+\?release_token="))
    loaded(guest)
    assert guest.locator("main h1").inner_text() == NEW_NAME
    shoot(guest, "release-preview-renamed-member")

    guest.get_by_role("link", name="FAQ").first.click()
    loaded(guest)
    guest.locator("main").get_by_role("link", name="ISECG").first.click()
    loaded(guest)
    assert NEW_ANSWER in text_of(guest) and "release_token=" in guest.url
    shoot(guest, "release-preview-faq")

    # Meanwhile the public site shows none of it.
    public = visitor(browser)
    public.goto(f"{frontend.url}/faq/isecg/")
    loaded(public)
    assert OLD_ANSWER in text_of(public) and not public.locator("#preview-banner").is_visible()

    # The reviewer approves the release in the admin, then publishes it.
    reviewer = log_in(browser, live_server, "reviewer")
    reviewer.goto(f"{live_server.url}/admin/snippets/releases/release/edit/{release.pk}/")
    reviewer.locator("footer [data-w-dropdown-target=toggle]").last.click()
    reviewer.locator(
        "button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
    ).first.click()
    reviewer.locator(".messages").get_by_text(re.compile("approved|updated", re.I)).first.wait_for()
    assert Release.objects.get(pk=release.pk).status == Release.Status.APPROVED
    shoot(reviewer, "reviewer-approved-the-release")

    reviewer.goto(f"{live_server.url}/admin/releases/{release.pk}/")
    assert "Up to date" in reviewer.locator("#release-items").inner_text()
    reviewer.click("#release-publish-now")
    reviewer.locator(".messages").get_by_text(re.compile("is live", re.I)).first.wait_for()
    assert reviewer.locator("#release-status").get_attribute("data-status") == "published"
    shoot(reviewer, "reviewer-published-the-release")

    # The public frontend shows all three changes.
    public.goto(f"{frontend.url}/roadmap/")
    loaded(public)
    assert NEW_EDITION in public.locator(".timeline").inner_text()
    public.goto(f"{frontend.url}/roadmap/ger-4/")
    loaded(public)
    assert "NASA" in text_of(public)
    public.get_by_role("link", name="NASA").click()
    loaded(public)
    assert public.locator("main h1").inner_text() == NEW_NAME
    public.goto(f"{frontend.url}/faq/isecg/")
    loaded(public)
    assert NEW_ANSWER in text_of(public) and not public.locator("#preview-banner").is_visible()
    shoot(public, "public-frontend-after-the-release")

    # The share link no longer previews anything; its uses were logged.
    guest.goto(share_url)
    loaded(guest)
    assert guest.locator(".preview-error").get_attribute("data-reason") == "closed"
    assert token not in frontend.output()
    reviewer.goto(f"{live_server.url}/admin/releases/{release.pk}/share-links/")
    reviewer.locator("#share-links details summary").first.click()
    assert "/api/v1/pages/resolve/" in reviewer.locator("#share-links").inner_text()
