"""The admin's side of preview: Preview opens the frontend with a fresh token, the review screen
does too, and editors and reviewers make, list and revoke share links."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from wagtail.models import GroupPagePermission
from wagtail.test.utils.form_data import querydict_from_html, rich_text

from content_models.models import FAQPage
from preview import services, tokens
from preview.models import LivePreviewState, ShareLink, ShareLinkUse

from .factories import (
    FAQIndexPageFactory,
    FAQPageFactory,
    FAQQuestionFactory,
    StandardPageFactory,
    UserFactory,
)

OLD_ANSWER = "<p>The published answer.</p>"
NEW_ANSWER = "<p>The answer as the editor is typing it.</p>"


@pytest.fixture
def faq_index(home):
    index = FAQIndexPageFactory(parent=home)
    index.save_revision().publish()
    return index


@pytest.fixture
def faq(faq_index):
    section = FAQPageFactory(parent=faq_index, title="ISECG", slug="isecg")
    FAQQuestionFactory(page=section, question="What is ISECG?", answer=OLD_ANSWER)
    section.save_revision().publish()
    section.refresh_from_db()
    return section


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def editor_form(client, url, changes) -> dict:
    """The values a browser would post from the page editor at `url`, with `changes`."""
    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    for name, values in data.lists():
        data.setlist(name, [value.removeprefix("\n") for value in values])
    for name, value in changes.items():
        data[name] = value
    return data


def press_preview(client, edit_url, preview_url, changes):
    """Do what the Preview button does: post the form state, then open the preview."""
    posted = client.post(preview_url, editor_form(client, edit_url, changes))
    assert posted.json()["is_valid"], posted.json()
    return client.get(preview_url)


def token_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["token"][0]


def preview_api(client, token, **params):
    return client.get("/api/v1/preview/", {"token": token, **params})


def edit_urls(page):
    return (
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk]),
    )


# Preview in the editor ----------------------------------------------------------------------


@override_settings(FRONTEND_URL="http://frontend.test:8001")
def test_preview_opens_the_frontend_with_a_token_for_the_unsaved_edits(editor, faq):
    client = logged_in(editor)

    response = press_preview(client, *edit_urls(faq), {"questions-0-answer": rich_text(NEW_ANSWER)})

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("http://frontend.test:8001/faq/isecg/?token=")
    assert response["Cache-Control"].startswith("private")
    document = preview_api(client, token_of(location), id=faq.pk).json()
    assert "The answer as the editor is typing it." in document["questions"][0]["answer"]
    assert document["meta"]["kind"] == "live"
    assert document["meta"]["revision_id"] == faq.latest_revision_id
    assert client.get(f"/api/v1/faqs/{faq.pk}/").json()["questions"][0]["answer"] == OLD_ANSWER


def test_each_refresh_of_the_live_preview_gets_its_own_token_and_state(editor, faq):
    client = logged_in(editor)
    first = token_of(press_preview(client, *edit_urls(faq), {"title": "First"})["Location"])
    second = token_of(press_preview(client, *edit_urls(faq), {"title": "Second"})["Location"])

    assert first != second
    assert preview_api(client, first).json()["title"] == "First"
    assert preview_api(client, second).json()["title"] == "Second"
    assert LivePreviewState.objects.count() == 2
    assert not LivePreviewState.objects.filter(token_hash__in=[first, second]).exists()


@override_settings(PREVIEW_LIVE_TTL=90)
def test_live_preview_tokens_expire_after_preview_live_ttl(editor, faq):
    client = logged_in(editor)
    token = token_of(press_preview(client, *edit_urls(faq), {})["Location"])

    state = LivePreviewState.objects.get()
    lifetime = state.expires_at - timezone.now()
    assert datetime.timedelta(seconds=80) < lifetime <= datetime.timedelta(seconds=90)
    assert tokens.token_read(token).expires_at == state.expires_at
    LivePreviewState.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert preview_api(client, token).json()["reason"] == "expired"


def test_expired_live_previews_are_deleted_when_new_ones_are_made(editor, faq):
    client = logged_in(editor)
    press_preview(client, *edit_urls(faq), {})
    LivePreviewState.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    press_preview(client, *edit_urls(faq), {})

    assert LivePreviewState.objects.count() == 1


def test_preview_of_a_new_page_that_was_never_saved(editor, faq_index, api_client):
    client = logged_in(editor)
    meta = FAQPage._meta
    args = [meta.app_label, meta.model_name, faq_index.pk]
    add_url = reverse("wagtailadmin_pages:add", args=args)
    preview_url = reverse("wagtailadmin_pages:preview_on_add", args=args)
    changes = {
        "title": "Roadmap questions",
        "slug": "roadmap-questions",
        "questions-TOTAL_FORMS": "1",
        "questions-0-question": "When is the next edition?",
        "questions-0-answer": rich_text("<p>Soon.</p>"),
        "questions-0-anchor": "",
        "questions-0-ORDER": "1",
        "questions-0-DELETE": "",
        "questions-0-id": "",
    }

    response = press_preview(client, add_url, preview_url, changes)

    assert response.status_code == 302
    assert "/faq/roadmap-questions/?token=" in response["Location"]
    document = preview_api(api_client, token_of(response["Location"])).json()
    assert document["id"] is None
    assert document["type"] == "faq"
    assert document["title"] == "Roadmap questions"
    assert document["parent_id"] == faq_index.pk
    assert "Soon." in document["questions"][0]["answer"]
    assert not FAQPage.objects.filter(slug="roadmap-questions").exists()


# Wagtail's own permission checks stay in front of preview -------------------------------------


@pytest.fixture
def outsider(faq_index, home):
    """An admin user who may edit another section of the site only (not the FAQ)."""
    group = Group.objects.create(name="Other section editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group,
        page=StandardPageFactory(parent=home, title="Other section"),
        permission=Permission.objects.get(codename="change_page"),
    )
    return UserFactory(username="outsider", groups=["Other section editors"])


def test_editor_without_edit_access_cannot_preview_a_page(outsider, faq):
    client = logged_in(outsider)
    _edit, preview_url = edit_urls(faq)

    posted = client.post(preview_url, {"title": "Hijack"})
    opened = client.get(preview_url)
    draft = client.get(reverse("wagtailadmin_pages:view_draft", args=[faq.pk]))
    sharing = client.get(reverse("preview_share_links", args=[faq.pk]))

    assert posted.status_code in (302, 403)
    assert opened.status_code in (302, 403)
    assert draft.status_code in (302, 403)
    assert sharing.status_code in (302, 403)
    for response in (posted, opened, draft):
        assert "token=" not in response.get("Location", "")
    assert not LivePreviewState.objects.exists()


def test_anonymous_visitor_cannot_open_the_admin_preview(faq):
    _edit, preview_url = edit_urls(faq)

    response = Client().get(preview_url)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not LivePreviewState.objects.exists()


# The review screen ---------------------------------------------------------------------------


def submit_for_review(page, user):
    page.get_latest_revision_as_object().save_revision(user=user)
    page.refresh_from_db()
    page.get_workflow().start(page, user)
    page.refresh_from_db()
    return page.current_workflow_task_state


def test_review_screen_preview_opens_the_frontend_with_the_revision_in_review(
    editor, reviewer, faq
):
    task_state = submit_for_review(faq, editor)
    client = logged_in(reviewer)

    response = client.get(
        reverse("wagtailadmin_pages:workflow_preview", args=[faq.pk, task_state.task_id])
    )

    assert response.status_code == 302
    document = preview_api(client, token_of(response["Location"])).json()
    assert document["meta"]["revision_id"] == task_state.revision_id


def test_dashboard_offers_share_links_for_drafts_in_review(editor, reviewer, faq):
    submit_for_review(faq, editor)

    dashboard = logged_in(reviewer).get(reverse("wagtailadmin_home")).content.decode()

    assert "Share drafts in review" in dashboard
    assert reverse("preview_share_links", args=[faq.pk]) in dashboard


# Share links ---------------------------------------------------------------------------------


def share_links_url(page):
    return reverse("preview_share_links", args=[page.pk])


def test_page_header_offers_share_links(editor, faq):
    edit = logged_in(editor).get(reverse("wagtailadmin_pages:edit", args=[faq.pk]))

    assert share_links_url(faq) in edit.content.decode()


def test_reviewer_creates_a_share_link_for_the_revision_in_review(editor, reviewer, faq):
    task_state = submit_for_review(faq, editor)
    client = logged_in(reviewer)
    form = client.get(share_links_url(faq))
    assert form.context["form"]["revision"].initial == task_state.revision_id

    response = client.post(
        share_links_url(faq),
        {"revision": task_state.revision_id, "expires_in_hours": 24, "label": "Agency comms"},
    )

    assert response.status_code == 302
    assert response.url == share_links_url(faq)
    shown = client.get(response.url)
    url = shown.context["new_link_url"]
    assert url.startswith("http://127.0.0.1:8001/faq/isecg/?token=")
    token = token_of(url)
    link = ShareLink.objects.get()
    assert link.revision_id == task_state.revision_id
    assert link.created_by == reviewer
    assert link.label == "Agency comms"
    assert link.token_hash == tokens.token_hash(token)
    assert (
        datetime.timedelta(hours=23)
        < link.expires_at - timezone.now()
        <= datetime.timedelta(hours=24)
    )
    assert escape(url) in shown.content.decode()
    assert token_of(url).split(":")[-1] not in client.get(share_links_url(faq)).content.decode()
    assert preview_api(Client(), token).json()["meta"]["kind"] == "share"


def test_creating_a_share_link_redirects_and_shows_it_once_with_a_copy_button(editor, faq):
    client = logged_in(editor)

    created = client.post(
        share_links_url(faq), {"revision": faq.latest_revision_id, "expires_in_hours": 24}
    )

    assert created.status_code == 302
    assert created.url == share_links_url(faq)
    first = client.get(created.url)
    page = first.content.decode()
    url = first.context["new_link_url"]
    assert 'id="share-link-url"' in page and f'value="{escape(url)}"' in page
    assert 'data-action="w-clipboard#copy"' in page
    assert "no-store" in first["Cache-Control"]
    reload = client.get(created.url)
    assert "new_link_url" not in reload.context
    assert token_of(url) not in reload.content.decode()
    assert 'id="share-link-url"' not in reload.content.decode()
    assert ShareLink.objects.count() == 1


def test_a_new_share_link_is_shown_only_on_its_own_pages_list(editor, faq, faq_index):
    client = logged_in(editor)
    client.post(share_links_url(faq), {"revision": faq.latest_revision_id, "expires_in_hours": 1})

    elsewhere = client.get(share_links_url(faq_index))

    assert "new_link_url" not in elsewhere.context
    assert "new_link_url" in client.get(share_links_url(faq)).context


def test_share_link_expiry_is_capped_by_preview_share_max_ttl(editor, faq):
    client = logged_in(editor)

    response = client.post(
        share_links_url(faq), {"revision": faq.latest_revision_id, "expires_in_hours": 24 * 30}
    )

    assert response.status_code == 400
    assert "expires_in_hours" in response.context["form"].errors
    assert not ShareLink.objects.exists()
    with pytest.raises(ValidationError, match="at most 7 days"):
        services.share_link_create(
            page=faq,
            revision=faq.latest_revision,
            user=editor,
            expires_in=datetime.timedelta(days=8),
        )


@override_settings(PREVIEW_SHARE_MAX_TTL=2 * 3600)
def test_share_link_durations_follow_the_configured_maximum(editor, faq):
    form = logged_in(editor).get(share_links_url(faq)).context["form"]

    assert [hours for hours, _ in form.fields["expires_in_hours"].choices] == [1, 2]


def test_share_link_for_a_revision_of_another_page_is_refused(editor, faq, faq_index):
    with pytest.raises(ValidationError, match="not a revision of page"):
        services.share_link_create(
            page=faq,
            revision=faq_index.latest_revision,
            user=editor,
            expires_in=datetime.timedelta(hours=1),
        )


def test_share_links_are_listed_with_their_use_log_and_can_be_revoked(editor, faq):
    link, token = services.share_link_create(
        page=faq, revision=faq.latest_revision, user=editor, expires_in=datetime.timedelta(days=1)
    )
    preview_api(Client(REMOTE_ADDR="203.0.113.7"), token)
    client = logged_in(editor)

    listing = client.get(share_links_url(faq)).content.decode()
    assert "203.0.113.7" in listing
    assert f'data-share-link="{link.pk}"' in listing

    revoked = client.post(reverse("preview_share_link_revoke", args=[link.pk]))

    assert revoked.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert link.revoked_by == editor
    assert preview_api(Client(), token).json()["reason"] == "revoked"
    assert list(ShareLinkUse.objects.values_list("outcome", flat=True)) == ["revoked", "served"]


def test_only_people_who_may_share_the_page_may_revoke_its_links(editor, outsider, faq):
    link, _token = services.share_link_create(
        page=faq, revision=faq.latest_revision, user=editor, expires_in=datetime.timedelta(days=1)
    )

    response = logged_in(outsider).post(reverse("preview_share_link_revoke", args=[link.pk]))

    assert response.status_code in (302, 403)
    link.refresh_from_db()
    assert link.revoked_at is None
