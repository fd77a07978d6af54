"""The delivery API's content negotiation answers exactly what DRF's would."""

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.negotiation import DeliveryContentNegotiation

HEADERS = [
    None,
    "*/*",
    "application/json",
    "",
    "text/html",
    "application/json; indent=4",
    "application/*",
    "text/html, */*;q=0.1",
    "application/xml",
]


def select(negotiation, accept, renderers, query=""):
    extra = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/api/v1/members/{query}", **extra))
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers)
    except Exception as error:  # the 406 (NotAcceptable) or 404 (format) DRF raises
        return type(error).__name__
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("accept", HEADERS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api", "?limit=5"])
@pytest.mark.parametrize(
    "renderers", [[JSONRenderer()], [JSONRenderer(), BrowsableAPIRenderer()]], ids=["json", "both"]
)
def test_the_shortcut_answers_what_drf_answers(accept, query, renderers):
    ours = select(DeliveryContentNegotiation(), accept, renderers, query)
    drf = select(DefaultContentNegotiation(), accept, renderers, query)
    assert ours == drf


def test_an_unacceptable_accept_header_is_still_a_406_problem(api_client, db):
    response = api_client.get("/api/v1/members/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/problem+json"
