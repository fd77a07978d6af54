"""Reviewers see the real thing: the admin's preview, share links and the review workflow, in a
real headless Chromium, against the live CMS and the reference frontend."""

import datetime
import re

import pytest
from django.utils import timezone

from preview import services
from preview.models import ShareLink

from .conftest import NEW_ANSWER, OLD_ANSWER, PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # The live server commits; the migrations' data (site, groups, workflow) is restored after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TIMEOUT = 30_000


def local_only(context):
    """Abort any request that would leave this machine (the tests talk to loopback only)."""
    context.route(
        re.compile(r"^https?://(?!(localhost|127\.0\.0\.1)[:/]).*"), lambda route: route.abort()
    )
    context.set_default_timeout(TIMEOUT)
    return context


def log_in(browser, live_server, username):
    context = local_only(browser.new_context(viewport={"width": 1280, "height": 900}))
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def visitor(browser):
    """A browser with no admin session: the public, or a reviewer given a share link."""
    context = local_only(browser.new_context(viewport={"width": 1100, "height": 800}))
    return context.new_page()


def loaded(page):
    page.wait_for_selector("main[aria-busy=false]")
    return page


def answer_editor(page):
    return page.locator(
        "[data-field-wrapper]:has(#id_questions-0-answer) .public-DraftEditor-content"
    )


def type_answer(page, text, *, replace=True):
    """Type into the first answer's rich-text editor, as a person would."""
    answer_editor(page).click()
    page.keyboard.press("Control+A" if replace else "End")
    page.keyboard.type(text)
    # Draftail copies its state into the form's hidden input a moment after the last keystroke.
    page.wait_for_function(
        "text => document.querySelector('#id_questions-0-answer').value.includes(text)",
        arg=text.strip(),
    )


def open_edit(page, live_server, faq):
    page.goto(f"{live_server.url}/admin/pages/{faq.pk}/edit/")
    answer_editor(page).wait_for()


def test_editor_previews_unsaved_edits_in_the_frontend_while_the_public_sees_the_old_answer(
    browser, site, frontend, live_server, shoot
):
    faq = site["faq"]
    editor = log_in(browser, live_server, "editor")
    open_edit(editor, live_server, faq)
    type_answer(editor, NEW_ANSWER)

    editor.click('button[data-side-panel-toggle="preview"]')
    panel = editor.frame_locator("#w-preview-iframe")
    panel.locator("#preview-banner").wait_for(state="visible")
    panel.get_by_text(NEW_ANSWER).wait_for()
    assert "Preview" in panel.locator("#preview-banner").text_content()
    shoot(editor, "admin-live-preview-panel")

    # The panel follows the editor's typing.
    type_answer(editor, " Updated as you type.", replace=False)
    panel.get_by_text("Updated as you type.").wait_for()
    shoot(editor, "admin-live-preview-updated")

    preview_url = next(f.url for f in editor.frames if f.url.startswith(frontend.url))
    assert "?token=" in preview_url
    tab = visitor(browser)
    tab.goto(preview_url)
    loaded(tab)
    banner = tab.locator("#preview-banner")
    assert banner.is_visible()
    shown = re.search(r"revision (\d+)", " ".join(banner.text_content().split()))
    assert faq.revisions.filter(pk=int(shown.group(1))).exists()  # (autosave makes revisions)
    assert "expires" in banner.text_content()
    assert "Updated as you type." in tab.locator("main").inner_text()
    shoot(tab, "frontend-preview-in-new-tab")

    public = visitor(browser)
    public.goto(f"{frontend.url}/faq/isecg/#what-is-isecg")
    loaded(public)
    assert OLD_ANSWER in public.locator("main").inner_text()
    assert NEW_ANSWER not in public.content()
    assert not public.locator("#preview-banner").is_visible()
    shoot(public, "public-frontend-still-old")


def test_reviewer_opens_a_share_link_approves_and_the_public_frontend_updates(
    browser, site, frontend, live_server, shoot
):
    faq = site["faq"]
    editor = log_in(browser, live_server, "editor")
    open_edit(editor, live_server, faq)
    type_answer(editor, NEW_ANSWER)
    editor.locator("footer [data-w-dropdown-target=toggle]").last.click()
    editor.click("button[name=action-submit]")
    editor.locator(".messages").get_by_text(re.compile("submitted", re.I)).first.wait_for()
    shoot(editor, "editor-submitted-for-review")
    editor.context.close()  # the editor is done; their tab's autosave and pings stop

    reviewer = log_in(browser, live_server, "reviewer")
    panel = reviewer.locator("#review-share-links-table")
    assert "ISECG" in panel.inner_text()
    shoot(reviewer, "reviewer-dashboard")
    panel.get_by_role("link", name="Share links").click()
    reviewer.select_option("#id_expires_in_hours", "24")
    reviewer.fill("#id_label", "Agency communications team")
    reviewer.click("#share-link-form button[type=submit]")
    link_url = reviewer.input_value("#share-link-url")
    assert link_url.startswith(f"{frontend.url}/faq/isecg/?token=")
    shoot(reviewer, "reviewer-share-link-created")

    guest = visitor(browser)
    guest.goto(link_url)
    loaded(guest)
    assert guest.locator("#preview-banner").is_visible()
    assert "Share link" in guest.locator("#preview-banner").text_content()
    assert NEW_ANSWER in guest.locator("main").inner_text()
    shoot(guest, "share-link-shows-the-draft")

    reviewer.goto(f"{live_server.url}/admin/pages/{faq.pk}/edit/")
    reviewer.locator("footer [data-w-dropdown-target=toggle]").last.click()
    reviewer.locator(
        "button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
    ).first.click()
    reviewer.locator(".messages").get_by_text(
        re.compile("updated|approved|published", re.I)
    ).first.wait_for()
    shoot(reviewer, "reviewer-approved-and-published")

    public = visitor(browser)
    public.goto(f"{frontend.url}/faq/isecg/")
    loaded(public)
    assert NEW_ANSWER in public.locator("main").inner_text()
    assert not public.locator("#preview-banner").is_visible()
    shoot(public, "public-frontend-shows-the-new-answer")

    reviewer.goto(f"{live_server.url}/admin/preview/pages/{faq.pk}/share-links/")
    uses = reviewer.locator("#share-links").inner_text()
    assert "Agency communications team" in uses
    reviewer.locator("#share-links details summary").first.click()
    assert "127.0.0.1" in reviewer.locator("#share-links").inner_text()
    shoot(reviewer, "share-link-use-log")


def test_revoked_and_expired_links_show_an_error_page_not_the_draft(
    browser, site, frontend, live_server, shoot
):
    faq = site["faq"]
    draft = faq.get_latest_revision_as_object()
    draft.questions.all()[0].answer = f"<p>{NEW_ANSWER}</p>"
    revision = draft.save_revision(user=site["editor"])
    faq.refresh_from_db()

    reviewer = log_in(browser, live_server, "reviewer")
    reviewer.goto(f"{live_server.url}/admin/preview/pages/{faq.pk}/share-links/")
    reviewer.fill("#id_label", "To be revoked")
    reviewer.click("#share-link-form button[type=submit]")
    revoked_url = reviewer.input_value("#share-link-url")
    reviewer.locator("#share-links button", has_text="Revoke").first.click()
    reviewer.get_by_text("revoked", exact=False).first.wait_for()
    assert "revoked" in reviewer.locator("#share-links").inner_text()
    shoot(reviewer, "admin-link-revoked")

    guest = visitor(browser)
    guest.goto(revoked_url)
    loaded(guest)
    error = guest.locator(".preview-error")
    assert error.get_attribute("data-reason") == "revoked"
    assert "This preview link was revoked" in error.inner_text()
    assert NEW_ANSWER not in guest.content()
    assert not guest.locator("#preview-banner").is_visible()
    shoot(guest, "revoked-link-error-page")

    _link, token = services.share_link_create(
        page=faq, revision=revision, user=site["editor"], expires_in=datetime.timedelta(hours=1)
    )
    ShareLink.objects.filter(revoked_at__isnull=True).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    guest.goto(f"{frontend.url}/faq/isecg/?token={token}")
    loaded(guest)
    assert guest.locator(".preview-error").get_attribute("data-reason") == "expired"
    assert "This preview link has expired" in guest.locator("main").inner_text()
    assert NEW_ANSWER not in guest.content()
    shoot(guest, "expired-link-error-page")

    guest.goto(f"{frontend.url}/faq/isecg/?token={token[:-4]}AAAA")
    loaded(guest)
    assert guest.locator(".preview-error").get_attribute("data-reason") == "invalid"
    shoot(guest, "tampered-link-error-page")


def test_frontend_pages_render_from_the_public_api_and_tokens_stay_out_of_its_log(
    browser, site, frontend, live_server, shoot
):
    page = visitor(browser)
    page.goto(f"{frontend.url}/")
    loaded(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert page.locator("header").count() and page.locator("main").count()
    assert page.locator("footer").count() and page.locator("nav[aria-label=Main]").count()
    shoot(page, "home")

    page.get_by_role("link", name="Members").first.click()
    loaded(page)
    page.select_option("#filter-iss", "true")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/members/?iss_partner=true")
    loaded(page)
    listed = page.locator(".member-list").inner_text()
    assert page.locator(".member-card").count() == 4  # NASA, ESA, JAXA, CSA; not UKSA, KARI
    assert "NASA" in listed and "UKSA" not in listed
    shoot(page, "members-iss-partners")

    page.goto(f"{frontend.url}/faq/isecg/#who-are-the-members")
    loaded(page)
    assert page.evaluate("document.activeElement.id") == "who-are-the-members"
    page.goto(f"{frontend.url}/roadmap/")
    loaded(page)
    timeline = page.locator(".timeline").inner_text()
    assert "The Global Exploration Roadmap, third edition" in timeline
    assert "1 January 2018" in timeline and "Supplement August 2020" in timeline
    shoot(page, "roadmap-timeline")

    page.goto(f"{frontend.url}/no/such/page/")
    loaded(page)
    assert page.locator("main").get_attribute("data-status") == "404"

    _link, token = services.share_link_create(
        page=site["faq"],
        revision=site["faq"].latest_revision,
        user=site["editor"],
        expires_in=datetime.timedelta(hours=1),
    )
    page.goto(f"{frontend.url}/faq/isecg/?token={token}")
    loaded(page)
    assert page.locator("#preview-banner").is_visible()
    assert token not in frontend.output()
    assert "token=[redacted]" in frontend.output()
