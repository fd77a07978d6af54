"""Media that live pages show: editors cannot change them past review; reviewers can.

Editing an image or a document re-renders every live page that shows it (a new version with
`cause: dependency`, a feed entry, webhooks). Editors, who cannot publish, add and choose media
and edit media no live page shows; changing or deleting what live pages show takes the right to
publish them (Reviewers). Everything goes through Wagtail's admin views with the real groups.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.test.utils.form_data import querydict_from_html

from pipeline.models import Change, PublishedVersion
from pipeline.webhooks.models import WebhookDelivery, WebhookEndpoint

from .factories import MemberProfilePageFactory, StandardPageFactory
from .helpers import publish

pytestmark = pytest.mark.django_db

EDIT_FORM_ID = "w-editor-form"


@pytest.fixture
def image(media_root):
    return get_image_model().objects.create(
        title="NASA logo", description="The NASA insignia", file=get_test_image_file()
    )


@pytest.fixture
def document(media_root):
    document = get_document_model()(title="GER 3", file=ContentFile(b"%PDF-1.4", name="ger3.pdf"))
    document._set_document_file_metadata()
    document.save()
    return document


@pytest.fixture
def nasa(members_index, image, document):
    """A live member profile showing the image as its logo and linking to the document."""
    body = f'<p>Read <a linktype="document" id="{document.pk}">the roadmap</a>.</p>'
    return publish(
        MemberProfilePageFactory(parent=members_index, acronym="NASA", logo=image, body=body)
    )


@pytest.fixture
def endpoint(db):
    """A subscriber: every feed entry becomes a delivery in the outbox."""
    return WebhookEndpoint.objects.create(url="https://hooks.example.org/cms")


def edit_url(media) -> str:
    name = "wagtailimages:edit" if isinstance(media, get_image_model()) else "wagtaildocs:edit"
    return reverse(name, args=[media.pk])


def edit_media(client, media, changes: dict, capture):
    """Load the media's edit form as the admin renders it, apply `changes`, post it.

    Commit hooks run (the pipeline re-renders after the commit), as in a real request.
    """
    response = client.get(edit_url(media))
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id=EDIT_FORM_ID)
    for name, value in changes.items():
        data[name] = value
    with capture(execute=True):
        return client.post(edit_url(media), {**data.dict(), **changes})


def pipeline_counts() -> tuple[int, int, int]:
    return (
        PublishedVersion.objects.count(),
        Change.objects.count(),
        WebhookDelivery.objects.count(),
    )


def new_png(name="nasa-2024.png"):
    upload = get_test_image_file(filename=name, colour="red", size=(300, 200))
    return SimpleUploadedFile(name, upload.file.getvalue(), content_type="image/png")


def form_errors(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


# Images


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "NASA meatball"},
        {"description": "A red square"},
        {"focal_point_x": "10", "focal_point_y": "10"},
    ],
    ids=["title", "alt text", "focal point"],
)
def test_an_editor_cannot_change_an_image_that_live_pages_show(
    editor_client, nasa, image, endpoint, django_capture_on_commit_callbacks, changes
):
    before = pipeline_counts()

    response = edit_media(editor_client, image, changes, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    message = form_errors(response)
    assert f"Live pages show this image (“{nasa.title}”)" in message
    assert "Ask a reviewer, or upload a new image" in message
    image.refresh_from_db()
    assert (image.title, image.description, image.focal_point_x) == (
        "NASA logo",
        "The NASA insignia",
        None,
    )
    assert pipeline_counts() == before


def test_an_editor_cannot_replace_the_file_of_an_image_that_live_pages_show(
    editor_client, nasa, image, endpoint, django_capture_on_commit_callbacks
):
    file_before, before = image.file.name, pipeline_counts()

    response = edit_media(
        editor_client, image, {"file": new_png()}, django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    assert "Live pages show this image" in form_errors(response)
    image.refresh_from_db()
    assert image.file.name == file_before and image.width == 640
    assert pipeline_counts() == before


def test_a_reviewer_changes_an_image_that_live_pages_show_and_they_are_rendered_again(
    reviewer_client, api_client, nasa, image, endpoint, django_capture_on_commit_callbacks
):
    response = edit_media(
        reviewer_client,
        image,
        {"title": "NASA meatball", "file": new_png()},
        django_capture_on_commit_callbacks,
    )

    assert response.status_code == 302, form_errors(response)
    logo = api_client.get(f"/api/v1/members/{nasa.pk}/").json()["logo"]
    assert (logo["title"], logo["width"]) == ("NASA meatball", 300)
    latest = PublishedVersion.objects.filter(page_id=nasa.pk).latest("number")
    assert (latest.number, latest.cause) == (2, PublishedVersion.Cause.DEPENDENCY)
    assert Change.objects.latest("seq").page_id == nasa.pk
    assert WebhookDelivery.objects.filter(endpoint=endpoint, page_id=nasa.pk).count() == 1


def test_an_editor_edits_an_image_no_live_page_shows(
    editor_client, members_index, image, django_capture_on_commit_callbacks
):
    draft_only = MemberProfilePageFactory(parent=members_index, acronym="ESA", live=False)
    draft_only.logo = image
    draft_only.save_revision()

    response = edit_media(
        editor_client,
        image,
        {"title": "ESA logo", "file": new_png()},
        django_capture_on_commit_callbacks,
    )

    assert response.status_code == 302, form_errors(response)
    image.refresh_from_db()
    assert (image.title, image.width) == ("ESA logo", 300)


def test_an_editor_may_tag_an_image_that_live_pages_show(
    editor_client, nasa, image, django_capture_on_commit_callbacks
):
    before = pipeline_counts()

    response = edit_media(
        editor_client, image, {"tags": "logo, agency"}, django_capture_on_commit_callbacks
    )

    assert response.status_code == 302, form_errors(response)
    assert set(image.tags.names()) == {"logo", "agency"}
    assert pipeline_counts() == before  # the re-render found nothing changed


def test_an_editor_opens_an_image_that_live_pages_show_without_a_delete_button(
    editor_client, reviewer_client, nasa, image
):
    delete_url = reverse("wagtailimages:delete", args=[image.pk])

    editor_page = editor_client.get(edit_url(image))
    reviewer_page = reviewer_client.get(edit_url(image))

    assert editor_page.status_code == 200
    assert delete_url not in editor_page.content.decode()
    assert delete_url in reviewer_page.content.decode()


def test_an_editor_cannot_delete_an_image_that_live_pages_show(
    editor_client, api_client, nasa, image, django_capture_on_commit_callbacks
):
    delete_url = reverse("wagtailimages:delete", args=[image.pk])
    before = pipeline_counts()

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(delete_url)

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert get_image_model().objects.filter(pk=image.pk).exists()
    assert api_client.get(f"/api/v1/members/{nasa.pk}/").json()["logo"]["id"] == image.pk
    assert pipeline_counts() == before


def test_a_reviewer_deletes_an_image_that_live_pages_show_and_they_drop_it(
    reviewer_client, api_client, nasa, image, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(reverse("wagtailimages:delete", args=[image.pk]))

    assert response.status_code == 302
    assert not get_image_model().objects.filter(pk=image.pk).exists()
    assert api_client.get(f"/api/v1/members/{nasa.pk}/").json()["logo"] is None


def test_an_editor_deletes_an_image_no_live_page_shows(editor_client, image):
    response = editor_client.post(reverse("wagtailimages:delete", args=[image.pk]))

    assert response.status_code == 302
    assert not get_image_model().objects.filter(pk=image.pk).exists()


def test_an_editor_cannot_bulk_delete_an_image_that_live_pages_show(editor_client, nasa, image):
    url = (
        reverse("wagtail_bulk_action", args=["wagtailimages", "image", "delete"])
        + f"?id={image.pk}"
    )

    editor_client.post(url)

    assert get_image_model().objects.filter(pk=image.pk).exists()


def test_an_editor_cannot_change_an_image_that_live_pages_show_after_a_multiple_upload(
    editor_client, nasa, image
):
    prefix = f"image-{image.pk}"

    response = editor_client.post(
        reverse("wagtailimages:edit_multiple", args=[image.pk]),
        {
            f"{prefix}-title": "Renamed in the uploader",
            f"{prefix}-description": "",
            f"{prefix}-collection": image.collection_id,
            f"{prefix}-tags": "",
        },
    )

    assert response.status_code == 200
    assert response.json()["success"] is False
    image.refresh_from_db()
    assert image.title == "NASA logo"


# Documents


def test_an_editor_cannot_change_a_document_that_live_pages_show(
    editor_client, nasa, document, endpoint, django_capture_on_commit_callbacks
):
    before = pipeline_counts()
    new_file = SimpleUploadedFile("ger3-v2.pdf", b"%PDF-1.4 v2", content_type="application/pdf")

    response = edit_media(
        editor_client,
        document,
        {"title": "GER 3, revised", "file": new_file},
        django_capture_on_commit_callbacks,
    )

    assert response.status_code == 200
    assert f"Live pages show this document (“{nasa.title}”)" in form_errors(response)
    document.refresh_from_db()
    assert (document.title, document.file.name) == ("GER 3", "documents/ger3.pdf")
    assert pipeline_counts() == before


def test_a_reviewer_changes_a_document_that_live_pages_show_and_they_are_rendered_again(
    reviewer_client, api_client, nasa, document, endpoint, django_capture_on_commit_callbacks
):
    new_file = SimpleUploadedFile("ger3-v2.pdf", b"%PDF-1.4 v2", content_type="application/pdf")

    response = edit_media(
        reviewer_client,
        document,
        {"title": "GER 3, revised", "file": new_file},
        django_capture_on_commit_callbacks,
    )

    assert response.status_code == 302, form_errors(response)
    body = api_client.get(f"/api/v1/members/{nasa.pk}/").json()["body"]
    assert "ger3-v2" in body
    latest = PublishedVersion.objects.filter(page_id=nasa.pk).latest("number")
    assert (latest.number, latest.cause) == (2, PublishedVersion.Cause.DEPENDENCY)
    assert WebhookDelivery.objects.filter(endpoint=endpoint, page_id=nasa.pk).count() == 1


def test_an_editor_edits_a_document_no_live_page_shows(
    editor_client, home, document, django_capture_on_commit_callbacks
):
    unpublished = StandardPageFactory(parent=home, live=False)
    unpublished.save_revision()

    response = edit_media(
        editor_client, document, {"title": "GER 3 (draft)"}, django_capture_on_commit_callbacks
    )

    assert response.status_code == 302, form_errors(response)
    document.refresh_from_db()
    assert document.title == "GER 3 (draft)"


def test_an_editor_cannot_delete_a_document_that_live_pages_show(editor_client, nasa, document):
    response = editor_client.post(reverse("wagtaildocs:delete", args=[document.pk]))

    assert response.status_code == 302
    assert get_document_model().objects.filter(pk=document.pk).exists()
