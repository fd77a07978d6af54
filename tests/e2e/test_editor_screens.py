"""The editors' screens in a real browser: the dashboard's "Your work" panel, FAQ questions
headed by their text (also while typing a new one), and the share link's copy button."""

import pytest

from .test_preview_flow import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_editor_sees_their_work_names_questions_and_copies_a_share_link(
    browser, site, live_server, shoot
):
    faq = site["faq"]
    draft = faq.get_latest_revision_as_object()
    draft.title = "ISECG (draft)"
    draft.save_revision(user=site["editor"])

    editor = log_in(browser, live_server, "editor")
    panel = editor.locator("#editor-dashboard")
    assert panel.get_attribute("data-role") == "editor"
    assert "ISECG (draft)" in panel.locator("#dashboard-drafts").inner_text()
    assert editor.locator("#dashboard-howto li").count() == 5
    shoot(editor, "editor-dashboard")

    editor.goto(f"{live_server.url}/admin/pages/{faq.pk}/edit/")
    headings = editor.locator("#id_questions-FORMS [data-inline-panel-child-summary]")
    assert headings.all_inner_texts() == [
        "What is ISECG?",
        "Who are the members?",
        "How often do they meet?",
    ]
    editor.click("#id_questions-ADD")
    new_question = editor.locator("#id_questions-3-question")
    new_question.fill("When was ISECG founded?")
    assert headings.nth(3).inner_text() == "When was ISECG founded?"
    shoot(editor, "faq-questions-headed-by-their-text")

    editor.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    editor.goto(f"{live_server.url}/admin/preview/pages/{faq.pk}/share-links/")
    editor.click("#share-link-form button[type=submit]")
    url = editor.input_value("#share-link-url")
    assert "?token=" in url
    editor.click("#copy-share-link")
    editor.get_by_text("Copied to clipboard").wait_for()
    assert editor.evaluate("navigator.clipboard.readText()") == url
    shoot(editor, "share-link-created-once")
    editor.reload()
    assert editor.locator("#share-link-url").count() == 0
