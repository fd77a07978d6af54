"""The FAQ editor: each question's panel is headed by the question itself, so that collapsed
questions can be told apart (Wagtail heads them "Question 1", "Question 2"...)."""

import re

import pytest
from bs4 import BeautifulSoup

from .admin_forms import edit_page, edit_url
from .factories import FAQIndexPageFactory, FAQPageFactory, FAQQuestionFactory

QUESTIONS = ["What is ISECG?", "Who are the members?", "How often do they meet?"]


@pytest.fixture
def faq(home):
    index = FAQIndexPageFactory(parent=home)
    section = FAQPageFactory(parent=index, title="ISECG", slug="isecg")
    for question in QUESTIONS:
        FAQQuestionFactory(page=section, question=question)
    section.save_revision().publish()
    return section


def child_headings(html: str) -> list[str]:
    """The headings of the question panels as the editor shows them (collapsed or not)."""
    forms = BeautifulSoup(html, "html.parser").find(id="id_questions-FORMS")
    return [
        " ".join(child.select_one("[data-inline-panel-child-summary]").get_text().split())
        for child in forms.select("[data-inline-panel-child]")
    ]


def test_each_question_panel_is_headed_by_its_question(editor_client, faq):
    response = editor_client.get(edit_url(faq))

    assert response.status_code == 200
    html = response.content.decode()
    assert child_headings(html) == QUESTIONS
    assert not re.search(r"Questions?\s*<span data-inline-panel-child-count", html)


def test_a_new_question_is_headed_question_until_typed(editor_client, faq):
    html = editor_client.get(edit_url(faq)).content.decode()
    template = BeautifulSoup(html, "html.parser").find(id="id_questions-EMPTY_FORM_TEMPLATE")

    heading = BeautifulSoup(template.decode_contents(), "html.parser").select_one(
        "[data-inline-panel-child-summary]"
    )
    assert heading.get_text(strip=True) == "Question"
    assert heading["data-empty"] == "Question"
    # The script that retitles a child as its question is typed, for this formset's field.
    assert 'var suffix = "-question"' in html
    assert "Add Question" in html


def test_headings_show_the_edited_questions_when_the_form_comes_back_with_an_error(
    editor_client, faq
):
    response = edit_page(
        editor_client,
        faq,
        {"questions-1-question": "Which agencies are members?", "title": ""},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert child_headings(response.content.decode()) == [
        QUESTIONS[0],
        "Which agencies are members?",
        QUESTIONS[2],
    ]
