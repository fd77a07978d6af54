"""GET /api/v1/faqs/: FAQ sections with their questions in order, each with a stable id."""

import pytest

from .helpers import OLD_ANSWER, assert_problem, fresh, ids_of, publish

pytestmark = pytest.mark.django_db


def test_faq_section_has_its_questions_in_editor_order(api_client, shared_site):
    response = api_client.get(f"/api/v1/faqs/{shared_site.faq_isecg.pk}/")

    assert response.status_code == 200
    faq = response.json()
    assert faq["type"] == "faq"
    assert faq["slug"] == "isecg"
    assert faq["title"] == "ISECG"
    assert faq["url_path"] == "/faq/isecg/"
    assert {"published_at", "last_published_at", "version"} <= set(faq)
    assert faq["questions"] == [
        {"id": "what-is-isecg", "question": "What is ISECG?", "answer": OLD_ANSWER},
        {
            "id": "who-are-the-members",
            "question": "Who are the members?",
            "answer": "<p>An answer.</p>",
        },
        {
            "id": "how-often-do-they-meet",
            "question": "How often do they meet?",
            "answer": "<p>An answer.</p>",
        },
    ]


def test_faq_list_holds_every_section_in_site_order(api_client, shared_site):
    response = api_client.get("/api/v1/faqs/")

    assert ids_of(response) == [shared_site.faq_isecg.pk, shared_site.faq_roadmap.pk]
    assert response.json()["results"][1]["questions"][0]["id"] == "what-is-the-ger"


def test_faq_filter_by_slug(api_client, shared_site):
    assert ids_of(api_client.get("/api/v1/faqs/?slug=roadmap-faq")) == [shared_site.faq_roadmap.pk]


def test_faq_fields_can_leave_out_the_questions(api_client, shared_site):
    response = api_client.get("/api/v1/faqs/?fields=title")

    assert response.json()["results"][0] == {
        "id": shared_site.faq_isecg.pk,
        "type": "faq",
        "title": "ISECG",
    }


def test_question_ids_stay_when_questions_are_reworded_and_reordered(api_client, shared_site):
    faq = fresh(shared_site.faq_isecg)
    questions = list(faq.questions.all())
    questions[0].question = "What, exactly, is ISECG?"
    faq.questions = [questions[2], questions[0], questions[1]]
    for position, question in enumerate(faq.questions.all()):
        question.sort_order = position
    publish(faq)

    served = api_client.get(f"/api/v1/faqs/{faq.pk}/").json()

    assert [(q["id"], q["question"]) for q in served["questions"]] == [
        ("how-often-do-they-meet", "How often do they meet?"),
        ("what-is-isecg", "What, exactly, is ISECG?"),
        ("who-are-the-members", "Who are the members?"),
    ]
    assert served["version"] == 2


def test_a_question_answer_is_rich_text_with_resolved_links(api_client, shared_site):
    faq = fresh(shared_site.faq_roadmap)
    ger3 = shared_site.ger3
    question = faq.questions.get()
    question.answer = f'<p>See <a linktype="page" id="{ger3.pk}">the third edition</a>.</p>'
    question.save()
    publish(faq)

    answer = api_client.get(f"/api/v1/faqs/{faq.pk}/").json()["questions"][0]["answer"]

    assert f'<a href="/roadmap/ger-3/" data-page-id="{ger3.pk}">the third edition</a>' in answer
    assert "linktype" not in answer


def test_a_member_is_not_an_faq(api_client, shared_site):
    body = assert_problem(api_client.get(f"/api/v1/faqs/{shared_site.nasa.pk}/"), 404)

    assert str(shared_site.nasa.pk) in body["detail"]
