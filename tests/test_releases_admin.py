"""Releases in the admin, through its real views: an editor builds a release of three changed
pages and submits it; only reviewers approve, publish and schedule; the worker publishes it at
its go-live time. And the release screen's conflicts, re-pinning and confirming."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import querydict_from_html, rich_text

from content_models.models import RoadmapReleasePage
from releases import services
from releases.models import Release
from releases.scheduling import releases_publish_due

from .admin_forms import create_page, edit_page, edit_url
from .helpers import edit, fresh
from .release_support import NEW_ANSWER, NEW_NAME, draft, release_of

pytestmark = pytest.mark.django_db

SNIPPETS = "wagtailsnippets_releases_release"
EDITOR_FORM = "w-editor-form"
DENIED = "Sorry, you do not have permission to access this area."


def snippet_form(client, url, changes=None, action=None):
    """Load a snippet editor, apply `changes` and post it with the button `action-<action>`."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = querydict_from_html(page.content.decode(), form_id=EDITOR_FORM)
    for name, value in (changes or {}).items():
        data[name] = value
    if action:
        data[f"action-{action}"] = "1"
    return client.post(url, data)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def screen(release) -> str:
    return reverse("releases_screen", args=[release.pk])


def act(release, name) -> str:
    return reverse(f"releases_{name}", args=[release.pk])


def workflow_action(release, action) -> str:
    task_state = Release.objects.get(pk=release.pk).current_workflow_task_state
    return reverse(f"{SNIPPETS}:workflow_action", args=[release.pk, action, task_state.pk])


def denied(response) -> bool:
    """Wagtail answers a PermissionDenied in the admin with a redirect to the dashboard."""
    assert response.status_code == 302, response.status_code
    assert response.url == reverse("wagtailadmin_home"), response.url
    return any("permission" in message for message in messages_of(response))


NEW_EDITION = {
    "title": "The Global Exploration Roadmap, fourth edition",
    "slug": "ger-4",
    "kind": "edition",
    "edition_number": "4",
    "edition_label": "Edition 4",
    "release_date": "2024-06-01",
    "summary": "The fourth edition.",
}


def test_editor_builds_and_submits_a_release_reviewer_approves_and_schedules_worker_publishes(
    site, editor_client, reviewer_client, api_client
):
    s = site
    # The editor drafts three changes in the page editor: nothing of them is live.
    answer = {"questions-0-answer": rich_text(NEW_ANSWER)}
    assert edit_page(editor_client, s.faq_isecg, answer).status_code == 302
    assert edit_page(editor_client, s.nasa, {"title": NEW_NAME}).status_code == 302
    new_edition = {**NEW_EDITION, "contributing_agencies": [s.nasa.pk]}
    created = create_page(editor_client, RoadmapReleasePage, s.roadmap_index, new_edition)
    assert created.status_code == 302
    ger4 = RoadmapReleasePage.objects.get(slug="ger-4")
    assert not ger4.live

    # ... creates a release, and adds each page from its editor ("Add to release").
    response = snippet_form(
        editor_client, reverse(f"{SNIPPETS}:add"), {"title": "GER 4", "notes": "The launch."}
    )
    release = Release.objects.get(title="GER 4")
    assert response.status_code == 302 and response.url == screen(release)
    for page in (s.faq_isecg, s.nasa, ger4):
        add_url = reverse("releases_add_page", args=[page.pk])
        assert add_url in editor_client.get(edit_url(page)).content.decode()
        response = editor_client.post(add_url, {"release": release.pk, "action": "publish"})
        assert response.status_code == 302 and response.url == screen(release)
    items = {item.page_id: item.revision_id for item in release.items.all()}
    assert items == {
        page.pk: fresh(page).latest_revision_id for page in (s.faq_isecg, s.nasa, ger4)
    }
    page = editor_client.get(screen(release)).content.decode()
    assert page.count("Up to date") == 3

    # ... and submits it to the Review workflow, as one unit.
    edit_release = reverse(f"{SNIPPETS}:edit", args=[release.pk])
    assert snippet_form(editor_client, edit_release, action="submit").status_code == 302
    release.refresh_from_db()
    assert release.status == Release.Status.IN_REVIEW
    assert release.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS

    # The editor can neither approve, nor publish, nor schedule.
    assert denied(editor_client.post(workflow_action(release, "approve"), {"comment": ""}))
    assert denied(editor_client.post(act(release, "publish")))
    assert denied(editor_client.post(act(release, "schedule"), {"publish_at": "2030-01-01 10:00"}))
    assert Release.objects.get(pk=release.pk).status == Release.Status.IN_REVIEW

    # A reviewer approves: the release is approved, not published (reviewers publish it).
    response = reviewer_client.post(workflow_action(release, "approve"), {"comment": "Good."})
    assert response.status_code == 302
    release.refresh_from_db()
    assert (release.status, release.live) == (Release.Status.APPROVED, False)
    assert not fresh(ger4).live and fresh(s.nasa).title != NEW_NAME
    editor_screen = editor_client.get(screen(release)).content.decode()
    assert "release-publish-now" not in editor_screen
    assert "release-publish-now" in reviewer_client.get(screen(release)).content.decode()

    # Even approved, the editor cannot publish or schedule it; Wagtail's own Publish is gone.
    assert denied(editor_client.post(act(release, "publish")))
    assert denied(editor_client.post(act(release, "schedule"), {"publish_at": "2030-01-01 10:00"}))
    for client in (editor_client, reviewer_client):
        editor_page = client.get(reverse(f"{SNIPPETS}:edit", args=[release.pk])).content.decode()
        assert 'name="action-publish"' not in editor_page
    snippet_form(reviewer_client, reverse(f"{SNIPPETS}:edit", args=[release.pk]), action="publish")
    assert Release.objects.get(pk=release.pk).live is False

    # The reviewer schedules it.
    at = timezone.now() + datetime.timedelta(hours=2)
    response = reviewer_client.post(
        act(release, "schedule"), {"publish_at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")}
    )
    assert response.status_code == 302, response.content[:2000]
    release.refresh_from_db()
    assert release.status == Release.Status.SCHEDULED
    assert abs(release.publish_at - at) < datetime.timedelta(minutes=1)
    assert releases_publish_due(now=at - datetime.timedelta(minutes=5)) == []

    # The worker publishes it at the time: all three pages, at once.
    assert releases_publish_due(now=at + datetime.timedelta(minutes=1)) == [release.pk]
    release.refresh_from_db()
    assert release.status == Release.Status.PUBLISHED and release.live
    nasa = api_client.get(f"/api/v1/members/{s.nasa.pk}/").json()
    faq = api_client.get(f"/api/v1/faqs/{s.faq_isecg.pk}/").json()
    edition = api_client.get(f"/api/v1/roadmap-releases/{ger4.pk}/").json()
    assert nasa["title"] == NEW_NAME
    assert "27 space agencies" in faq["questions"][0]["answer"]
    assert [a["title"] for a in edition["contributing_agencies"]] == [NEW_NAME]
    published = api_client.get(f"/api/v1/releases/{release.pk}/").json()
    assert sorted(i["id"] for i in published["items"]) == sorted(
        [s.faq_isecg.pk, s.nasa.pk, ger4.pk]
    )
    after = reviewer_client.get(screen(release)).content.decode()
    for item in release.items.all():
        assert f"<td>v{item.version}</td>" in after


def test_a_reviewer_requests_changes_with_a_comment_and_the_release_is_open_again(
    three_changes, editor_client, reviewer_client
):
    release = release_of(three_changes.nasa, approved=False)
    snippet_form(editor_client, reverse(f"{SNIPPETS}:edit", args=[release.pk]), action="submit")

    response = reviewer_client.post(
        workflow_action(release, "reject"), {"comment": "Cite the new name's source."}
    )

    assert response.status_code == 302
    release.refresh_from_db()
    assert release.status == Release.Status.OPEN
    assert "Cite the new name&#x27;s source." in editor_client.get(screen(release)).content.decode()


def test_the_release_screen_shows_conflicts_until_re_pinned_or_confirmed(
    three_changes, editor_client, reviewer_client
):
    s = three_changes
    release = release_of(s.faq_isecg, s.nasa)
    draft(s.nasa, summary="A later draft.")
    edit(s.faq_isecg, intro="Published on its own.")

    page = editor_client.get(screen(release)).content.decode()
    assert page.count("<strong>Stale</strong>") == 2 and 'id="release-stale"' in page
    assert "Published on its own at" in page and "the latest draft is revision" in page
    publish = reviewer_client.post(act(release, "publish"))
    assert "is stale" in " ".join(messages_of(publish))
    assert Release.objects.get(pk=release.pk).status == Release.Status.APPROVED

    faq_item = release.items.get(page_id=s.faq_isecg.pk)
    nasa_item = release.items.get(page_id=s.nasa.pk)
    reviewer_client.post(act(release, "item_confirm"), {"item": faq_item.pk})
    editor_client.post(act(release, "item_repin"), {"item": nasa_item.pk})

    page = editor_client.get(screen(release)).content.decode()
    assert "<strong>Stale</strong>" not in page
    assert Release.objects.get(pk=release.pk).status == Release.Status.OPEN  # review again


def test_add_to_release_says_when_the_page_is_already_in_one(three_changes, editor_client):
    s = three_changes
    first = release_of(s.nasa, approved=False)
    second = release_of(s.faq_isecg, title="Another", approved=False)

    page = editor_client.get(reverse("releases_add_page", args=[s.nasa.pk])).content.decode()
    response = editor_client.post(
        reverse("releases_add_page", args=[s.nasa.pk]), {"release": second.pk, "action": "publish"}
    )

    assert first.title in page
    assert response.status_code == 400
    assert "already in the release" in response.content.decode()
    assert not second.items.filter(page_id=s.nasa.pk).exists()


def test_a_published_release_cannot_be_edited(three_changes, reviewer, reviewer_client):
    release = services.release_publish(release=release_of(three_changes.nasa), user=reviewer)

    response = snippet_form(
        reviewer_client, reverse(f"{SNIPPETS}:edit", args=[release.pk]), {"title": "Rewritten"}
    )

    assert response.status_code == 302
    assert Release.objects.get(pk=release.pk).title != "Rewritten"
    assert "can no longer change" in " ".join(messages_of(response))


def test_share_links_are_made_listed_and_revoked_in_the_admin(three_changes, reviewer_client):
    release = release_of(three_changes.nasa, approved=False)
    url = reverse("releases_share_links", args=[release.pk])

    created = reviewer_client.post(url, {"expires_in_hours": "24", "label": "ESA comms"})

    assert created.status_code == 302
    assert "release_token=" in reviewer_client.get(created.url).content.decode()
    assert "release_token=" not in reviewer_client.get(created.url).content.decode()
    link = release.links.get()
    assert (link.kind, link.label) == ("share", "ESA comms")
    reviewer_client.post(reverse("releases_link_revoke", args=[link.pk]))
    assert release.links.get().revoked_at is not None


def test_preview_opens_the_frontend_with_a_live_release_token(
    three_changes, editor_client, settings
):
    release = release_of(three_changes.nasa, approved=False)

    response = editor_client.post(act(release, "preview"))

    assert response.status_code == 302
    assert response.url.startswith(f"{settings.FRONTEND_URL}/?release_token=")
    assert "no-store" in response["Cache-Control"]
    assert release.links.get().kind == "live"


def test_pages_are_added_and_removed_on_the_release_screen(three_changes, editor_client):
    s = three_changes
    release = release_of(s.faq_isecg, approved=False)

    added = editor_client.post(act(release, "item_add"), {"page": s.nasa.pk, "action": "publish"})
    unpublish = editor_client.post(
        act(release, "item_add"), {"page": s.esa.pk, "action": "unpublish"}
    )
    missing = editor_client.post(act(release, "item_add"), {"action": "publish"})

    assert added.status_code == 302 and unpublish.status_code == 302
    assert {(i.page_id, i.action) for i in release.items.all()} == {
        (s.faq_isecg.pk, "publish"),
        (s.nasa.pk, "publish"),
        (s.esa.pk, "unpublish"),
    }
    assert missing.status_code == 400 and "This field is required" in missing.content.decode()
    item = release.items.get(page_id=s.faq_isecg.pk)
    editor_client.post(act(release, "item_remove"), {"item": item.pk})
    assert not release.items.filter(page_id=s.faq_isecg.pk).exists()
