"""Bad values reach editors as form errors on the re-rendered editor: never a 500, nothing saved.

The admin tests post the real page editor; the model tests call `full_clean()` for the rules
that live on the models, which the content loader relies on as well.
"""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from wagtail.models import Page, Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from content_models.models import FAQPage, MemberProfilePage, RoadmapReleasePage

from .admin_forms import create_page, edit_page, workflow_action_url
from .factories import (
    FAQIndexPageFactory,
    FAQPageFactory,
    FAQQuestionFactory,
    MemberProfilePageFactory,
    RoadmapIndexPageFactory,
    RoadmapReleasePageFactory,
)

NOT_SAVED = re.compile(r"The page could not be (saved|created) due to validation errors\.")
NEXT_YEAR = timezone.now().year + 1


@pytest.fixture
def csa(members_index):
    return MemberProfilePageFactory(
        parent=members_index, title="Canadian Space Agency", acronym="CSA"
    )


@pytest.fixture
def roadmap_index(home):
    return RoadmapIndexPageFactory(parent=home)


@pytest.fixture
def releases(roadmap_index):
    """Three editions of the roadmap, in release order."""
    return [
        RoadmapReleasePageFactory(
            parent=roadmap_index,
            title=f"The Global Exploration Roadmap, edition {number}",
            slug=f"edition-{number}",
            edition_number=number,
            release_date=datetime.date(year, 1, 1),
        )
        for number, year in ((1, 2011), (2, 2013), (3, 2018))
    ]


@pytest.fixture
def faq_section(home):
    section = FAQPageFactory(parent=FAQIndexPageFactory(parent=home), title="ISECG", slug="isecg")
    FAQQuestionFactory(page=section, question="What is ISECG?", anchor="what-is-isecg")
    FAQQuestionFactory(page=section, question="Who are its members?", anchor="members")
    return section


def page_state(page: Page) -> tuple:
    """What a failed save must leave untouched: the page row and its revisions."""
    row = Page.objects.get(pk=page.pk).specific
    revisions = Revision.page_revisions.filter(object_id=str(page.pk)).count()
    fields = {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}
    return (revisions, fields)


def latest_draft(page: Page) -> Page:
    """Return the page as its newest revision holds it."""
    return Page.objects.get(pk=page.pk).get_latest_revision_as_object()


def assert_form_error(response, field: str | None, message: str) -> None:
    """Assert the editor came back with `message` on `field` (None: on the whole form)."""
    assert response.status_code == 200
    errors = response.context["form"].errors.get(field or "__all__", [])
    assert any(message in error for error in errors), dict(response.context["form"].errors)
    content = response.content.decode()
    assert NOT_SAVED.search(content)
    assert escape(message) in content


def assert_formset_error(response, formset: str, message: str) -> None:
    assert response.status_code == 200
    errors = response.context["form"].formsets[formset].non_form_errors()
    assert any(message in error for error in errors), errors
    content = response.content.decode()
    assert NOT_SAVED.search(content)
    assert escape(message) in content


# Member profiles


@pytest.mark.parametrize("code", ["XX", "fr", "FRA", "EU"])
def test_unknown_country_code_is_a_form_error(editor_client, csa, code):
    before = page_state(csa)

    response = edit_page(editor_client, csa, {"country": code})

    assert_form_error(response, "country", f"Select a valid choice. {code} is not one of")
    assert page_state(csa) == before


def test_empty_country_is_accepted_for_an_intergovernmental_body(editor_client, csa):
    response = edit_page(editor_client, csa, {"country": ""})

    assert response.status_code == 302
    assert latest_draft(csa).country == ""


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (2006, "Ensure this value is greater than or equal to 2007."),
        (NEXT_YEAR, f"{NEXT_YEAR} is in the future."),
    ],
)
def test_year_joined_outside_2007_to_this_year_is_a_form_error(editor_client, csa, year, message):
    before = page_state(csa)

    response = edit_page(editor_client, csa, {"year_joined": year}, action="submit")

    assert_form_error(response, "year_joined", message)
    assert page_state(csa) == before


@pytest.mark.parametrize("year", [2007, NEXT_YEAR - 1])
def test_year_joined_accepts_2007_and_this_year(editor_client, csa, year):
    response = edit_page(editor_client, csa, {"year_joined": year})

    assert response.status_code == 302
    assert latest_draft(csa).year_joined == year


@pytest.mark.parametrize("acronym", ["CSA", "csa", " Csa "])
def test_duplicate_acronym_in_any_case_is_a_form_error_on_create(
    editor_client, members_index, csa, acronym
):
    pages_before = MemberProfilePage.objects.count()

    response = create_page(
        editor_client,
        MemberProfilePage,
        members_index,
        {"title": "Another agency", "slug": "another", "acronym": acronym},
    )

    assert_form_error(response, "acronym", "Canadian Space Agency already uses the acronym CSA.")
    assert MemberProfilePage.objects.count() == pages_before


def test_duplicate_acronym_is_a_form_error_on_edit(editor_client, members_index, csa):
    other = MemberProfilePageFactory(parent=members_index, acronym="ESA")
    before = page_state(other)

    response = edit_page(editor_client, other, {"acronym": "cSa"})

    assert_form_error(response, "acronym", "already uses the acronym CSA")
    assert page_state(other) == before


def test_a_profile_keeps_its_own_acronym_when_edited(editor_client, csa):
    response = edit_page(editor_client, csa, {"acronym": "csa"})

    assert response.status_code == 302


def test_acronym_taken_by_another_profiles_draft_is_a_form_error(
    editor_client, reviewer_client, members_index, csa
):
    """Otherwise approving the first draft would fail inside the publish with a server error."""
    csa.save_revision().publish()
    edit_page(editor_client, csa, {"acronym": "ESA"}, action="submit")

    response = create_page(
        editor_client,
        MemberProfilePage,
        members_index,
        {"title": "European Space Agency", "slug": "esa", "acronym": "esa"},
    )

    assert_form_error(response, "acronym", "Canadian Space Agency already uses the acronym ESA")
    assert not MemberProfilePage.objects.filter(slug="esa").exists()
    csa.refresh_from_db()
    response = reviewer_client.post(workflow_action_url(csa, "approve"), {"comment": ""})
    assert response.status_code == 302
    csa.refresh_from_db()
    assert (csa.live, csa.acronym) == (True, "ESA")


@pytest.mark.parametrize("publish_copies", ["", "on"])
def test_copying_a_member_profile_is_refused_with_a_message(
    reviewer_client, members_index, csa, publish_copies
):
    csa.save_revision().publish()
    pages_before = MemberProfilePage.objects.count()

    response = reviewer_client.post(
        reverse("wagtailadmin_pages:copy", args=[csa.pk]),
        {
            "new_title": "Copy",
            "new_slug": "copy",
            "new_parent_page": members_index.pk,
            "publish_copies": publish_copies,
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "cannot be copied" in response.content.decode()
    assert MemberProfilePage.objects.count() == pages_before


def test_copying_other_pages_is_still_possible(reviewer_client, releases):
    first = releases[0]

    response = reviewer_client.post(
        reverse("wagtailadmin_pages:copy", args=[first.pk]),
        {"new_title": "Copy", "new_slug": "copy", "new_parent_page": first.get_parent().pk},
    )

    assert response.status_code == 302
    assert RoadmapReleasePage.objects.filter(slug="copy").exists()


# Roadmap releases


def test_release_superseding_itself_is_a_form_error(editor_client, releases):
    second = releases[1]
    before = page_state(second)

    response = edit_page(editor_client, second, {"previous_release": second.pk})

    assert_form_error(response, "previous_release", "A release cannot supersede itself.")
    assert page_state(second) == before


def test_release_superseding_a_later_release_is_a_form_error(editor_client, releases):
    _, second, third = releases
    before = page_state(second)

    response = edit_page(editor_client, second, {"previous_release": third.pk})

    assert_form_error(response, "previous_release", "is not earlier than this release")
    assert page_state(second) == before


def test_release_superseding_an_earlier_release_is_saved(editor_client, releases):
    first, second, _ = releases

    response = edit_page(editor_client, second, {"previous_release": first.pk})

    assert response.status_code == 302
    assert latest_draft(second).previous_release == first


def test_new_release_updating_a_later_release_is_a_form_error(
    editor_client, roadmap_index, releases
):
    pages_before = RoadmapReleasePage.objects.count()

    response = create_page(
        editor_client,
        RoadmapReleasePage,
        roadmap_index,
        {
            "title": "Supplement",
            "slug": "supplement",
            "kind": "supplement",
            "release_date": "2012-06-01",
            "summary": "Updates a release that does not exist yet.",
            "previous_release": releases[2].pk,
        },
    )

    assert_form_error(response, "previous_release", "is not earlier than this release")
    assert RoadmapReleasePage.objects.count() == pages_before


def test_edition_without_its_number_is_a_form_error(editor_client, releases):
    response = edit_page(editor_client, releases[0], {"edition_number": ""})

    assert_form_error(response, "edition_number", "An edition needs its edition number.")


@pytest.mark.parametrize("release_date", ["", "2013-02-30", "next tuesday"])
def test_missing_or_impossible_release_date_is_a_form_error(editor_client, releases, release_date):
    response = edit_page(editor_client, releases[1], {"release_date": release_date})

    assert response.status_code == 200
    assert "release_date" in response.context["form"].errors


# FAQ sections


def new_section(questions: list[dict]) -> dict:
    """Form values for a new FAQ section with `questions`."""
    return {
        "title": "Exploration",
        "slug": "exploration",
        **nested_form_data({"questions": inline_formset(questions, min=1)}),
    }


def question(text: str, anchor: str = "") -> dict:
    return {"question": text, "answer": rich_text(f"<p>About {text}</p>"), "anchor": anchor}


@pytest.mark.parametrize("action", ["publish", "submit"])
def test_faq_section_without_questions_cannot_be_published_or_submitted(
    reviewer_client, faq_section, action
):
    pages_before = FAQPage.objects.count()

    response = create_page(
        reviewer_client, FAQPage, faq_section.get_parent(), new_section([]), action=action
    )

    assert_formset_error(response, "questions", "Please submit at least 1 form.")
    assert FAQPage.objects.count() == pages_before


def test_removing_every_question_of_a_live_section_cannot_be_published(
    reviewer_client, faq_section
):
    before = page_state(faq_section)

    response = edit_page(
        reviewer_client,
        faq_section,
        {"questions-0-DELETE": "1", "questions-1-DELETE": "1"},
        action="publish",
    )

    assert_formset_error(response, "questions", "Please submit at least 1 form.")
    assert page_state(faq_section) == before
    assert faq_section.questions.count() == 2


def test_faq_section_draft_may_have_no_questions_yet(editor_client, faq_section):
    """Wagtail defers "required" checks, formset minimums included, until submit or publish."""
    response = create_page(editor_client, FAQPage, faq_section.get_parent(), new_section([]))

    assert response.status_code == 302
    draft = FAQPage.objects.get(slug="exploration")
    assert draft.live is False


def test_two_questions_with_the_same_anchor_is_a_form_error(editor_client, faq_section):
    before = page_state(faq_section)

    response = edit_page(editor_client, faq_section, {"questions-1-anchor": "what-is-isecg"})

    assert_form_error(response, None, "Each question needs its own anchor; repeated: what-is-isecg")
    assert page_state(faq_section) == before


def test_generated_anchor_clashing_with_a_given_one_is_a_form_error(editor_client, faq_section):
    response = create_page(
        editor_client,
        FAQPage,
        faq_section.get_parent(),
        new_section([question("Why the Moon?"), question("Why Mars?", anchor="why-the-moon")]),
    )

    assert_form_error(response, None, "repeated: why-the-moon")
    assert not FAQPage.objects.filter(slug="exploration").exists()


def test_questions_without_anchors_get_distinct_generated_ones(editor_client, faq_section):
    response = create_page(
        editor_client,
        FAQPage,
        faq_section.get_parent(),
        new_section([question("Why the Moon?"), question("Why Mars?")]),
        action="submit",
    )

    assert response.status_code == 302
    section = FAQPage.objects.get(slug="exploration")
    assert [q.anchor for q in section.questions.all()] == ["why-the-moon", "why-mars"]


# The same rules on the models, for code that saves pages without the admin (the content loader).


def assert_invalid(page: Page, field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    assert any(message in error for error in caught.value.message_dict[field])


@pytest.mark.parametrize("code", ["XX", "EU", "ZZZ"])
def test_model_rejects_unknown_country_code(csa, code):
    csa.country = code
    assert_invalid(csa, "country", f"Value '{code}' is not a valid choice.")


@pytest.mark.parametrize("code", ["fr", "FRA", "250"])
def test_model_normalises_other_iso_forms_of_a_known_country(csa, code):
    csa.country = code
    csa.full_clean()
    assert csa.country.code == "FR"


@pytest.mark.parametrize(
    ("year", "message"), [(2006, "greater than or equal to 2007"), (NEXT_YEAR, "in the future")]
)
def test_model_rejects_year_joined_outside_2007_to_this_year(csa, year, message):
    csa.year_joined = year
    assert_invalid(csa, "year_joined", message)


def test_model_rejects_duplicate_acronym_in_any_case(members_index, csa):
    other = MemberProfilePageFactory(parent=members_index, acronym="ESA")
    other.acronym = "cSa "
    assert_invalid(other, "acronym", "Canadian Space Agency already uses the acronym CSA.")


def test_model_accepts_a_profile_keeping_its_own_acronym(csa):
    csa.full_clean()


def test_model_rejects_an_acronym_used_in_another_profiles_draft(members_index, csa):
    draft = csa.save_revision()  # the live row keeps CSA; the draft takes ESA
    draft.content["acronym"] = "ESA"
    draft.save(update_fields=["content"])
    other = MemberProfilePageFactory(parent=members_index, acronym="NASA")
    other.acronym = "esa"
    assert_invalid(
        other, "acronym", "Canadian Space Agency already uses the acronym ESA in a draft."
    )


def test_model_rejects_a_release_superseding_itself(releases):
    second = releases[1]
    second.previous_release = second
    assert_invalid(second, "previous_release", "A release cannot supersede itself.")


def test_model_rejects_a_release_superseding_a_later_release(releases):
    _, second, third = releases
    second.previous_release = third
    assert_invalid(second, "previous_release", "is not earlier than this release")


def test_model_rejects_an_edition_without_its_number(releases):
    releases[0].edition_number = None
    assert_invalid(releases[0], "edition_number", "An edition needs its edition number.")


def test_model_accepts_a_supplement_without_an_edition_number(releases):
    supplement = releases[2]
    supplement.kind = RoadmapReleasePage.Kind.SUPPLEMENT
    supplement.edition_number = None
    supplement.previous_release = releases[1]
    supplement.full_clean()
