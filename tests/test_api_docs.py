"""The schema documents how to use the API: a getting-started guide whose webhook code really
verifies the CMS's signatures, the webhook payloads as OpenAPI 3.1 `webhooks`, and `servers`."""

import datetime
import json
import re

import jsonschema
import pytest
import yaml
from django.utils import timezone

from pipeline.models import Change
from pipeline.webhooks.models import secret_generate
from pipeline.webhooks.outbox import payload_for, payload_for_test_event, release_payload
from pipeline.webhooks.signing import signature_headers

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api_client, settings):
    settings.API_PUBLIC_BASE_URL = "https://api.example.org"
    response = api_client.get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_openapi_3_1_with_the_public_server(schema):
    assert schema["openapi"] == "3.1.0"
    assert schema["servers"] == [
        {"url": "https://api.example.org", "description": "The API's public base"}
    ]


def test_the_description_is_a_getting_started_guide(schema):
    guide = schema["info"]["description"]
    for heading in (
        "## Getting started",
        "## Tokens",
        "## Pagination and `fields`",
        "## ETags and 304",
        "## Following the change feed",
        "## Webhooks",
        "## Previews and share links",
    ):
        assert heading in guide, heading
    assert "API=https://api.example.org/api/v1\n" in guide
    assert "If-None-Match" in guide and "Authorization: Bearer" in guide
    assert "{prefix" not in guide and "{base}" not in guide


def guide_function(schema, name: str):
    """Run the guide's Python block and return the function it defines."""
    code = re.search(r"```python\n(.*?)```", schema["info"]["description"], re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "guide.md", "exec"), namespace)  # noqa: S102 (our own documentation)
    return namespace[name]


def change(**overrides) -> Change:
    values = {
        "seq": 7,
        "action": "published",
        "page_id": 26,
        "type": "member",
        "version": 2,
        "at": timezone.now(),
        "release_id": None,
    }
    return Change(**{**values, **overrides})


def test_the_guide_s_verification_code_accepts_the_cms_s_signatures_only(schema):
    verify = guide_function(schema, "verify_webhook")
    secret, old_secret = secret_generate(), secret_generate()
    body = payload_for(change())
    headers = signature_headers(
        event_id="msg_1", body=body, secrets=[old_secret, secret], at=timezone.now()
    )
    assert verify(secret, headers, body.encode())["data"]["id"] == 26  # either secret of a rotation
    assert verify(old_secret, headers, body.encode())["type"] == "content.published"
    with pytest.raises(ValueError, match="bad signature"):
        verify(secret, headers, body.replace('"id":26', '"id":27').encode())
    with pytest.raises(ValueError, match="bad signature"):
        verify(secret_generate(), headers, body.encode())
    stale = signature_headers(
        event_id="msg_1",
        body=body,
        secrets=[secret],
        at=timezone.now() - datetime.timedelta(minutes=10),
    )
    with pytest.raises(ValueError, match="stale"):
        verify(secret, stale, body.encode())


def validate(schema, component: str, payload: str) -> None:
    jsonschema.validate(
        json.loads(payload),
        {"$ref": f"#/components/schemas/{component}", "components": schema["components"]},
        cls=jsonschema.Draft202012Validator,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def test_the_webhooks_section_describes_the_payloads_the_cms_sends(schema):
    webhooks = schema["webhooks"]
    content = webhooks["contentChanged"]["post"]["requestBody"]["content"]["application/json"]
    release = webhooks["releasePublished"]["post"]["requestBody"]["content"]["application/json"]
    assert content["schema"] == {"$ref": "#/components/schemas/ContentEvent"}
    assert release["schema"] == {"$ref": "#/components/schemas/ReleaseEvent"}
    for action in ("published", "unpublished", "deleted", "moved", "visibility_changed"):
        validate(schema, "ContentEvent", payload_for(change(action=action, version=None)))
    validate(schema, "ContentEvent", payload_for(change(release_id=3)))
    validate(
        schema,
        "ReleaseEvent",
        release_payload(
            release_id=3,
            title="Spring update",
            at=timezone.now(),
            changes=[change(seq=8), change(seq=9, action="unpublished", version=None)],
            seqs=(8, 9),
        ),
    )
    test = webhooks["testEvent"]["post"]["requestBody"]["content"]["application/json"]
    assert test["schema"] == {"$ref": "#/components/schemas/TestEvent"}
    validate(schema, "TestEvent", payload_for_test_event(endpoint_id=4, at=timezone.now()))
    with pytest.raises(jsonschema.ValidationError):
        validate(schema, "ContentEvent", payload_for(change()).replace('"seq":7', '"seq":"7"'))
