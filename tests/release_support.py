"""Helpers for the release tests: drafts of the site's pages (`tests.helpers.build_site`),
and releases built and approved through the services.

A pytest plugin of tests/conftest.py (its fixtures are everywhere); the helpers are imported.
"""

import datetime

import pytest

from releases import services
from releases.models import Release

from .factories import RoadmapReleasePageFactory
from .helpers import OLD_ANSWER, fresh

__all__ = ["OLD_ANSWER", "NEW_ANSWER", "NEW_NAME", "draft", "release_of", "approve"]

NEW_ANSWER = "<p>ISECG is a voluntary forum of 27 space agencies.</p>"
NEW_NAME = "National Aeronautics and Space Administration (renamed)"


def draft(page, *, user=None, **fields):
    """Save a new draft of the page with these fields changed (nothing goes live)."""
    page = fresh(page)
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision(user=user)
    return fresh(page)


def draft_answer(faq, answer: str, *, user=None):
    """Save a draft of an FAQ section whose first answer reads `answer`."""
    faq = fresh(faq)
    questions = list(faq.questions.all())
    questions[0].answer = answer
    faq.questions = questions
    faq.save_revision(user=user)
    return fresh(faq)


def new_release_draft(site, *, title="The Global Exploration Roadmap, fourth edition", user=None):
    """Create a roadmap release that was never published (a draft naming NASA)."""
    page = RoadmapReleasePageFactory.build(
        slug="ger-4",
        title=title,
        edition_number=4,
        edition_label="Edition 4",
        release_date=datetime.date(2024, 6, 1),
        previous_release=site.ger3,
        live=False,
    )
    fresh(site.roadmap_index).add_child(instance=page)
    page.contributing_agencies.set([site.nasa])
    page.save_revision(user=user)
    return fresh(page)


def approve(release: Release, user=None) -> Release:
    """Take a release through review as the workflow receivers do (tests of publishing)."""
    services.release_review_started(release=release)
    services.release_approved(release=release, user=user)
    return Release.objects.get(pk=release.pk)


def release_of(*pages, title="Edition 4 launch", approved=True, user=None) -> Release:
    """Build a release of the pages' current drafts (approved, unless told otherwise)."""
    release = services.release_create(title=title, owner=user, notes="Everything for GER 4.")
    for page in pages:
        services.release_item_add(release=release, page=page, user=user)
    return approve(release, user) if approved else Release.objects.get(pk=release.pk)


@pytest.fixture
def three_changes(site, editor):
    """Drafts of an FAQ answer, a member's new name (no longer an ISS partner), and a new
    roadmap release naming that member: what a release of the fourth edition changes."""
    s = site
    s.faq_isecg = draft_answer(s.faq_isecg, NEW_ANSWER, user=editor)
    s.nasa = draft(s.nasa, title=NEW_NAME, iss_partner=False, user=editor)
    s.ger4 = new_release_draft(s, user=editor)
    return s
