"""Helpers for the pipeline tests: a small site tree, publishing, reading the feed.

Imported by the pipeline test modules (not a conftest, so other suites keep their own fixtures).
"""

import datetime
import io

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from pipeline.models import Change, PublishedVersion

from .factories import (
    MemberProfilePageFactory,
    MembersIndexPageFactory,
    RoadmapIndexPageFactory,
    RoadmapReleasePageFactory,
    StandardPageFactory,
)


def publish(page, user=None, author=None):
    """Publish the page's current state through Wagtail (fires the pipeline); return it fresh.

    `author` saves the revision (default: the publisher), `user` publishes it.
    """
    page.save_revision(user=author or user).publish(user=user)
    return type(page).objects.get(pk=page.pk)


def edit(page, user=None, author=None, **fields):
    """Change fields of the live page as an editor would (a new revision), and publish it."""
    page = type(page).objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    return publish(page, user=user, author=author)


def versions(page_id):
    return list(PublishedVersion.objects.filter(page_id=page_id).order_by("number"))


def changes(**filters):
    return list(Change.objects.filter(**filters).order_by("seq"))


def feed(client, *, cursor=None, limit=None, **extra):
    """Read one page of the changes feed; return the JSON."""
    params = {}
    if cursor is not None:
        params["cursor"] = cursor
    if limit is not None:
        params["limit"] = limit
    response = client.get("/api/v1/changes/", params, **extra)
    assert response.status_code == 200, response.content
    return response.json()


def feed_all(client, **extra):
    """Follow the feed from the beginning to its end; return every entry."""
    entries, cursor = [], None
    while True:
        page = feed(client, cursor=cursor, limit=1000, **extra)
        entries += page["results"]
        cursor = page["next"]
        if not page["has_more"]:
            return entries


def make_image(title="Logo", *, size=(640, 480), color="navy", filename="logo.png"):
    """Create a real image in the library (a PNG written to MEDIA_ROOT)."""
    return get_image_model().objects.create(title=title, file=image_file(size, color, filename))


def image_file(size=(640, 480), color="navy", filename="logo.png"):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, format="PNG")
    return ImageFile(io.BytesIO(buffer.getvalue()), name=filename)


@pytest.fixture
def site_tree(home):
    """A published members index with two members, a roadmap index and a release naming both.

    Returns a namespace of fresh page objects; each is live with a LiveDocument.
    """
    members_index = publish(MembersIndexPageFactory(parent=home))
    nasa = publish(
        MemberProfilePageFactory(
            parent=members_index,
            title="National Aeronautics and Space Administration",
            slug="nasa",
            acronym="NASA",
            country="US",
        )
    )
    esa = publish(
        MemberProfilePageFactory(
            parent=members_index,
            title="European Space Agency",
            slug="esa",
            acronym="ESA",
            country="",
        )
    )
    roadmap = publish(RoadmapIndexPageFactory(parent=home))
    release = RoadmapReleasePageFactory(
        parent=roadmap, title="GER 3", slug="ger-3", release_date=datetime.date(2018, 1, 1)
    )
    release.contributing_agencies.set([nasa, esa])
    release.save()
    release = publish(release)
    about = publish(StandardPageFactory(parent=home, title="About", slug="about"))
    return Tree(
        home=home,
        members_index=members_index,
        nasa=nasa,
        esa=esa,
        roadmap=roadmap,
        release=release,
        about=about,
    )


class Tree:
    def __init__(self, **pages):
        self.__dict__.update(pages)
