"""Shared fixtures: the migrated site root, clients for each kind of caller, users per group,
and the small published site of `tests.helpers.build_site`, published through the real pipeline.

The helpers themselves (publish, assert_problem, ...) are in tests/helpers.py."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient
from wagtail.models import Site

from pipeline import changes

from .factories import MembersIndexPageFactory, UserFactory
from .helpers import build_site, index_for_search, token_for

# the release tests' fixtures (drafts of the site's pages, releases)
pytest_plugins = ["tests.release_support"]


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
def origin_cache(settings):
    """Turn the origin cache (api.middleware) on: the test settings keep it off, since the
    cache outlives each test's transaction (`_fresh_cache` empties it around every test)."""
    settings.API_ORIGIN_CACHE_SECONDS = 60


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
def admin_client(superuser):
    """A browser session of the superuser `admin` (overrides pytest-django's, which would make
    a second user of that name beside `superuser`)."""
    return _client_logged_in_as(superuser)


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
