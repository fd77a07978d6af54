"""Shared fixtures: the migrated site root, clients for each kind of caller, users per group."""

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient
from wagtail.models import Site

from .factories import MembersIndexPageFactory, UserFactory

pytest_plugins = ["tests.pipeline_support"]  # site_tree: the pipeline tests' small site


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
