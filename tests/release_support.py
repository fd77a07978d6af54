"""Helpers for the release tests: a small published site with a FAQ, members and roadmap
releases, drafts of its pages, and releases built and approved through the services.

A pytest plugin of tests/conftest.py (its fixtures are everywhere); the helpers are imported.
"""

import datetime
from types import SimpleNamespace

import pytest
from wagtail.models import Page

from releases import services
from releases.models import Release

from .factories import (
    FAQIndexPageFactory,
    FAQPageFactory,
    FAQQuestionFactory,
    MemberProfilePageFactory,
    MembersIndexPageFactory,
    RoadmapIndexPageFactory,
    RoadmapReleasePageFactory,
    StandardPageFactory,
)
from .pipeline_support import publish

OLD_ANSWER = "<p>ISECG is a forum of space agencies.</p>"
NEW_ANSWER = "<p>ISECG is a voluntary forum of 27 space agencies.</p>"
NEW_NAME = "National Aeronautics and Space Administration (renamed)"


def fresh(page):
    """Return the page as stored, specific."""
    return Page.objects.get(pk=page.pk).specific


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
    fresh(site.roadmap).add_child(instance=page)
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
def release_site(home):
    """home → members (nasa, esa), roadmap (ger2 ← ger3, naming nasa and esa), faq (isecg:
    two questions), about; all published."""
    s = SimpleNamespace(home=publish(home))
    s.members = publish(MembersIndexPageFactory(parent=s.home))
    s.nasa = publish(
        MemberProfilePageFactory(
            parent=s.members,
            slug="nasa",
            title="National Aeronautics and Space Administration",
            acronym="NASA",
            country="US",
            iss_partner=True,
        )
    )
    s.esa = publish(
        MemberProfilePageFactory(
            parent=s.members, slug="esa", title="European Space Agency", acronym="ESA", country=""
        )
    )
    s.roadmap = publish(RoadmapIndexPageFactory(parent=s.home))
    s.ger2 = publish(
        RoadmapReleasePageFactory(
            parent=s.roadmap,
            slug="ger-2",
            title="GER 2",
            edition_number=2,
            release_date=datetime.date(2013, 8, 1),
        )
    )
    ger3 = RoadmapReleasePageFactory.build(
        slug="ger-3",
        title="GER 3",
        edition_number=3,
        release_date=datetime.date(2018, 1, 1),
        previous_release=s.ger2,
    )
    s.roadmap.add_child(instance=ger3)
    ger3.contributing_agencies.set([s.nasa, s.esa])
    s.ger3 = publish(ger3)
    s.faq_index = publish(FAQIndexPageFactory(parent=s.home))
    faq = FAQPageFactory(parent=s.faq_index, slug="isecg", title="ISECG")
    FAQQuestionFactory(
        page=faq, anchor="what-is-isecg", question="What is ISECG?", answer=OLD_ANSWER
    )
    FAQQuestionFactory(page=faq, anchor="members", question="Who are its members?")
    s.faq = publish(faq)
    s.about = publish(StandardPageFactory(parent=s.home, slug="about", title="About"))
    return s


@pytest.fixture
def three_changes(release_site, editor):
    """Drafts of an FAQ answer, a member's new name (no longer an ISS partner), and a new
    roadmap release naming that member: what a release of the fourth edition changes."""
    s = release_site
    s.faq = draft_answer(s.faq, NEW_ANSWER, user=editor)
    s.nasa = draft(s.nasa, title=NEW_NAME, iss_partner=False, user=editor)
    s.ger4 = new_release_draft(s, user=editor)
    return s
