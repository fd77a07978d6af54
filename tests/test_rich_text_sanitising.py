"""Rich text leaves the API without anything a browser would run, and with all the editor made.

Frontends insert rich text as HTML (the reference frontend with innerHTML). The admin's editor
cannot produce a script, but a data import or a direct database write can store one: the
payloads here are written straight into the models, the way an import would, and published.
"""

import datetime
import json
import re

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.rich_text import RichText

from pipeline.models import PublishedVersion
from preview import services as preview_services

from .admin_forms import edit_page
from .factories import (
    FAQIndexPageFactory,
    FAQPageFactory,
    FAQQuestionFactory,
    MemberProfilePageFactory,
    MembersIndexPageFactory,
    StandardPageFactory,
)
from .helpers import picture, publish

pytestmark = pytest.mark.django_db

BASE = "https://cms.example"
PAYLOADS = (
    "<p>Logo: <img src=x onerror=alert(1)></p>"
    '<p><a href="javascript:alert(1)">click me</a></p>'
    '<p><a href="JaVaScRiPt:alert(2)">shout</a> <a href="java&#x09;script:alert(3)">tab</a></p>'
    "<script>alert(4)</script><svg onload=alert(5)></svg>"
    '<p style="background:url(javascript:alert(6))" onclick="alert(7)">styled</p>'
    '<iframe src="javascript:alert(8)"></iframe>'
    '<p><img src="data:image/svg+xml,<svg onload=alert(9)>"></p>'
)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.API_PUBLIC_BASE_URL = BASE


def member_with_payloads(home):
    members = publish(MembersIndexPageFactory(parent=home))
    return publish(MemberProfilePageFactory(parent=members, body=PAYLOADS)), "members"


def paragraph_with_payloads(home):
    page = StandardPageFactory(parent=home, body=[("paragraph", RichText(PAYLOADS))])
    return publish(page), "pages"


def answer_with_payloads(home):
    section = FAQPageFactory(parent=publish(FAQIndexPageFactory(parent=home)))
    FAQQuestionFactory(page=section, answer=PAYLOADS)
    return publish(section), "faqs"


def assert_nothing_runs(text: str) -> None:
    assert not EVENT_HANDLER.search(text), EVENT_HANDLER.search(text)
    assert "javascript:" not in text.lower()
    assert "<script" not in text and "<svg" not in text and "<iframe" not in text
    assert "style=" not in text and "data:" not in text


@pytest.mark.parametrize(
    "build", [member_with_payloads, paragraph_with_payloads, answer_with_payloads]
)
def test_stored_scripts_leave_the_api_without_handlers_or_javascript_urls(api_client, home, build):
    page, collection = build(home)

    response = api_client.get(f"/api/v1/{collection}/{page.pk}/")

    assert response.status_code == 200
    text = response.content.decode()
    assert_nothing_runs(text)
    assert "click me</a>" in text and "styled</p>" in text  # the words stay
    assert '<img src=\\"x\\">' in text  # an image without its handler
    assert_nothing_runs(PublishedVersion.objects.filter(page_id=page.pk).get().body)


def test_stored_scripts_are_not_in_the_preview_either(api_client, home, reviewer):
    page, _ = member_with_payloads(home)
    _link, token = preview_services.share_link_create(
        page=page,
        revision=page.latest_revision,
        user=reviewer,
        expires_in=datetime.timedelta(hours=1),
    )

    response = api_client.get("/api/v1/preview/", {"token": token})

    assert response.status_code == 200
    assert_nothing_runs(response.content.decode())


# Everything the editor produces, posted through the admin's own form, is delivered.


def block(key, text, kind="unstyled", styles=(), entities=()):
    return {
        "key": key,
        "text": text,
        "type": kind,
        "depth": 0,
        "inlineStyleRanges": [{"offset": o, "length": n, "style": s} for o, n, s in styles],
        "entityRanges": [{"offset": o, "length": n, "key": k} for o, n, k in entities],
        "data": {},
    }


def test_everything_the_editor_produces_is_delivered(
    editor_client, reviewer, api_client, members_index, media_root
):
    about = publish(StandardPageFactory(parent=members_index.get_parent(), slug="about"))
    image = get_image_model().objects.create(
        title="Gateway", description="Gateway", file=get_test_image_file(size=(1000, 500))
    )
    document = get_document_model()(title="GER", file=ContentFile(b"%PDF-1.4", name="ger.pdf"))
    document.save()
    profile = publish(MemberProfilePageFactory(parent=members_index, acronym="CSA"))
    paragraph = "bold italic\nnext external email page document sup sub strike code"
    contentstate = {
        "blocks": [
            block("h2key", "Heading two", "header-two"),
            block("h3key", "Heading three", "header-three"),
            block("h4key", "Heading four", "header-four"),
            block(
                "pkey",
                paragraph,
                styles=[(0, 4, "BOLD"), (5, 6, "ITALIC")],
                entities=[(17, 8, 0), (26, 5, 1), (32, 4, 2), (37, 8, 3)],
            ),
            block("olkey", "one", "ordered-list-item"),
            block("ulkey", "two", "unordered-list-item"),
            block("hrkey", " ", "atomic", entities=[(0, 1, 4)]),
            block("imkey", " ", "atomic", entities=[(0, 1, 5)]),
        ],
        "entityMap": {
            "0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": "https://esa.int/"}},
            "1": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": "mailto:a@esa.int"}},
            "2": {"type": "LINK", "mutability": "MUTABLE", "data": {"id": about.pk}},
            "3": {"type": "DOCUMENT", "mutability": "MUTABLE", "data": {"id": document.pk}},
            "4": {"type": "HORIZONTAL_RULE", "mutability": "IMMUTABLE", "data": {}},
            "5": {
                "type": "IMAGE",
                "mutability": "IMMUTABLE",
                "data": {"id": image.pk, "format": "left", "alt": "The station", "src": ""},
            },
        },
    }

    response = edit_page(editor_client, profile, {"body": json.dumps(contentstate)})
    assert response.status_code == 302
    profile.refresh_from_db()
    profile.get_latest_revision().publish(user=reviewer)

    body = api_client.get(f"/api/v1/members/{profile.pk}/").json()["body"]

    rendition = image.get_rendition("width-500")
    assert body == (
        '<h2 data-block-key="h2key">Heading two</h2>'
        '<h3 data-block-key="h3key">Heading three</h3>'
        '<h4 data-block-key="h4key">Heading four</h4>'
        '<p data-block-key="pkey"><b>bold</b> <i>italic</i><br>next '
        '<a href="https://esa.int/">external</a> <a href="mailto:a@esa.int">email</a> '
        f'<a href="/about/" data-page-id="{about.pk}">page</a> '
        f'<a href="{BASE}{document.url}">document</a> sup sub strike code</p>'
        '<ol><li data-block-key="olkey">one</li></ol>'
        '<ul><li data-block-key="ulkey">two</li></ul>'
        "<hr>"
        + picture(
            BASE, image, rendition, alt="The station", css="richtext-image left", widths=[320, 500]
        )
    )
