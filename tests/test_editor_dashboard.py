"""The "Your work" panel on the admin's home page: an editor sees their drafts, what they
submitted and where it is, recent publishes, releases in progress and how a change goes live;
a reviewer sees first what awaits them. Its queries do not grow with what it lists."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.panels import EditorDashboardPanel

from .factories import StandardPageFactory, UserFactory
from .release_support import release_of


def publish(page, user=None):
    page.save_revision(user=user).publish(user=user)
    page.refresh_from_db()
    return page


def draft(page, user, title=None):
    """Save a draft of the page as `user` (a new title shows it is theirs)."""
    page = page.get_latest_revision_as_object()
    page.title = title or f"{page.title} (draft)"
    page.save_revision(user=user)
    page.refresh_from_db()
    return page


def submit(page, user):
    page = draft(page, user, title=page.title)
    page.get_workflow().start(page, user)
    page.refresh_from_db()
    return page


@pytest.fixture
def pages(home):
    return [
        publish(StandardPageFactory(parent=home, title=title, slug=slug))
        for title, slug in [("About", "about"), ("Contact", "contact"), ("Events", "events")]
    ]


def panel_of(client):
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    panel = BeautifulSoup(response.content.decode(), "html.parser").find(id="editor-dashboard")
    assert panel is not None, "no 'Your work' panel"
    return panel


def titles(panel, list_id) -> list[str]:
    listing = panel.find(id=list_id)
    return [link.get_text() for link in listing.select("li > a")] if listing.name == "ul" else []


def test_an_editor_sees_their_drafts_and_submissions_not_other_peoples(
    editor, editor_client, reviewer, pages
):
    about, contact, events = pages
    draft(about, editor, "About us")
    submit(contact, editor)
    draft(events, UserFactory(username="colleague", groups=["Editors"]), "Events (theirs)")

    panel = panel_of(editor_client)

    assert panel["data-role"] == "editor"
    assert titles(panel, "dashboard-drafts") == ["Contact", "About us"]
    drafts = panel.find(id="dashboard-drafts").get_text()
    assert "in review" in drafts and "draft of a live page" in drafts
    assert titles(panel, "dashboard-submitted") == ["Contact"]
    assert "Reviewers approval: in progress" in panel.find(id="dashboard-submitted").get_text()
    assert panel.find(id="dashboard-awaiting") is None  # editors do not review
    link = panel.find(id="dashboard-drafts").find("a", string="About us")
    assert link["href"] == reverse("wagtailadmin_pages:edit", args=[about.pk])


def test_a_reviewer_sees_what_awaits_their_review(editor, reviewer_client, pages):
    about, contact, _events = pages
    submit(about, editor)
    submit(contact, editor)

    panel = panel_of(reviewer_client)

    assert panel["data-role"] == "reviewer"
    assert titles(panel, "dashboard-awaiting") == ["About", "Contact"]  # longest waiting first
    assert "editor" in panel.find(id="dashboard-awaiting").get_text()
    assert titles(panel, "dashboard-submitted") == []


def test_recent_publishes_are_listed_newest_first_with_who(reviewer, editor_client, home):
    for title in ("First", "Second"):
        publish(StandardPageFactory(parent=home, title=title), user=reviewer)

    panel = panel_of(editor_client)

    assert titles(panel, "dashboard-published")[:2] == ["Second", "First"]
    assert "reviewer" in panel.find(id="dashboard-published").get_text()
    assert panel.find(id="dashboard-published").find("time")["datetime"]


def test_releases_in_progress_are_listed_for_those_who_build_them(editor_client, pages):
    release = release_of(pages[0], title="Edition 4 launch", approved=False)

    panel = panel_of(editor_client)

    assert titles(panel, "dashboard-releases") == ["Edition 4 launch"]
    link = panel.find(id="dashboard-releases").find("a")
    assert link["href"] == reverse("releases_screen", args=[release.pk])


def test_the_panel_says_how_a_change_goes_live(editor_client):
    steps = [
        li.get_text(" ", strip=True) for li in panel_of(editor_client).select("#dashboard-howto li")
    ]

    assert len(steps) == 5
    for word, step in zip(
        ["Edit", "Save draft", "share link", "Submit for review", "reviewer"], steps, strict=True
    ):
        assert word in step


def test_users_without_admin_access_do_not_get_it(client, db):
    client.force_login(UserFactory(username="member", groups=["Members"]))

    response = client.get(reverse("wagtailadmin_home"))

    assert response.status_code in (302, 403)


def panel_queries(user, rf) -> int:
    """The panel's queries for a fresh request (the user's permission caches empty)."""
    request = rf.get("/admin/")
    request.user = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        html = EditorDashboardPanel(request).render_html({"request": request})
    assert 'id="editor-dashboard"' in html
    return len(queries)


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_the_panels_queries_do_not_grow_with_what_it_lists(who, editor, reviewer, home, rf):
    user = {"editor": editor, "reviewer": reviewer}[who]
    small = [publish(StandardPageFactory(parent=home)) for _ in range(2)]
    for page in small:
        submit(page, editor)
    release_of(small[0], approved=False)
    few = panel_queries(user, rf)

    for _ in range(12):
        page = publish(StandardPageFactory(parent=home), user=reviewer)
        submit(page, editor)
    more = panel_queries(user, rf)

    assert more == few
    assert few <= 14  # editor 9, reviewer 13 (one per review task), with cold permission caches
