"""Stored documents carry absolute media URLs: the base they were rendered for is recorded, a
changed `API_PUBLIC_BASE_URL` is named by a system check, and `rebuild_documents
--if-base-changed` renders them again (what `make run` and the deploy steps run)."""

import io

import pytest
from django.core import checks
from django.core.management import call_command

from pipeline.models import FeedState
from pipeline.public_base import UNRECORDED

from .helpers import edit, make_image

pytestmark = pytest.mark.django_db


def base_warnings() -> list[checks.CheckMessage]:
    return [m for m in checks.run_checks(databases=["default"]) if m.id == "pipeline.W010"]


def rebuild_if_changed() -> str:
    out = io.StringIO()
    call_command("rebuild_documents", "--if-base-changed", stdout=out)
    return out.getvalue()


@pytest.fixture
def nasa_with_logo(settings, site, media_root):
    settings.TEST_BASE_BEFORE = settings.API_PUBLIC_BASE_URL.rstrip("/")
    settings.API_PUBLIC_BASE_URL = "http://old.example:8000"
    logo = make_image("NASA logo", filename="nasa.png")
    return edit(site.nasa, logo=logo)


def test_the_first_document_records_the_base_it_was_rendered_for(
    settings, nasa_with_logo, api_client
):
    logo = api_client.get(f"/api/v1/members/{nasa_with_logo.pk}/").json()["logo"]

    assert logo["url"].startswith("http://old.example:8000/media/")
    # site published its pages with the test settings' base, before the fixture changed it
    assert FeedState.objects.get().documents_base == settings.TEST_BASE_BEFORE


def test_a_changed_base_is_named_by_a_check_and_rebuilt(settings, nasa_with_logo, api_client):
    call_command("rebuild_documents", verbosity=0)  # every document now uses old.example
    assert FeedState.objects.get().documents_base == "http://old.example:8000"
    assert base_warnings() == []
    assert "nothing to do" in rebuild_if_changed()

    settings.API_PUBLIC_BASE_URL = "http://127.0.0.1:9000/"

    assert not [m for m in checks.run_checks() if m.id == "pipeline.W010"]  # no database: quiet
    (warning,) = base_warnings()
    assert warning.level == checks.WARNING
    assert "rendered for http://old.example:8000" in warning.msg
    assert "is now http://127.0.0.1:9000" in warning.msg
    assert "rebuild_documents --if-base-changed" in warning.hint

    output = rebuild_if_changed()

    assert "rebuilding them for http://127.0.0.1:9000" in output
    logo = api_client.get(f"/api/v1/members/{nasa_with_logo.pk}/").json()["logo"]
    assert logo["url"].startswith("http://127.0.0.1:9000/media/")
    assert all(url.startswith("http://127.0.0.1:9000/") for url in logo_urls(logo))
    assert FeedState.objects.get().documents_base == "http://127.0.0.1:9000"
    assert base_warnings() == []


def test_documents_from_before_the_record_are_rebuilt_once(settings, nasa_with_logo):
    FeedState.objects.filter(pk=1).update(documents_base=UNRECORDED)

    (warning,) = base_warnings()
    assert "for an unrecorded base" in warning.msg
    assert "rebuilding" in rebuild_if_changed()
    assert "nothing to do" in rebuild_if_changed()


def test_a_partial_rebuild_records_nothing(settings, nasa_with_logo):
    settings.API_PUBLIC_BASE_URL = "http://new.example"
    call_command("rebuild_documents", "--type", "member", verbosity=0)

    assert FeedState.objects.get().documents_base == settings.TEST_BASE_BEFORE


def logo_urls(logo: dict) -> list[str]:
    urls = [logo["url"]]
    for rendition in (logo.get("renditions") or {}).values():
        if isinstance(rendition, dict):
            urls.extend(v for k, v in rendition.items() if k in ("url", "src") and v)
    return urls
