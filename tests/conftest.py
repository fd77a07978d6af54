"""Shared fixtures: the migrated site root, clients for each kind of caller, users per group."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient
from wagtail.models import Site

from .factories import UserFactory


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
def media_root(settings, tmp_path):
    """Uploaded and generated files go to a temporary folder, not the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def isecg_content(db, media_root):
    """The site as `load_isecg_content` loads it from the project's data file."""
    call_command("load_isecg_content", verbosity=0)
    return Site.objects.get(is_default_site=True).root_page.specific
