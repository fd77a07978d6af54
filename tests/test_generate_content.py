"""`manage.py generate_content`: bulk synthetic content equal to what a normal publish makes."""

import hashlib
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page, PageLogEntry

from content_models.models import (
    FAQIndexPage,
    FAQPage,
    MemberProfilePage,
    MembersIndexPage,
    RoadmapIndexPage,
    RoadmapReleasePage,
)
from pipeline import services
from pipeline.models import Change, DocumentDependency, FeedState, LiveDocument, PublishedVersion
from pipeline.versions import document_render

ROOT = Path(__file__).resolve().parent.parent


def generate(**options):
    out = StringIO()
    call_command("generate_content", stdout=out, **{"seed": "7", "batch": "2", **options})
    return out.getvalue()


def generated_pages():
    return [
        page.specific
        for page in Page.objects.filter(slug__startswith="synthetic-").order_by("path")
    ]


@pytest.mark.django_db
def test_generated_pages_are_published_wagtail_pages_in_a_valid_tree(home):
    generate(members="5", faqs="3", releases="3")

    assert MemberProfilePage.objects.live().count() == 5
    assert FAQPage.objects.live().count() == 3
    assert RoadmapReleasePage.objects.live().count() == 3
    assert Page.find_problems() == ([], [], [], [], [])  # treebeard: paths, depth, numchild
    members_index = MembersIndexPage.objects.get()
    assert members_index.get_parent().pk == home.pk
    for page in generated_pages():
        assert page.live and not page.has_unpublished_changes
        assert page.live_revision_id == page.latest_revision_id is not None
        assert page.live_revision.as_object().title == page.title
        assert page.url_path == page.get_parent().url_path + page.slug + "/"
        assert PageLogEntry.objects.filter(page=page, action="wagtail.publish").count() == 1
    faq = FAQPage.objects.first()
    assert faq.questions.count() >= 3
    assert [q["question"] for q in faq.live_revision.content["questions"]] == [
        q.question for q in faq.questions.all()
    ]


@pytest.mark.django_db
def test_documents_are_those_a_publish_renders(home):
    generate(members="4", faqs="2", releases="3")
    pages = generated_pages()

    for page in pages:
        version = PublishedVersion.objects.get(page_id=page.pk)
        assert version.number == 1
        assert version.revision_id == page.live_revision_id
        assert version.etag == hashlib.sha256(version.body.encode()).hexdigest()
        document = LiveDocument.objects.get(page=page)
        assert document.version_id == version.pk and document.is_public
        # The pipeline renders the page again: same bytes, so no new version...
        assert services.document_refresh(page=page, cause="rebuild") is None
        # ...and the same dependencies it would record.
        dependencies = document_render(page, audience=[]).dependencies
        stored = set(
            DocumentDependency.objects.filter(document=document).values_list("kind", "target_id")
        )
        assert stored == dependencies
    releases = RoadmapReleasePage.objects.order_by("path")
    body = json.loads(PublishedVersion.objects.get(page_id=releases[2].pk).body)
    assert body["previous_release"]["id"] == releases[1].pk
    assert {a["id"] for a in body["contributing_agencies"]} == set(
        releases[2].contributing_agencies.values_list("pk", flat=True)
    )
    assert len(body["contributing_agencies"]) == 4


@pytest.mark.django_db
def test_a_normal_republish_changes_only_version_and_publication_time(home):
    generate(members="2")
    page = MemberProfilePage.objects.order_by("path").last()
    generated = json.loads(PublishedVersion.objects.get(page_id=page.pk, number=1).body)

    page.save_revision().publish()

    republished = json.loads(PublishedVersion.objects.get(page_id=page.pk, number=2).body)
    assert republished.pop("version") == 2 and generated.pop("version") == 1
    republished.pop("last_published_at")
    generated.pop("last_published_at")
    assert republished == generated


@pytest.mark.django_db
def test_feed_gets_one_published_entry_per_page_in_order_and_listeners_hear_them(
    home, add_change_listener
):
    heard = []
    add_change_listener(heard.extend)
    generate(members="3", faqs="1")

    pages = generated_pages()
    generated_ids = {page.pk for page in pages}
    entries = [c for c in Change.objects.order_by("seq") if c.page_id in generated_ids]
    assert [(c.action, c.version, c.is_public) for c in entries] == [("published", 1, True)] * 4
    assert [c.page_id for c in entries] == [
        p.pk for p in sorted(pages, key=lambda p: (p.get_parent().path, p.path))
    ]
    assert [c.seq for c in heard][-4:] == [c.seq for c in entries]
    assert FeedState.objects.get().last_seq == Change.objects.order_by("-seq").first().seq


@pytest.mark.django_db
def test_run_again_grows_the_site_with_unique_slugs_and_acronyms(home):
    generate(members="3")
    generate(members="3", seed="7")  # the same seed again must not clash

    acronyms = list(MemberProfilePage.objects.values_list("acronym", flat=True))
    slugs = list(MemberProfilePage.objects.values_list("slug", flat=True))
    assert len(acronyms) == len(set(acronyms)) == 6
    assert len(slugs) == len(set(slugs)) == 6
    assert Page.find_problems() == ([], [], [], [], [])
    assert MembersIndexPage.objects.count() == 1


@pytest.mark.django_db
def test_missing_indexes_are_created_and_published(home):
    assert not FAQIndexPage.objects.exists()
    generate(faqs="1", releases="1")

    for model in (FAQIndexPage, RoadmapIndexPage, MembersIndexPage):
        index = model.objects.get()
        assert index.live and index.get_parent().pk == home.pk
        assert LiveDocument.objects.filter(page=index).exists()


@pytest.mark.django_db
def test_generated_pages_are_searchable_and_served_by_the_api(home, api_client):
    generate(members="2")
    page = MemberProfilePage.objects.order_by("path").first()

    hits = MemberProfilePage.objects.live().search(page.title.split()[0])
    assert page.pk in [hit.pk for hit in hits]
    response = api_client.get(f"/api/v1/members/{page.pk}/")
    assert response.status_code == 200
    assert response.content.decode() == PublishedVersion.objects.get(page_id=page.pk).body


@pytest.mark.django_db
def test_progress_respects_verbosity(home):
    assert generate(members="3", verbosity=0) == ""
    output = generate(members="3", verbosity=1)
    assert "members: 2/3" in output and "members: 3/3" in output
    assert "Generated 3 published pages" in output


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"members": "many"}, "--members must be a whole number"),
        ({"faqs": "-1"}, "--faqs must be at least 0"),
        ({"members": "1", "batch": "0"}, "--batch must be at least 1"),
        ({}, "Nothing to generate"),
    ],
)
def test_bad_arguments_are_refused(options, message):
    with pytest.raises(CommandError, match=message):
        generate(**options)
    assert not Page.objects.filter(slug__startswith="synthetic-").exists()


def test_a_bad_argument_is_a_one_line_error():
    result = subprocess.run(
        [sys.executable, "manage.py", "generate_content", "--members", "lots"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"DJANGO_SETTINGS_MODULE": "cms.settings.test", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "CommandError: --members must be a whole number, got 'lots'."
    ]
