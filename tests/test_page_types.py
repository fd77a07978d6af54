"""Each page type lives only where it belongs, indexes are singletons, and all are searchable."""

import pytest
from django.apps import apps
from django.urls import reverse
from wagtail.models import Page
from wagtail.search import index

from content_models.models import (
    ContentPage,
    FAQIndexPage,
    FAQPage,
    HomePage,
    MemberProfilePage,
    MembersIndexPage,
    RoadmapIndexPage,
    RoadmapReleasePage,
    StandardPage,
)

from .admin_forms import add_url
from .factories import (
    FAQIndexPageFactory,
    FAQPageFactory,
    MemberProfilePageFactory,
    RoadmapIndexPageFactory,
    RoadmapReleasePageFactory,
    StandardPageFactory,
)

PAGE_TYPES = [
    model
    for model in apps.get_models()
    if issubclass(model, ContentPage) and model._meta.app_label == "content_models"
]

# Where each page type may be created: the site's information architecture.
ALLOWED_PARENTS = {
    HomePage: {Page},
    StandardPage: {HomePage, StandardPage},
    FAQIndexPage: {HomePage},
    FAQPage: {FAQIndexPage},
    MembersIndexPage: {HomePage},
    MemberProfilePage: {MembersIndexPage},
    RoadmapIndexPage: {HomePage, StandardPage},
    RoadmapReleasePage: {RoadmapIndexPage},
}
SINGLETONS = {HomePage, FAQIndexPage, MembersIndexPage, RoadmapIndexPage}


@pytest.fixture
def tree(home):
    """One page of every type, keyed by type, plus Wagtail's root page."""
    members_index = home.add_child(instance=MembersIndexPage(title="Members", slug="members"))
    faq_index = FAQIndexPageFactory(parent=home)
    roadmap_index = RoadmapIndexPageFactory(parent=home)
    return {
        Page: home.get_parent(),
        HomePage: home,
        StandardPage: StandardPageFactory(parent=home, title="About", slug="about"),
        FAQIndexPage: faq_index,
        FAQPage: FAQPageFactory(parent=faq_index),
        MembersIndexPage: members_index,
        MemberProfilePage: MemberProfilePageFactory(parent=members_index),
        RoadmapIndexPage: roadmap_index,
        RoadmapReleasePage: RoadmapReleasePageFactory(parent=roadmap_index),
    }


def test_the_rules_cover_every_page_type():
    assert set(PAGE_TYPES) == set(ALLOWED_PARENTS)


@pytest.mark.parametrize("model", PAGE_TYPES, ids=lambda model: model.__name__)
def test_each_page_type_declares_its_parents_and_children(model):
    """Wagtail's default is "anywhere": a type that forgets to say where it belongs is a bug."""
    assert "parent_page_types" in vars(model)
    assert "subpage_types" in vars(model)


@pytest.mark.parametrize("model", PAGE_TYPES, ids=lambda model: model.__name__)
def test_each_page_type_can_exist_only_under_its_parents(tree, model):
    allowed = {parent for parent in tree if model.can_exist_under(tree[parent])}
    assert allowed == ALLOWED_PARENTS[model]


def test_member_profiles_are_created_under_the_members_index_only(tree):
    assert MemberProfilePage.can_create_at(tree[MembersIndexPage]) is True
    assert MemberProfilePage.can_create_at(tree[HomePage]) is False
    assert MemberProfilePage.can_create_at(tree[StandardPage]) is False
    assert MemberProfilePage.can_create_at(tree[MemberProfilePage]) is False


def test_faq_sections_and_releases_are_created_under_their_index_only(tree):
    assert FAQPage.can_create_at(tree[FAQIndexPage]) is True
    assert FAQPage.can_create_at(tree[HomePage]) is False
    assert RoadmapReleasePage.can_create_at(tree[RoadmapIndexPage]) is True
    assert RoadmapReleasePage.can_create_at(tree[MembersIndexPage]) is False


@pytest.mark.parametrize("model", sorted(SINGLETONS, key=str), ids=lambda model: model.__name__)
def test_singleton_cannot_be_created_a_second_time(tree, model):
    assert model.max_count == 1
    assert not any(model.can_create_at(parent) for parent in tree.values())


@pytest.mark.parametrize(
    "model", [FAQIndexPage, MembersIndexPage, RoadmapIndexPage], ids=lambda model: model.__name__
)
def test_index_can_be_created_once_while_none_exists(home, model):
    assert model.can_create_at(home) is True
    home.add_child(instance=model(title="Index", slug="index"))
    assert model.can_create_at(home) is False


@pytest.mark.parametrize(
    ("model", "parent"),
    [
        (StandardPage, HomePage),
        (FAQPage, FAQIndexPage),
        (MemberProfilePage, MembersIndexPage),
        (RoadmapReleasePage, RoadmapIndexPage),
    ],
    ids=lambda value: value.__name__,
)
def test_list_pages_can_be_added_next_to_existing_ones(tree, model, parent):
    assert model.max_count is None
    assert model.can_create_at(tree[parent]) is True


def test_editor_is_offered_only_the_page_types_allowed_under_home(editor_client, home):
    response = editor_client.get(reverse("wagtailadmin_pages:add_subpage", args=[home.pk]))

    assert response.status_code == 200
    offered = {model for model in PAGE_TYPES if add_url(model, home) in response.content.decode()}
    assert offered == {StandardPage, FAQIndexPage, MembersIndexPage, RoadmapIndexPage}


def test_editor_is_sent_straight_to_the_only_type_left_once_the_indexes_exist(editor_client, tree):
    home = tree[HomePage]

    response = editor_client.get(reverse("wagtailadmin_pages:add_subpage", args=[home.pk]))

    assert response.status_code == 302
    assert response.url == add_url(StandardPage, home)


def test_editor_cannot_create_a_member_profile_under_the_home_page(editor_client, tree):
    pages_before = MemberProfilePage.objects.count()

    response = editor_client.post(
        add_url(MemberProfilePage, tree[HomePage]),
        {"title": "Misplaced", "slug": "misplaced", "acronym": "MIS"},
    )

    assert response.status_code == 302
    assert response.url == "/admin/"  # Wagtail's answer to PermissionDenied in the admin
    assert MemberProfilePage.objects.count() == pages_before


# Search: every type declares what the API will search, beyond Wagtail's title.
# Saving a page only enqueues its indexing as a background task (run by the worker), so the
# search tests below index their pages directly.

BASE_SEARCH_FIELDS = {field.field_name for field in Page.search_fields}


@pytest.mark.parametrize("model", PAGE_TYPES, ids=lambda model: model.__name__)
def test_each_page_type_declares_search_fields_beyond_the_base_ones(model):
    searched = {
        field.field_name
        for field in model.get_search_fields()
        if isinstance(field, index.SearchField | index.RelatedFields)
    }
    assert searched - BASE_SEARCH_FIELDS, f"{model.__name__} searches only {searched}"


@pytest.mark.parametrize("model", PAGE_TYPES, ids=lambda model: model.__name__)
def test_each_search_field_names_a_real_field_or_attribute(model):
    for field in model.get_search_fields():
        assert hasattr(model, field.field_name) or field.field_name in {
            f.name for f in model._meta.get_fields()
        }, f"{model.__name__}.{field.field_name}"


def test_member_profiles_are_found_by_acronym_and_summary(members_index):
    kari = MemberProfilePageFactory(
        parent=members_index, title="Korean agency", acronym="KARI", summary="Lunar orbiter."
    )
    nasa = MemberProfilePageFactory(parent=members_index, acronym="NASA", summary="Artemis.")
    for page in (kari, nasa):
        index.insert_or_update_object(page)

    assert list(MemberProfilePage.objects.search("KARI")) == [kari]
    assert list(MemberProfilePage.objects.search("orbiter")) == [kari]


def test_faq_sections_are_found_by_their_questions(home):
    section = FAQPageFactory(parent=FAQIndexPageFactory(parent=home), title="ISECG")
    section.questions.create(question="Who coordinates exploration?", answer="<p>ISECG.</p>")
    index.insert_or_update_object(section)

    assert list(FAQPage.objects.search("coordinates")) == [section]
