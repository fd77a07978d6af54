"""Property-based testing of the whole API against its own OpenAPI schema with schemathesis.

A live server serves a published site; schemathesis reads /api/v1/schema/ and sends each
operation generated requests (valid and invalid) and runs every check it has: nothing answers
5xx; every answer has a documented status, content type, headers and body shape; what the
schema admits is accepted and what it refuses is refused (so the schema and the code say the
same thing); unsupported methods, missing headers and authentication are handled as declared.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test.testcases import QuietWSGIRequestHandler
from rest_framework.throttling import SimpleRateThrottle
from wagtail.models import Site

from releases import services

from .factories import UserFactory
from .helpers import build_site, index_for_search, token_for
from .release_support import draft, release_of

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = "all"
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")


WARNINGS = [
    "missing_auth",
    "missing_test_data",
    "base_url_mismatch",
    "missing_deserializer",
    "unused_openapi_auth",
    "unsupported_regex",
    "method_not_allowed",
    "unmatched_filter",
    "unresolvable_reference",
    "rate_limited",
    "dictionary_mismatch",
]


# A well-formed cursor (the schema gives its exact form) may still be older than the retention
# window or ahead of the log: 410, documented, and no schema can say which seqs exist.
# A release range whose start is after its end is refused (400, documented): both bounds are
# valid date-times on their own, and no schema can relate one parameter to another.
CONFIG = """
[[operations]]
include-operation-id = "changes_list"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "3xx", "401", "403", "404", "409", "410", "429", "5xx",
]

[[operations]]
include-operation-id = "release_list"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx",
]
"""


def run_schemathesis(live_server, workdir: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run the schemathesis CLI on the live server (in `workdir`, where it keeps its cache)."""
    config = workdir / "schemathesis.toml"
    config.write_text(CONFIG)
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(config),
            "run",
            f"{live_server.url}/api/v1/schema/?format=json",
            "--url",
            live_server.url,
            "--checks",
            CHECKS,
            "--max-examples",
            MAX_EXAMPLES,
            "--workers",
            "1",
            "--seed",
            "20241",
            "--request-timeout",
            "20",
            # Every warning but one: the preview endpoint rejects generated tokens by design
            # (they are signed); tests/test_preview_security.py covers forged tokens.
            "--warnings",
            ",".join(WARNINGS),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=workdir,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.fixture
def served_site(live_server, monkeypatch):
    """A published site behind a live server, throttling out of the way.

    The live server writes headers and body separately; with Nagle's algorithm on, each
    kept-alive request then waits out the client's delayed ACK (40 ms). TCP_NODELAY, the
    standard library's own switch, makes the run ten times faster.
    """
    monkeypatch.setattr(QuietWSGIRequestHandler, "disable_nagle_algorithm", True)
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {
            "anon": "100000/minute",
            "user": "100000/minute",
            "preview": "100000/minute",
            "auth_failure": "100000/minute",
        },
    )
    site = build_site(Site.objects.get(is_default_site=True).root_page.specific)
    services.release_publish(release=release_of(draft(site.nasa, summary="Released.")))
    index_for_search()
    return site


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    live_server, served_site, tmp_path
):
    result = run_schemathesis(live_server, tmp_path)

    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-3000:]
    assert "No issues found" in result.stdout, result.stdout[-6000:]
    assert re.search(r"Tested: 25\b", result.stdout), result.stdout  # every operation


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_with_a_member_token(live_server, served_site, tmp_path):
    token = token_for(UserFactory(username="fuzzing-member", groups=["Members"]))

    result = run_schemathesis(
        live_server,
        tmp_path,
        "--header",
        f"Authorization: Bearer {token}",
        "--phases",
        "examples,fuzzing",
    )

    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-3000:]
    assert "No issues found" in result.stdout, result.stdout[-6000:]
