"""Factories for the page types: build trees in tests without hand-written fixtures."""

import datetime

import factory
import wagtail_factories
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from content_models.models import (
    FAQIndexPage,
    FAQPage,
    FAQQuestion,
    MemberProfilePage,
    MembersIndexPage,
    RoadmapIndexPage,
    RoadmapReleasePage,
    StandardPage,
)

USER_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True  # `password` saves what it sets

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or USER_PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))


class StandardPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = StandardPage

    title = factory.Sequence(lambda n: f"Page {n}")
    intro = "An introduction."


class FAQIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = FAQIndexPage

    title = "FAQ"
    slug = "faq"


class FAQPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = FAQPage

    title = factory.Sequence(lambda n: f"Section {n}")


class FAQQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FAQQuestion

    page = factory.SubFactory(FAQPageFactory)
    question = factory.Sequence(lambda n: f"Question number {n}?")
    anchor = factory.LazyAttribute(lambda q: q.question.lower().rstrip("?").replace(" ", "-"))
    answer = "<p>An answer.</p>"


class MembersIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = MembersIndexPage

    title = "Members"
    slug = "members"


class MemberProfilePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = MemberProfilePage

    title = factory.Sequence(lambda n: f"Space Agency {n}")
    acronym = factory.Sequence(lambda n: f"SA{n}")
    country = "FR"
    year_joined = 2007
    iss_partner = False
    summary = "An agency."


class RoadmapIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = RoadmapIndexPage

    title = "Global Exploration Roadmap"
    slug = "roadmap"


class RoadmapReleasePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = RoadmapReleasePage

    title = "The Global Exploration Roadmap"
    kind = RoadmapReleasePage.Kind.EDITION
    edition_number = factory.Sequence(lambda n: n + 1)
    release_date = factory.Sequence(lambda n: datetime.date(2011 + n, 1, 1))
    summary = "A release."
