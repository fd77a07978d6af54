"""Editors write and submit for review; only reviewers approve, reject and publish.

Everything here goes through Wagtail's real admin views with the groups and the "Review" workflow
that the migrations create, the way a browser would use them.
"""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from wagtail.models import Revision, TaskState, WorkflowState
from wagtail.test.utils.form_data import rich_text

from content_models.models import MemberProfilePage

from .admin_forms import create_page, edit_page, edit_url, workflow_action_url
from .factories import USER_PASSWORD, MemberProfilePageFactory, UserFactory

NEW_PROFILE = {
    "title": "Korea Aerospace Research Institute",
    "slug": "kari",
    "acronym": "KARI",
    "country": "KR",
    "year_joined": "2007",
    "website": "https://www.kari.re.kr/",
    "summary": "South Korea's aerospace research agency.",
    "body": rich_text("<p>A founding member of ISECG.</p>"),
}


@pytest.fixture
def profile(members_index):
    """A published member profile, as loaded content is: live, with a live revision."""
    page = MemberProfilePageFactory(
        parent=members_index, title="Canadian Space Agency", acronym="CSA", country="CA"
    )
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def submitted(client, page, changes=None):
    """Have `client` (an editor) submit `page` for review, checking the view accepted it."""
    response = edit_page(client, page, changes or {}, action="submit")
    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    return page


def review_state(page) -> WorkflowState:
    return WorkflowState.objects.for_instance(page).get()


def message_texts(response) -> list[str]:
    return [str(message).strip() for message in get_messages(response.wsgi_request)]


# Editors: create, edit, save drafts, but never publish.


def test_editor_creates_a_member_profile_as_an_unpublished_draft(
    editor_client, editor, members_index
):
    response = create_page(editor_client, MemberProfilePage, members_index, NEW_PROFILE)

    assert response.status_code == 302
    page = MemberProfilePage.objects.get(slug="kari")
    assert response.url == edit_url(page)
    assert (page.live, page.has_unpublished_changes, page.live_revision) == (False, True, None)
    assert page.get_latest_revision().user == editor
    assert page.get_latest_revision().as_object().acronym == "KARI"


def test_editor_saves_a_draft_of_a_live_profile_without_changing_what_is_live(
    editor_client, profile
):
    published = profile.live_revision

    response = edit_page(editor_client, profile, {"summary": "A draft summary."})

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.live is True
    assert profile.has_unpublished_changes is True
    assert profile.live_revision == published
    assert profile.summary == "An agency."  # the live row still holds the published content
    assert profile.get_latest_revision().as_object().summary == "A draft summary."


def test_editor_is_offered_submit_for_review_but_not_publish(
    editor_client, reviewer_client, profile
):
    editor_form = editor_client.get(edit_url(profile)).content.decode()
    reviewer_form = reviewer_client.get(edit_url(profile)).content.decode()

    assert 'name="action-submit"' in editor_form
    assert 'name="action-publish"' not in editor_form
    assert 'name="action-publish"' in reviewer_form  # the check above can fail


def test_editor_posting_publish_on_a_new_page_only_saves_a_draft(editor_client, members_index):
    response = create_page(
        editor_client, MemberProfilePage, members_index, NEW_PROFILE, action="publish"
    )

    assert response.status_code == 302
    page = MemberProfilePage.objects.get(slug="kari")
    assert (page.live, page.has_unpublished_changes, page.live_revision) == (False, True, None)
    assert page.first_published_at is None


def test_editor_posting_publish_on_a_live_page_only_saves_a_draft(editor_client, profile):
    published = profile.live_revision

    response = edit_page(editor_client, profile, {"acronym": "ASC"}, action="publish")

    assert response.status_code == 302
    [message] = message_texts(response)
    assert "has been updated" in message
    assert "published" not in message
    profile.refresh_from_db()
    assert (profile.live, profile.has_unpublished_changes) == (True, True)
    assert profile.live_revision == published
    assert profile.acronym == "CSA"
    assert profile.get_latest_revision().as_object().acronym == "ASC"


# Submitting for review starts the "Review" workflow.


def test_editor_submits_a_profile_and_the_review_workflow_starts(editor_client, editor, profile):
    submitted(editor_client, profile, {"summary": "Please review me."})

    state = review_state(profile)
    assert state.workflow.name == "Review"
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by == editor
    assert state.current_task_state.task.name == "Reviewers approval"
    assert state.current_task_state.status == TaskState.STATUS_IN_PROGRESS
    assert state.current_task_state.revision.as_object().summary == "Please review me."
    assert profile.summary == "An agency."  # still not live
    assert profile.has_unpublished_changes is True


# Reviewers approve (publish) or request changes; editors cannot approve.


def test_reviewer_approves_and_the_editors_content_goes_live(
    editor_client, reviewer_client, profile
):
    submitted(editor_client, profile, {"summary": "Reviewed summary.", "acronym": "CSA-ASC"})
    submitted_revision = review_state(profile).current_task_state.revision

    response = reviewer_client.post(workflow_action_url(profile, "approve"), {"comment": "Good."})

    assert response.status_code == 302
    assert response.url == edit_url(profile)
    profile.refresh_from_db()
    state = review_state(profile)
    assert state.status == WorkflowState.STATUS_APPROVED
    assert state.current_task_state.status == TaskState.STATUS_APPROVED
    assert state.current_task_state.comment == "Good."
    assert profile.live is True
    assert profile.has_unpublished_changes is False
    assert profile.live_revision == submitted_revision
    assert (profile.summary, profile.acronym) == ("Reviewed summary.", "CSA-ASC")


def test_reviewer_approves_a_new_profile_and_it_is_published(
    editor_client, reviewer_client, members_index
):
    response = create_page(
        editor_client, MemberProfilePage, members_index, NEW_PROFILE, action="submit"
    )
    assert response.status_code == 302
    page = MemberProfilePage.objects.get(slug="kari")
    assert page.live is False

    reviewer_client.post(workflow_action_url(page, "approve"), {"comment": ""})

    page.refresh_from_db()
    assert page.live is True
    assert page.first_published_at is not None
    assert page.live_revision == page.get_latest_revision()


def test_reviewer_requests_changes_and_nothing_is_published(
    editor_client, reviewer_client, profile
):
    published = profile.live_revision
    submitted(editor_client, profile, {"summary": "Not ready yet."})

    response = reviewer_client.post(
        workflow_action_url(profile, "reject"), {"comment": "Cite a source."}
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    state = review_state(profile)
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.current_task_state.status == TaskState.STATUS_REJECTED
    assert state.current_task_state.comment == "Cite a source."
    assert profile.live_revision == published
    assert profile.summary == "An agency."
    assert profile.has_unpublished_changes is True


def test_editor_cannot_approve_through_the_workflow_action_view(editor_client, profile):
    published = profile.live_revision
    submitted(editor_client, profile, {"summary": "Self-approved?"})

    response = editor_client.post(workflow_action_url(profile, "approve"), {"comment": ""})

    # Wagtail answers a PermissionDenied in the admin with a redirect to the dashboard.
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert "Sorry, you do not have permission to access this area." in message_texts(response)
    profile.refresh_from_db()
    assert review_state(profile).status == WorkflowState.STATUS_IN_PROGRESS
    assert profile.live_revision == published
    assert profile.summary == "An agency."


def test_editor_cannot_approve_through_the_edit_form(editor_client, profile):
    published = profile.live_revision
    submitted(editor_client, profile, {"summary": "Self-approved?"})

    edit_page(
        editor_client,
        profile,
        {"workflow-action-name": "approve"},
        action="workflow-action",
    )

    profile.refresh_from_db()
    assert review_state(profile).status == WorkflowState.STATUS_IN_PROGRESS
    assert profile.live_revision == published
    assert profile.summary == "An agency."


def test_member_of_no_group_cannot_open_the_editor(members_index, profile):
    outsider = UserFactory(username="outsider", is_staff=True)
    client = Client()
    client.force_login(outsider)

    response = client.get(edit_url(profile))

    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))


# The acceptance flow, start to finish, with real logins.


def test_editor_drafts_and_submits_then_reviewer_approves_and_the_profile_is_published(
    client, members_index, profile
):
    editor = UserFactory(username="edna", groups=["Editors"])
    reviewer = UserFactory(username="rita", groups=["Reviewers"])
    login_url = reverse("wagtailadmin_login")

    response = client.post(login_url, {"username": editor.username, "password": USER_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert client.get(reverse("wagtailadmin_home")).status_code == 200

    response = edit_page(client, profile, {"summary": "Canada's space agency, since 1989."})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.has_unpublished_changes is True
    assert profile.summary == "An agency."

    response = edit_page(client, profile, {}, action="submit")
    assert response.status_code == 302
    assert review_state(profile).status == WorkflowState.STATUS_IN_PROGRESS
    draft = Revision.page_revisions.filter(object_id=str(profile.pk)).latest("created_at")

    client.post(reverse("wagtailadmin_logout"))
    response = client.post(login_url, {"username": reviewer.username, "password": USER_PASSWORD})
    assert response.status_code == 302
    dashboard = client.get(reverse("wagtailadmin_home"))
    assert "Awaiting your review" in dashboard.content.decode()

    response = client.post(workflow_action_url(profile, "approve"), {"comment": "Approved."})
    assert response.status_code == 302

    profile.refresh_from_db()
    assert profile.live is True
    assert profile.has_unpublished_changes is False
    assert profile.live_revision == draft
    assert profile.summary == "Canada's space agency, since 1989."
    assert review_state(profile).status == WorkflowState.STATUS_APPROVED
