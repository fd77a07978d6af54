"""Rich text, images, documents and StreamField blocks as they leave the API."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.rich_text import RichText

from .factories import StandardPageFactory
from .helpers import fresh, picture, publish, srcset

pytestmark = pytest.mark.django_db

BASE = "https://cms.example"
PDF = b"%PDF-1.4\n% a roadmap\n" + b"0" * 1000


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    """Media and document URLs are absolute, on the configured public base URL."""
    settings.API_PUBLIC_BASE_URL = BASE


@pytest.fixture
def image(media_root):
    return get_image_model().objects.create(
        title="NASA insignia",
        description="The NASA meatball: a blue disc with stars and an orbit",
        file=get_test_image_file(filename="nasa.png", size=(640, 480)),
    )


@pytest.fixture
def document(media_root):
    document = get_document_model()(title="GER 3 (PDF)", file=ContentFile(PDF, name="ger3.pdf"))
    document._set_document_file_metadata()  # as the admin's upload form does
    document.save()
    return document


def test_internal_page_links_point_at_the_frontend_path(api_client, shared_site):
    page = fresh(shared_site.kari)
    page.body = (
        f'<p>Member since the <a linktype="page" id="{shared_site.ger2.pk}">second edition</a>; '
        f'see <a linktype="page" id="{shared_site.home.pk}">home</a>.</p>'
    )
    publish(page)

    body = api_client.get(f"/api/v1/members/{page.pk}/").json()["body"]

    assert (
        f'<a href="/roadmap/ger-2/" data-page-id="{shared_site.ger2.pk}">second edition</a>' in body
    )
    assert f'<a href="/" data-page-id="{shared_site.home.pk}">home</a>' in body
    assert "linktype" not in body


def test_a_link_to_a_deleted_page_keeps_its_words_only(api_client, shared_site):
    page = fresh(shared_site.kari)
    page.body = '<p>See <a linktype="page" id="987654">an old page</a>.</p>'
    publish(page)

    body = api_client.get(f"/api/v1/members/{page.pk}/").json()["body"]

    assert body == "<p>See <a>an old page</a>.</p>"


def test_document_links_point_at_the_document_url(api_client, shared_site, document):
    page = fresh(shared_site.kari)
    page.body = f'<p>Read <a linktype="document" id="{document.pk}">the roadmap</a>.</p>'
    publish(page)

    body = api_client.get(f"/api/v1/members/{page.pk}/").json()["body"]

    assert f'<a href="{BASE}/documents/{document.pk}/ger3.pdf">the roadmap</a>' in body


def test_embedded_images_are_renditions_with_alt_text(api_client, shared_site, image):
    page = fresh(shared_site.kari)
    page.body = (
        f'<embed embedtype="image" id="{image.pk}" format="left" alt="KARI at the meeting"/>'
        f'<embed embedtype="image" id="{image.pk}" format="fullwidth" alt=""/>'
    )
    publish(page)

    body = api_client.get(f"/api/v1/members/{page.pk}/").json()["body"]

    left = image.get_rendition("width-500")
    full = image.get_rendition("width-800")
    assert (
        picture(
            BASE,
            image,
            left,
            alt="KARI at the meeting",
            css="richtext-image left",
            widths=[320, 500],
        )
        in body
    )
    assert (
        picture(
            BASE,
            image,
            full,
            alt=image.description,
            css="richtext-image full-width",
            widths=[320, 640],
        )
        in body
    )
    assert "embedtype" not in body


def test_an_image_field_carries_its_renditions(api_client, shared_site, image, settings):
    page = fresh(shared_site.nasa)
    page.logo = image
    publish(page)

    logo = api_client.get(f"/api/v1/members/{page.pk}/").json()["logo"]

    assert logo == {
        "id": image.pk,
        "title": "NASA insignia",
        "alt": image.description,
        "width": 640,
        "height": 480,
        "url": f"{BASE}{image.file.url}",
        "renditions": {
            "thumbnail": {
                "url": f"{BASE}{image.get_rendition('fill-160x160').url}",
                "width": 160,
                "height": 160,
            },
            "small": {
                "url": f"{BASE}{image.get_rendition('max-480x480').url}",
                "width": 480,
                "height": 360,
            },
            "medium": {
                "url": f"{BASE}{image.get_rendition('max-960x960').url}",
                "width": 640,
                "height": 480,
            },
            "large": {
                "url": f"{BASE}{image.get_rendition('max-1920x1920').url}",
                "width": 640,
                "height": 480,
            },
        },
        "sources": [
            {
                "type": f"image/{fmt}",
                "srcset": srcset(BASE, image, [320, 640], fmt),
                "renditions": [
                    {
                        "url": f"{BASE}{image.get_rendition(f'width-{w}|format-{fmt}').url}",
                        "width": w,
                        "height": w * 3 // 4,
                    }
                    for w in (320, 640)
                ],
            }
            for fmt in ("webp", "png")
        ],
    }
    assert set(logo["renditions"]) == set(settings.API_IMAGE_RENDITIONS)


def test_an_image_without_a_description_is_described_by_its_title(
    api_client, shared_site, media_root
):
    image = get_image_model().objects.create(title="CSA logo", file=get_test_image_file())
    page = fresh(shared_site.csa)
    page.logo = image
    publish(page)

    assert api_client.get(f"/api/v1/members/{page.pk}/").json()["logo"]["alt"] == "CSA logo"


def test_a_document_field_has_url_size_and_type(api_client, shared_site, document, image):
    page = fresh(shared_site.ger3)
    page.document = document
    page.cover_image = image
    publish(page)

    release = api_client.get(f"/api/v1/roadmap-releases/{page.pk}/").json()

    assert release["document"] == {
        "id": document.pk,
        "title": "GER 3 (PDF)",
        "url": f"{BASE}/documents/{document.pk}/ger3.pdf",
        "file_size": len(PDF),
        "content_type": "application/pdf",
    }
    assert release["cover_image"]["renditions"]["thumbnail"]["width"] == 160


def test_stream_field_blocks(api_client, shared_site, image, document):
    page = StandardPageFactory(
        parent=fresh(shared_site.home),
        slug="about-isecg",
        title="About ISECG",
        body=[
            ("heading", "Who we are"),
            (
                "paragraph",
                RichText(
                    f'<p>Founded by <a linktype="page" id="{shared_site.nasa.pk}">NASA</a>.</p>'
                ),
            ),
            ("image", {"image": image, "alt": "Founders in 2007", "caption": "Kyoto, 2007"}),
            ("image", {"image": image, "alt": "", "caption": ""}),
            ("document", {"document": document, "label": "Terms of reference"}),
            ("quote", {"text": "Coordinate, do not duplicate.", "attribution": "ISECG"}),
        ],
    )
    publish(page)

    body = api_client.get(f"/api/v1/pages/{page.pk}/").json()["body"]

    assert [block["type"] for block in body] == [
        "heading",
        "paragraph",
        "image",
        "image",
        "document",
        "quote",
    ]
    assert all(isinstance(block["id"], str) and block["id"] for block in body)
    assert body[0]["value"] == "Who we are"
    assert body[1]["value"] == (
        f'<p>Founded by <a href="/members/nasa/" data-page-id="{shared_site.nasa.pk}">NASA</a>.</p>'
    )
    assert body[2]["value"]["caption"] == "Kyoto, 2007"
    assert body[2]["value"]["image"]["alt"] == "Founders in 2007"
    assert body[2]["value"]["image"]["renditions"]["small"]["width"] == 480
    assert body[3]["value"]["image"]["alt"] == image.description
    assert body[4]["value"] == {
        "document": {
            "id": document.pk,
            "title": "GER 3 (PDF)",
            "url": f"{BASE}/documents/{document.pk}/ger3.pdf",
            "file_size": len(PDF),
            "content_type": "application/pdf",
        },
        "label": "Terms of reference",
    }
    assert body[5]["value"] == {"text": "Coordinate, do not duplicate.", "attribution": "ISECG"}


def test_editing_an_image_re_renders_the_items_showing_it(
    api_client, shared_site, image, django_capture_on_commit_callbacks
):
    page = fresh(shared_site.nasa)
    page.logo = image
    publish(page)

    with django_capture_on_commit_callbacks(execute=True):  # re-rendered once the edit commits
        image.description = "The NASA meatball, redrawn"
        image.save()

    member = api_client.get(f"/api/v1/members/{page.pk}/").json()
    assert member["logo"]["alt"] == "The NASA meatball, redrawn"
    assert member["version"] == 3  # a new version, caused by the embedded image
