"""Shared fixtures: the migrated site root, clients for each kind of caller, users per group,
and a small published site built with factories and published through the real pipeline."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient
from wagtail.models import APIToken, PageViewRestriction, Site

from pipeline import changes

from .factories import (
    FAQIndexPageFactory,
    FAQPageFactory,
    FAQQuestionFactory,
    MemberProfilePageFactory,
    MembersIndexPageFactory,
    RoadmapIndexPageFactory,
    RoadmapReleasePageFactory,
    StandardPageFactory,
    UserFactory,
)

# site_tree: the pipeline tests' small site; release_site: the release tests' one
pytest_plugins = ["tests.pipeline_support", "tests.release_support"]

PROBLEM_FIELDS = {"type", "title", "status", "detail"}


def assert_problem(response, status: int) -> dict:
    """Assert an RFC 9457 problem answer with this status and a useful `detail`; return it."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS, body
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and len(body["detail"]) > 5, body
    return body


def publish(page, user=None):
    """Publish the page's current state through a revision, as the admin does (fires the
    pipeline), and return the page as stored."""
    page.save_revision(user=user).publish(user=user)
    page.refresh_from_db()
    return page


def fresh(page):
    """Return a new instance of the page as stored (never mutate `shared_site`'s objects)."""
    return type(page).objects.get(pk=page.pk)


def restrict_to_groups(page, *group_names: str) -> PageViewRestriction:
    """Put a view restriction on the page for these groups (the pipeline re-evaluates it)."""
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set(Group.objects.filter(name__in=group_names))
    return restriction


def token_for(user, name: str = "frontend") -> str:
    """Create a Wagtail API token for the user and return its plaintext."""
    _, plaintext = APIToken.create_token(user=user, name=name)
    return plaintext


def ids_of(response) -> list[int]:
    """Return the ids of a list answer's results, in order."""
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return [item["id"] for item in response.json()["results"]]


def index_for_search() -> None:
    """Fill Wagtail's search index with the pages as stored, in this process.

    Wagtail queues index updates as tasks; the worker cannot run inside a test's transaction on
    PostgreSQL (it closes the connection between tasks), so tests index with the real command.
    """
    call_command("update_index", verbosity=0)


@pytest.fixture
def add_change_listener(monkeypatch):
    """Return a function adding a listener to the change log for this test only.

    A listener gets the entries one transaction appends (`pipeline.changes.CHANGE_LISTENERS`).
    """

    def add(listener):
        monkeypatch.setattr(changes, "CHANGE_LISTENERS", (*changes.CHANGE_LISTENERS, listener))

    return add


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home(db):
    """The site's root page, created by the migrations."""
    return Site.objects.get(is_default_site=True).root_page.specific


@pytest.fixture
def api_client():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", groups=["Editors"])


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", groups=["Reviewers"])


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def members_index(home):
    """The members index under the home page, where member profiles live."""
    return MembersIndexPageFactory(parent=home)


def _client_logged_in_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(editor):
    """A browser session of a member of the Editors group."""
    return _client_logged_in_as(editor)


@pytest.fixture
def reviewer_client(reviewer):
    """A browser session of a member of the Reviewers group."""
    return _client_logged_in_as(reviewer)


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded and generated files go to a temporary folder, not the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def isecg_content(db, media_root):
    """The site as `load_isecg_content` loads it from the project's data file."""
    call_command("load_isecg_content", verbosity=0)
    return Site.objects.get(is_default_site=True).root_page.specific


@pytest.fixture
def receiver():
    """A real webhook receiver listening on loopback (see tests/webhook_receiver.py)."""
    from .webhook_receiver import Receiver

    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def member(db):
    """A user of a member agency: in the Members group, which Private Area content allows."""
    return UserFactory(username="member", groups=["Members"])


@pytest.fixture
def member_token(member):
    return token_for(member)


@pytest.fixture
def member_client(member_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {member_token}")
    return client


@pytest.fixture
def other_token(db):
    """A valid token of a user in another group (Reviewers), not in Members."""
    return token_for(UserFactory(username="outsider", groups=["Reviewers"]))


@pytest.fixture
def other_client(other_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {other_token}")
    return client


def build_site(home) -> SimpleNamespace:
    """Build and publish a small site: members, roadmap releases, FAQ, a private area.

    home → members → nasa, esa, jaxa, csa, ukspa; roadmap → ger1 ← ger2 ← ger3 ← supplement
    (contributing agencies), faq → isecg, roadmap-faq (ordered questions), private-area (Members
    only) → meeting-notes.
    """
    s = SimpleNamespace(home=publish(home))
    s.members_index = publish(MembersIndexPageFactory(parent=home))
    member_rows = [
        ("nasa", "National Aeronautics and Space Administration", "NASA", "US", 2007, True),
        ("esa", "European Space Agency", "ESA", "", 2007, True),
        ("jaxa", "Japan Aerospace Exploration Agency", "JAXA", "JP", 2007, True),
        ("csa", "Canadian Space Agency", "CSA", "CA", 2007, True),
        ("ukspa", "UK Space Agency", "UKSA", "GB", 2011, False),
        ("kari", "Korea Aerospace Research Institute", "KARI", "KR", 2008, False),
    ]
    for slug, title, acronym, country, joined, iss in member_rows:
        page = MemberProfilePageFactory(
            parent=s.members_index,
            slug=slug,
            title=title,
            acronym=acronym,
            country=country,
            year_joined=joined,
            iss_partner=iss,
            summary=f"{acronym} is a member agency.",
        )
        setattr(s, slug, publish(page))
    s.roadmap_index = publish(RoadmapIndexPageFactory(parent=home))
    s.ger1 = publish(
        RoadmapReleasePageFactory(
            parent=s.roadmap_index,
            slug="ger-1",
            title="The Global Exploration Roadmap",
            edition_number=1,
            release_date=datetime.date(2011, 9, 1),
        )
    )
    s.ger2 = publish(
        RoadmapReleasePageFactory(
            parent=s.roadmap_index,
            slug="ger-2",
            title="The Global Exploration Roadmap, second edition",
            edition_number=2,
            release_date=datetime.date(2013, 8, 1),
            previous_release=s.ger1,
        )
    )
    s.ger3 = RoadmapReleasePageFactory.build(
        slug="ger-3",
        title="The Global Exploration Roadmap, third edition",
        edition_number=3,
        release_date=datetime.date(2018, 1, 1),
        previous_release=s.ger2,
    )
    s.roadmap_index.add_child(instance=s.ger3)
    s.ger3.contributing_agencies.set([s.nasa, s.esa, s.jaxa])
    s.ger3 = publish(s.ger3)
    supplement = RoadmapReleasePageFactory.build(
        slug="ger-supplement-2020",
        title="Global Exploration Roadmap Supplement",
        kind="supplement",
        edition_number=None,
        edition_label="Supplement August 2020",
        release_date=datetime.date(2020, 8, 1),
        previous_release=s.ger3,
    )
    s.roadmap_index.add_child(instance=supplement)
    supplement.contributing_agencies.set([s.csa, s.nasa])
    s.supplement = publish(supplement)
    s.faq_index = publish(FAQIndexPageFactory(parent=home))
    s.faq_isecg = FAQPageFactory(parent=s.faq_index, slug="isecg", title="ISECG")
    for anchor, question in [
        ("what-is-isecg", "What is ISECG?"),
        ("who-are-the-members", "Who are the members?"),
        ("how-often-do-they-meet", "How often do they meet?"),
    ]:
        FAQQuestionFactory(page=s.faq_isecg, anchor=anchor, question=question)
    s.faq_isecg = publish(s.faq_isecg)
    s.faq_roadmap = FAQPageFactory(parent=s.faq_index, slug="roadmap-faq", title="The Roadmap")
    FAQQuestionFactory(page=s.faq_roadmap, anchor="what-is-the-ger", question="What is the GER?")
    s.faq_roadmap = publish(s.faq_roadmap)
    s.private = publish(StandardPageFactory(parent=home, slug="private-area", title="Private Area"))
    s.meeting_notes = publish(
        StandardPageFactory(parent=s.private, slug="meeting-notes", title="Meeting notes")
    )
    restrict_to_groups(s.private, "Members")
    return s


@pytest.fixture
def site(home):
    """A small published site (see `build_site`) that the test may change."""
    return build_site(home)


@pytest.fixture(scope="module")
def shared_site(django_db_setup, django_db_blocker):
    """The same site built once per module, its search index filled, for tests that only read.

    Built in a transaction rolled back after the module; each test still runs in its own
    savepoint (`db`), so a test that writes leaves nothing behind. Never mutate its objects.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_site(Site.objects.get(is_default_site=True).root_page.specific)
        index_for_search()
        yield built
        transaction.set_rollback(True)
