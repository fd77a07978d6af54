"""`load_isecg_content`: the ISECG site, word for word where it must be, loaded idempotently."""

import html
import io
import re
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageLogEntry, PageViewRestriction, Revision
from wagtail.signals import page_published

from content_models.models import (
    FAQIndexPage,
    FAQPage,
    MemberProfilePage,
    MembersIndexPage,
    RoadmapIndexPage,
    RoadmapReleasePage,
    StandardPage,
)
from content_models.seed import DEFAULT_DATA_FILE

SOURCE = Path(__file__).resolve().parent / "data/isecg-faq-seed.txt"  # the seed FAQ, copied
ISS_PARTNERS = {"CSA", "ESA", "JAXA", "NASA", "Roscosmos"}
FACTS_COUNTRIES = {
    "ASI": "IT", "UKSA": "GB", "CNES": "FR", "CNSA": "CN", "CSA": "CA", "CSIRO": "AU",
    "DLR": "DE", "ESA": "", "ISRO": "IN", "JAXA": "JP", "KARI": "KR", "NASA": "US",
    "NSAU": "UA", "Roscosmos": "RU", "UAESA": "AE", "ASA": "AU", "LSA": "LU", "POLSA": "PL",
    "ROSA": "RO", "SSO": "CH", "NOSA": "NO", "VNSC": "VN", "AEB": "BR", "GISTDA": "TH",
    "AEM": "MX", "PTS": "PT", "NZSA": "NZ",
}  # fmt: skip
FOUNDERS = {
    "ASI", "UKSA", "CNES", "CNSA", "CSA", "CSIRO", "DLR", "ESA", "ISRO", "JAXA", "KARI", "NASA",
    "NSAU", "Roscosmos",
}  # fmt: skip


def faq_from_source(text: str) -> list[list[tuple[str, str]]]:
    """Read the FAQ from the seed page: sections of (question, answer paragraphs) pairs.

    A question is a line "N. text"; numbering back at 1 starts a new section; the answer is the
    paragraphs up to the next question, without the page's closing copyright line.
    """
    sections: list[list[tuple[str, list[str]]]] = []
    previous_number = 0
    answer: list[str] | None = None
    for paragraph in re.split(r"\n[ \t]*\n", text):
        paragraph = paragraph.strip("\n")
        match = re.match(r"^(\d+)\. (.+)$", paragraph)
        if match:
            number = int(match.group(1))
            if number <= previous_number or not sections:
                sections.append([])
            previous_number = number
            answer = []
            sections[-1].append((match.group(2), answer))
        elif answer is not None and paragraph:
            answer.append(paragraph)
    last_answer = sections[-1][-1][1]
    assert last_answer[-1].startswith("Copyright ©")
    last_answer.pop()
    return [[(q, "\n\n".join(a)) for q, a in section] for section in sections]


def text_of(rich_text: str) -> str:
    """The visible text of rich text made of paragraphs, one paragraph per "\\n\\n"."""
    paragraphs = re.findall(r"<p>(.*?)</p>", rich_text, flags=re.S)
    assert "".join(f"<p>{p}</p>" for p in paragraphs) == rich_text, "answers are only <p>s"
    return "\n\n".join(html.unescape(re.sub(r"<[^>]+>", "", p)) for p in paragraphs)


def faq_from_database() -> list[list[tuple[str, str]]]:
    index = FAQIndexPage.objects.get()
    return [
        [(q.question, text_of(q.answer)) for q in section.questions.all()]
        for section in FAQPage.objects.child_of(index).order_by("path")
    ]


def counts() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "images": get_image_model().objects.count(),
        "documents": get_document_model().objects.count(),
        "restrictions": PageViewRestriction.objects.count(),
        "log entries": PageLogEntry.objects.count(),
    }


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


@pytest.fixture
def published_pages():
    """The pages published while the test runs, in order."""
    published = []

    def receiver(sender, instance, **kwargs):
        published.append(instance.url_path)

    page_published.connect(receiver)
    yield published
    page_published.disconnect(receiver)


@pytest.fixture
def data_file(tmp_path):
    """Write a copy of the project's data file, changed by `change(data)`, and return its path."""

    def write(change) -> Path:
        data = yaml.safe_load(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))
        change(data)
        path = tmp_path / "isecg.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        return path

    return write


def load(*args: str, verbosity: int = 0) -> str:
    out = io.StringIO()
    call_command("load_isecg_content", *args, verbosity=verbosity, stdout=out, stderr=out)
    return out.getvalue()


# FAQ ---------------------------------------------------------------------------------------------


def test_faq_questions_and_answers_equal_the_seed_document_word_for_word(isecg_content):
    expected = faq_from_source(SOURCE.read_text(encoding="utf-8"))

    assert [len(section) for section in expected] == [6, 6]
    assert faq_from_database() == expected


def test_faq_source_copy_is_the_shared_seed_document():
    shared = Path(__file__).resolve().parents[2] / "shared/seed/000_463b17d0b7e3116f.txt"
    if not shared.exists():
        pytest.skip("the shared seed folder is not beside this checkout")
    assert SOURCE.read_bytes() == shared.read_bytes()


def test_faq_sections_are_isecg_then_the_roadmap_with_readable_unique_anchors(isecg_content):
    index = FAQIndexPage.objects.get()
    sections = FAQPage.objects.child_of(index).order_by("path")

    assert index.slug == "faq"
    assert [(s.title, s.slug) for s in sections] == [
        ("ISECG", "isecg"),
        ("Global Exploration Roadmap", "global-exploration-roadmap"),
    ]
    for section in sections:
        anchors = [q.anchor for q in section.questions.all()]
        assert len(set(anchors)) == len(anchors)
        assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", anchor) for anchor in anchors)
    assert sections[0].questions.first().anchor == "what-does-isecg-stand-for"


def test_isecg_members_phrase_links_to_the_members_index(isecg_content):
    members = MembersIndexPage.objects.get()
    answer = FAQPage.objects.get(slug="isecg").questions.get(
        anchor="who-can-become-a-member-of-isecg"
    )

    assert f'<a linktype="page" id="{members.pk}">ISECG Members</a>' in answer.answer


# Members -----------------------------------------------------------------------------------------


def test_27_members_with_the_countries_and_iss_partners_of_the_facts(isecg_content):
    members = MemberProfilePage.objects.live().order_by("path")

    assert {m.acronym: m.country.code for m in members} == FACTS_COUNTRIES
    assert {m.acronym for m in members if m.iss_partner} == ISS_PARTNERS
    assert all(m.slug == m.acronym.lower() for m in members)
    assert {m.acronym for m in members if m.year_joined == 2007} == FOUNDERS
    assert MemberProfilePage.objects.get(acronym="ESA").country.code == ""


def test_unverified_member_details_are_caveated_not_asserted(isecg_content):
    members = {m.acronym: m for m in MemberProfilePage.objects.all()}

    for acronym in ("NOSA", "VNSC"):
        assert members[acronym].year_joined is None
        assert members[acronym].verification_note == "Joined in 2019 or 2020 (unverified)."
    assert "unverified" in members["NSAU"].verification_note
    assert "unverified" in members["GISTDA"].verification_note
    noted = {acronym for acronym, m in members.items() if m.verification_note}
    assert noted == {"NSAU", "NOSA", "VNSC", "GISTDA"}


def test_each_member_has_a_placeholder_logo_with_alt_text(isecg_content):
    nasa = MemberProfilePage.objects.get(acronym="NASA")

    assert nasa.logo.title == "NASA logo (placeholder)"
    assert "National Aeronautics and Space Administration" in nasa.logo.description
    assert (nasa.logo.width, nasa.logo.height) == (256, 256)
    with nasa.logo.open_file() as logo:
        assert logo.read(8) == b"\x89PNG\r\n\x1a\n"
    assert MemberProfilePage.objects.filter(logo__isnull=True).count() == 0
    assert nasa.website == "https://nasa.gov"


# Roadmap -----------------------------------------------------------------------------------------


def test_six_releases_supersede_or_update_the_right_earlier_release(isecg_content):
    index = RoadmapIndexPage.objects.get()
    releases = {r.slug: r for r in RoadmapReleasePage.objects.live()}

    assert index.slug == "global-exploration-roadmap"
    assert index.get_parent().slug == "publications"
    links = {
        slug: (r.previous_release and r.previous_release.slug, r.relation)
        for slug, r in releases.items()
    }
    assert links == {
        "edition-1": (None, "supersedes"),
        "edition-2": ("edition-1", "supersedes"),
        "edition-3": ("edition-2", "supersedes"),
        "supplement-2020": ("edition-3", "updates"),
        "supplement-2022": ("supplement-2020", "updates"),
        "edition-4": ("edition-3", "supersedes"),
    }
    assert [r.edition_number for r in releases.values() if r.kind == "edition"] == [1, 2, 3, 4]


def test_release_dates_say_how_precisely_they_are_known(isecg_content):
    releases = {r.slug: r for r in RoadmapReleasePage.objects.all()}

    assert str(releases["edition-1"].release_date) == "2011-09-01"
    assert releases["edition-1"].release_date_precision == "month"
    assert releases["supplement-2022"].release_date_precision == "year"
    assert "month unverified" in releases["supplement-2022"].verification_note
    assert "day unverified" in releases["edition-4"].verification_note


def test_contributing_agencies_are_the_members_at_release_time(isecg_content):
    def contributors(slug):
        release = RoadmapReleasePage.objects.get(slug=slug)
        return {m.acronym for m in release.contributing_agencies.all()}, release.verification_note

    agencies, note = contributors("edition-1")
    assert agencies == set()
    assert "twelve agencies" in note
    agencies, note = contributors("edition-2")
    assert agencies == FOUNDERS
    assert "members at the time of release" in note
    assert contributors("edition-3")[0] == FOUNDERS | {"UAESA"}
    assert len(contributors("supplement-2020")[0]) == 24
    assert contributors("edition-4")[0] == set(FACTS_COUNTRIES)


def test_each_release_has_a_placeholder_cover_and_a_valid_placeholder_pdf(isecg_content):
    release = RoadmapReleasePage.objects.get(slug="edition-3")

    assert release.cover_image.title == "Global Exploration Roadmap Edition 3 cover (placeholder)"
    assert release.cover_image.description
    with release.document.open_file() as document:
        pdf = document.read()
    assert release.document.file_extension == "pdf"
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert b"globalspaceexploration.org" in pdf and b"PLACEHOLDER" in pdf
    xref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    assert pdf[xref:].startswith(b"xref")
    for number, offset in enumerate(re.findall(rb"(\d{10}) 00000 n", pdf), start=1):
        assert pdf[int(offset) :].startswith(b"%d 0 obj" % number)
    assert RoadmapReleasePage.objects.filter(document__isnull=True).count() == 0
    assert RoadmapReleasePage.objects.filter(cover_image__isnull=True).count() == 0


# Pages -------------------------------------------------------------------------------------------


def test_section_pages_follow_the_site_navigation(isecg_content):
    in_menu = [p.title for p in isecg_content.get_children().in_menu()]

    assert in_menu == [
        "About ISECG",
        "News",
        "Publications",
        "Advanced Technology",
        "Science Perspectives",
        "Lunar Volatiles",
        "FAQ",
        "Private Area",
    ]
    assert StandardPage.objects.get(slug="news").body
    assert isecg_content.intro


def test_private_area_and_its_pages_are_restricted_to_members(isecg_content):
    private = StandardPage.objects.get(slug="private-area")
    restriction = PageViewRestriction.objects.get(page=private)

    assert restriction.restriction_type == PageViewRestriction.GROUPS
    assert list(restriction.groups.all()) == [Group.objects.get(name="Members")]
    children = private.get_children()
    assert children.exists()
    for child in children:
        assert [r.pk for r in child.get_view_restrictions()] == [restriction.pk]


def test_first_load_publishes_every_page_once_through_wagtail(db, media_root, published_pages):
    load()

    pages = Page.objects.filter(depth__gte=2)
    assert all(page.live and not page.has_unpublished_changes for page in pages)
    assert sorted(published_pages) == sorted(page.url_path for page in pages)
    assert Revision.objects.count() == pages.count()


# Running again -----------------------------------------------------------------------------------


def test_second_run_creates_nothing_and_publishes_nothing(isecg_content, published_pages):
    before = counts()

    output = load(verbosity=1)

    assert counts() == before
    assert published_pages == []
    assert "Everything was already up to date." in output


def test_changed_page_in_the_file_is_updated_and_published_once(
    isecg_content, data_file, published_pages
):
    def change(data):
        data["members"][11]["summary"] = "NASA, changed."

    output = load("--file", str(data_file(change)), verbosity=2)

    assert published_pages == ["/home/members/nasa/"]
    assert MemberProfilePage.objects.get(acronym="NASA").summary == "NASA, changed."
    assert "updated: /members/nasa/ (summary)" in output


def test_page_published_from_the_admin_is_kept_unless_overwrite(
    isecg_content, superuser, published_pages
):
    nasa = MemberProfilePage.objects.get(acronym="NASA")
    nasa.summary = "Edited by a reviewer."
    nasa.save_revision(user=superuser).publish(user=superuser)
    published_pages.clear()

    output = load(verbosity=1)

    assert MemberProfilePage.objects.get(acronym="NASA").summary == "Edited by a reviewer."
    assert published_pages == []
    assert "Members: 0 created, 0 updated, 26 unchanged, 1 kept as edited in the admin" in output

    load("--overwrite")

    assert MemberProfilePage.objects.get(acronym="NASA").summary != "Edited by a reviewer."
    assert published_pages == ["/home/members/nasa/"]


def test_draft_in_progress_is_not_published_over(isecg_content, editor, data_file, published_pages):
    nasa = MemberProfilePage.objects.get(acronym="NASA")
    nasa.summary = "A draft in review."
    draft = nasa.save_revision(user=editor)

    def change(data):
        data["members"][11]["summary"] = "NASA, changed in the file."

    load("--file", str(data_file(change)))

    nasa.refresh_from_db()
    assert published_pages == []
    assert nasa.has_unpublished_changes and nasa.latest_revision == draft


def test_reworded_question_keeps_its_anchor(isecg_content, data_file):
    def change(data):
        data["faq_sections"][0]["questions"][0]["question"] = "What is ISECG short for?"

    load("--file", str(data_file(change)))

    question = FAQPage.objects.get(slug="isecg").questions.first()
    assert (question.anchor, question.question) == (
        "what-does-isecg-stand-for",
        "What is ISECG short for?",
    )


# Dry run -----------------------------------------------------------------------------------------


def test_dry_run_on_an_empty_site_writes_nothing(db, media_root, published_pages):
    before = counts()

    output = load("--dry-run", verbosity=1)

    assert counts() == before
    assert files_under(media_root) == []
    assert published_pages == []
    assert "Members: 27 to create, 0 to update, 0 unchanged" in output
    assert "Dry run: nothing was written." in output


def test_dry_run_reports_a_change_without_making_it(isecg_content, data_file):
    before = counts()

    def change(data):
        data["pages"][0]["title"] = "About us"

    output = load("--dry-run", "--file", str(data_file(change)), verbosity=2)

    assert "to update: /about-isecg/ (title)" in output
    assert counts() == before
    assert StandardPage.objects.get(slug="about-isecg").title == "About ISECG"


# Bad input ---------------------------------------------------------------------------------------


def assert_rejected(path: Path, message: str) -> None:
    with pytest.raises(CommandError) as error:
        load("--file", str(path))
    assert str(error.value) == f"{path}: {message}"
    assert "\n" not in str(error.value)


def test_unknown_country_names_file_item_and_field_and_writes_nothing(db, media_root, data_file):
    before = counts()

    def change(data):
        data["members"][4]["country"] = "XX"

    assert_rejected(
        data_file(change), "members[4] (CSA): country: Value 'XX' is not a valid choice."
    )
    assert counts() == before
    assert files_under(media_root) == []


def test_missing_question_text_names_the_question_and_writes_nothing(db, media_root, data_file):
    before = counts()

    def change(data):
        del data["faq_sections"][0]["questions"][2]["question"]

    assert_rejected(
        data_file(change),
        "faq_sections[0] (isecg).questions[2]: question: This field is required.",
    )
    assert counts() == before


def test_two_releases_with_one_label_are_rejected(db, media_root, data_file):
    def change(data):
        data["releases"][1]["edition_label"] = "Edition 1"

    assert_rejected(
        data_file(change), "releases[1] (edition-2): edition_label: 'Edition 1' is used twice."
    )


def test_unquoted_norway_code_is_explained(db, media_root, data_file):
    def change(data):
        data["members"][20]["country"] = False  # what `country: NO` reads as

    assert_rejected(
        data_file(change),
        'members[20] (NOSA): country: expected a text, got a boolean (quote it: "NO" unquoted '
        "is a boolean in YAML).",
    )


def test_link_to_a_page_not_in_the_file_is_rejected(db, media_root, data_file):
    def change(data):
        data["home"]["intro"] = "See [the archive](page:archive)."

    assert_rejected(data_file(change), "home: intro: link to 'page:archive': no such page in file.")


def test_malformed_yaml_names_the_file_and_line(db, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("home:\n  title: ISECG\npages:\n  - slug: [about\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        load("--file", str(path))

    assert re.fullmatch(
        rf"{re.escape(str(path))}: line \d+, column \d+: invalid YAML: .+", str(error.value)
    )


def test_error_found_mid_way_rolls_back_everything_already_written(
    isecg_content, data_file, media_root
):
    """Release order is checked by the model as the release is saved, after other pages."""
    before, files_before = counts(), files_under(media_root)

    def change(data):
        data["home"]["title"] = "Changed before the error"
        data["members"].append(
            {"acronym": "NEW", "title": "New Agency", "country": "FR", "summary": "New."}
        )
        data["releases"][1]["previous_release"] = "edition-4"

    with pytest.raises(CommandError) as error:
        load("--file", str(data_file(change)))

    assert "releases[1] (edition-2): previous_release: " in str(error.value)
    assert "is not earlier than this release" in str(error.value)
    assert counts() == before
    assert files_under(media_root) == files_before
    assert isecg_content.__class__.objects.get().title != "Changed before the error"
    assert not MemberProfilePage.objects.filter(acronym="NEW").exists()


def test_verbosity_zero_prints_nothing(db, media_root):
    assert load(verbosity=0) == ""
