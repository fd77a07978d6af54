"""Links and embeds in rich text: the admin refuses broken ones; stored ones never break a page.

Editors post Draftail's contentstate; a crafted post (here: the JSON a browser would send, edited)
can carry an image format that does not exist or an id that is not a number. Data imports and
old revisions can store the same. The editor gets a form error; what is already stored still
opens in the admin, publishes (the embed degraded or dropped, and logged) and previews.
"""

import datetime
import json
import logging

import pytest
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Revision
from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from content_models.models import MemberProfilePage, StandardPage
from preview import services as preview_services

from .admin_forms import edit_page, edit_url, form_data
from .factories import (
    FAQIndexPageFactory,
    FAQPageFactory,
    FAQQuestionFactory,
    MemberProfilePageFactory,
    StandardPageFactory,
)
from .helpers import publish

pytestmark = pytest.mark.django_db

BAD_EMBEDS = (
    '<embed embedtype="image" id="{image}" format="bogusformat" alt="Bogus format"/>'
    '<embed embedtype="image" id="abc" format="left" alt="Not an id"/>'
    '<embed embedtype="image" id="99999999999999999999999" format="left" alt="Too large"/>'
    '<embed embedtype="image" format="left" alt="No id"/>'
    '<embed embedtype="media" url="https://www.youtube.com/watch?v=x"/>'
    '<p>See <a linktype="page" id="abc">a page</a>, <a linktype="bogus" id="1">a thing</a> '
    'and <a linktype="document" id="99999999999999999999999">a file</a>.</p>'
)


@pytest.fixture
def image(media_root):
    return get_image_model().objects.create(
        title="Gateway", description="The Gateway station", file=get_test_image_file()
    )


@pytest.fixture
def profile(members_index):
    return publish(MemberProfilePageFactory(parent=members_index, acronym="CSA"))


@pytest.fixture
def standard(home):
    return publish(StandardPageFactory(parent=home, slug="about"))


@pytest.fixture
def faq(home):
    section = FAQPageFactory(parent=publish(FAQIndexPageFactory(parent=home)), slug="isecg")
    FAQQuestionFactory(page=section, anchor="what", question="What?")
    return publish(section)


def image_contentstate(image_id, image_format) -> str:
    """Return the contentstate a browser posts for one embedded image, with these values."""
    state = json.loads(rich_text('<embed embedtype="image" id="1" format="left" alt="A"/>'))
    [entity] = state["entityMap"].values()
    entity["data"].update(id=image_id, format=image_format)
    return json.dumps(state)


def link_contentstate(entity_type: str, target_id) -> str:
    """Return the contentstate of a paragraph linking to a page or document with this id."""
    html = '<p><a linktype="page" id="1">words</a></p>'
    if entity_type == "DOCUMENT":
        html = '<p><a linktype="document" id="1">words</a></p>'
    state = json.loads(rich_text(html))
    [entity] = state["entityMap"].values()
    entity["data"]["id"] = target_id
    return json.dumps(state)


def latest_revision_id(page) -> int:
    return Revision.page_revisions.filter(object_id=str(page.pk)).latest("pk").pk


def store_bad_draft(page, image) -> Revision:
    """Store a draft holding BAD_EMBEDS in every rich text of the page, as an import would."""
    draft = page.get_latest_revision_as_object()
    html = BAD_EMBEDS.format(image=image.pk)
    if isinstance(draft, MemberProfilePage):
        draft.body = html
    elif isinstance(draft, StandardPage):
        draft.body = [("paragraph", RichText(html))]
    else:
        questions = list(draft.questions.all())
        questions[0].answer = html
        draft.questions = questions
    return draft.save_revision(clean=False)


# The admin refuses them: a form error, nothing saved.

BAD_CONTENTSTATES = {
    "unknown image format": (lambda image: image_contentstate(image.pk, "bogusformat"), "format"),
    "image id not a number": (lambda image: image_contentstate("abc", "left"), "no valid image"),
    "unknown image": (lambda image: image_contentstate(987654, "left"), "no longer exists"),
    "page id not a number": (lambda image: link_contentstate("LINK", "abc"), "no valid page"),
    "document id not a number": (
        lambda image: link_contentstate("DOCUMENT", "abc"),
        "no valid document",
    ),
}


@pytest.mark.parametrize("case", BAD_CONTENTSTATES)
def test_a_broken_embed_or_link_in_a_rich_text_field_is_a_form_error(
    editor_client, profile, image, case
):
    make, message = BAD_CONTENTSTATES[case]
    before = latest_revision_id(profile)

    response = edit_page(editor_client, profile, {"body": make(image)})

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["body"])
    assert message in errors, errors
    assert latest_revision_id(profile) == before


def test_an_unknown_image_format_in_a_streamfield_paragraph_is_a_form_error(
    editor_client, standard, image
):
    before = latest_revision_id(standard)
    body = nested_form_data(
        {"body": streamfield([("paragraph", image_contentstate(image.pk, "bogusformat"))])}
    )

    response = edit_page(editor_client, standard, body)

    assert response.status_code == 200
    assert "bogusformat" in response.content.decode()
    assert response.context["form"].errors["body"]
    assert latest_revision_id(standard) == before


def test_an_unknown_image_format_in_an_faq_answer_is_a_form_error(editor_client, faq, image):
    before = latest_revision_id(faq)

    response = edit_page(
        editor_client, faq, {"questions-0-answer": image_contentstate(image.pk, "bogusformat")}
    )

    assert response.status_code == 200
    [question_form] = response.context["form"].formsets["questions"].forms
    assert "bogusformat" in " ".join(question_form.errors["answer"])
    assert latest_revision_id(faq) == before


def malformed_link() -> str:
    state = json.loads(rich_text('<p><a href="https://esa.int/">words</a></p>'))
    [entity] = state["entityMap"].values()
    entity["data"]["url"] = {"not": "a string"}
    return json.dumps(state)


MALFORMED_POSTS = {
    "not JSON": lambda: "not json",
    "not contentstate": lambda: "[1, 2]",
    "wrong types in an entity": malformed_link,
}


@pytest.mark.parametrize("case", MALFORMED_POSTS)
def test_a_malformed_editor_post_is_a_form_error(editor_client, profile, case):
    before = latest_revision_id(profile)

    response = edit_page(editor_client, profile, {"body": MALFORMED_POSTS[case]()})

    assert response.status_code == 200
    assert "could not be read" in " ".join(response.context["form"].errors["body"])
    assert latest_revision_id(profile) == before


def test_a_malformed_editor_post_in_a_streamfield_paragraph_is_a_form_error(
    editor_client, standard
):
    before = latest_revision_id(standard)
    body = nested_form_data({"body": streamfield([("paragraph", "not json")])})

    response = edit_page(editor_client, standard, body)

    assert response.status_code == 200
    assert "could not be read" in response.content.decode()
    assert latest_revision_id(standard) == before


def test_a_known_format_still_saves(editor_client, profile, image):
    response = edit_page(editor_client, profile, {"body": image_contentstate(image.pk, "right")})

    assert response.status_code == 302
    profile.refresh_from_db()
    stored = profile.get_latest_revision_as_object().body
    assert f'id="{image.pk}"' in stored and 'format="right"' in stored


# What is already stored: the edit view opens, publishing and previewing degrade the embed.


@pytest.mark.parametrize("page_fixture", ["profile", "standard", "faq"])
@pytest.mark.parametrize("client_fixture", ["editor_client", "reviewer_client"])
def test_the_edit_view_opens_when_a_stored_revision_has_broken_embeds(
    request, image, page_fixture, client_fixture
):
    page = request.getfixturevalue(page_fixture)
    client = request.getfixturevalue(client_fixture)
    store_bad_draft(page, image)

    response = client.get(edit_url(page))

    assert response.status_code == 200
    assert response.context["form"] is not None


def test_saving_a_page_opened_with_an_unknown_format_stores_the_default_format(
    editor_client, profile, image
):
    draft = profile.get_latest_revision_as_object()
    draft.body = f'<embed embedtype="image" id="{image.pk}" format="bogusformat" alt="G"/>'
    draft.save_revision(clean=False)

    data = form_data(editor_client.get(edit_url(profile)))
    response = editor_client.post(edit_url(profile), data)

    assert response.status_code == 302, response.context["form"].errors
    stored = MemberProfilePage.objects.get(pk=profile.pk).get_latest_revision_as_object().body
    assert 'format="fullwidth"' in stored and "bogusformat" not in stored


def test_saving_a_page_opened_with_an_image_id_that_is_not_a_number_asks_to_remove_it(
    editor_client, profile
):
    draft = profile.get_latest_revision_as_object()
    draft.body = '<embed embedtype="image" id="abc" format="left" alt="G"/>'
    draft.save_revision(clean=False)
    before = latest_revision_id(profile)

    response = editor_client.post(
        edit_url(profile), form_data(editor_client.get(edit_url(profile)))
    )

    assert response.status_code == 200
    assert "no valid image id" in " ".join(response.context["form"].errors["body"])
    assert latest_revision_id(profile) == before


@pytest.mark.parametrize("page_fixture", ["profile", "standard", "faq"])
def test_publishing_a_stored_revision_with_broken_embeds_degrades_them_and_logs(
    request, api_client, reviewer, image, caplog, page_fixture
):
    page = request.getfixturevalue(page_fixture)
    revision = store_bad_draft(page, image)

    with caplog.at_level(logging.WARNING, logger="documents.rendering"):
        revision.publish(user=reviewer)

    collection = {"profile": "members", "standard": "pages", "faq": "faqs"}[page_fixture]
    response = api_client.get(f"/api/v1/{collection}/{page.pk}/")
    assert response.status_code == 200
    document = response.json()
    assert document["version"] == 2
    html = json.dumps(document)
    full_width = image.get_rendition("width-800")
    assert f"{full_width.url}" in html  # the unknown format degraded to full width
    assert html.count("<img ") == 1  # the embeds without a usable image are dropped
    assert "embedtype" not in html and "linktype" not in html
    assert "a page</a>" in html and "a thing</a>" in html and "a file</a>" in html
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "'bogusformat' is unknown" in logged
    assert "without a valid id" in logged


def test_the_preview_api_answers_a_stored_revision_with_broken_embeds(
    api_client, profile, image, reviewer
):
    revision = store_bad_draft(profile, image)
    profile.refresh_from_db()
    _link, token = preview_services.share_link_create(
        page=profile, revision=revision, user=reviewer, expires_in=datetime.timedelta(hours=1)
    )

    response = api_client.get("/api/v1/preview/", {"token": token})

    assert response.status_code == 200, response.content[:500]
    assert response.json()["body"].count("<img ") == 1
