"""Responsive images: WebP and a fallback at a few widths, rendered at publish, every URL 200."""

import json
import re
import urllib.request

import pytest
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file, get_test_image_file_jpeg

from .factories import (
    MemberProfilePageFactory,
    MembersIndexPageFactory,
    RoadmapIndexPageFactory,
    RoadmapReleasePageFactory,
)
from .helpers import publish

Image = get_image_model()
Rendition = Image.get_rendition_model()


def image_of(size, *, jpeg=False, title="Logo"):
    make = get_test_image_file_jpeg if jpeg else get_test_image_file
    return Image.objects.create(title=title, description=f"{title} alt", file=make(size=size))


def image_urls(value) -> set[str]:
    """Every image URL a document carries: fields, renditions, sources, rich-text srcsets."""
    urls = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "url" and isinstance(item, str) and "/images/" in item:
                urls.add(item)
            elif key == "srcset":
                urls.update(part.split()[0] for part in item.split(","))
            else:
                urls.update(image_urls(item))
    elif isinstance(value, list):
        for item in value:
            urls.update(image_urls(item))
    elif isinstance(value, str) and "<img" in value:
        urls.update(re.findall(r'src="([^"]+)"', value))
        for srcset in re.findall(r'srcset="([^"]+)"', value):
            urls.update(part.split()[0] for part in srcset.split(","))
    return urls


@pytest.mark.django_db
def test_sources_never_upscale_and_keep_jpeg(api_client, home, media_root):
    members = publish(MembersIndexPageFactory(parent=publish(home)))
    small = MemberProfilePageFactory(parent=members, logo=image_of((200, 100)))
    medium = MemberProfilePageFactory(parent=members, logo=image_of((800, 600), jpeg=True))
    publish(small), publish(medium)

    small_logo = api_client.get(f"/api/v1/members/{small.pk}/").json()["logo"]
    assert [s["type"] for s in small_logo["sources"]] == ["image/webp", "image/png"]
    for source in small_logo["sources"]:
        assert [(r["width"], r["height"]) for r in source["renditions"]] == [(200, 100)]
    medium_logo = api_client.get(f"/api/v1/members/{medium.pk}/").json()["logo"]
    assert [s["type"] for s in medium_logo["sources"]] == ["image/webp", "image/jpeg"]
    for source in medium_logo["sources"]:
        assert [r["width"] for r in source["renditions"]] == [320, 640, 800]
        assert source["srcset"].endswith(" 800w") and source["srcset"].count("w,") == 2
    assert medium_logo["alt"] == "Logo alt"


@pytest.mark.django_db
def test_renditions_are_made_at_publish_not_per_request(api_client, home, media_root):
    members = publish(MembersIndexPageFactory(parent=publish(home)))
    page = MemberProfilePageFactory(parent=members, logo=image_of((1600, 800)))
    publish(page)
    made = Rendition.objects.count()
    assert made >= 4 + 6  # the named renditions, and 3 widths x 2 formats
    api_client.get(f"/api/v1/members/{page.pk}/")
    assert Rendition.objects.count() == made


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_delivered_image_url_answers(live_server, home, media_root, settings):
    settings.SERVE_MEDIA = True
    settings.API_PUBLIC_BASE_URL = live_server.url
    logo, cover, figure = (
        image_of((700, 500)),
        image_of((1400, 900), jpeg=True),
        image_of((300, 300)),
    )
    home = publish(home)
    members = publish(MembersIndexPageFactory(parent=home))
    member = MemberProfilePageFactory(
        parent=members,
        logo=logo,
        body=f'<p>Team</p><embed embedtype="image" id="{figure.pk}" format="left" alt="Team"/>',
    )
    publish(member)
    roadmap = publish(RoadmapIndexPageFactory(parent=home))
    release = RoadmapReleasePageFactory(
        parent=roadmap,
        cover_image=cover,
        body=json.dumps(
            [{"type": "image", "value": {"image": figure.pk, "alt": "Fig", "caption": "Fig. 1"}}]
        ),
    )
    publish(release)

    urls = set()
    for path in (f"/api/v1/members/{member.pk}/", f"/api/v1/roadmap-releases/{release.pk}/"):
        with urllib.request.urlopen(live_server.url + path) as response:
            urls |= image_urls(json.load(response))
    assert len(urls) > 20
    webp = 0
    for url in sorted(urls):
        assert url.startswith(live_server.url), url
        with urllib.request.urlopen(url) as response:
            assert response.status == 200, url
            kind = response.headers["Content-Type"]
            assert kind.startswith("image/"), (url, kind)
            webp += kind == "image/webp"
    assert webp >= 6
