"""The typed client: TypeScript types generated from the OpenAPI schema (frontend/types/api.d.ts,
`make types`), kept in step with it (drift fails), and the reference frontend type-checked
against them, so that an API change that breaks the frontend fails CI.

Node tools come from frontend/package-lock.json (`make node`, which `make test` runs).
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
TYPES = FRONTEND / "types" / "api.d.ts"
TSC = FRONTEND / "node_modules" / ".bin" / "tsc"
GENERATOR = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"


@pytest.fixture(scope="module", autouse=True)
def node_tools():
    if shutil.which("npm") is None:
        pytest.skip("Node.js and npm are not installed (apt-get install nodejs npm)")
    if not (TSC.exists() and GENERATOR.exists()):
        pytest.fail("frontend/node_modules is missing: run `make node` (npm ci from the lock file)")


def run(*argv, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300)


def typecheck(folder: Path) -> subprocess.CompletedProcess:
    return run(str(TSC), "--noEmit", "--pretty", "false", "-p", str(folder / "tsconfig.json"))


def copy_of_the_frontend(tmp_path: Path) -> Path:
    """The files the type check reads, in a folder of their own."""
    copy = tmp_path / "frontend"
    shutil.copytree(FRONTEND / "static", copy / "static")
    shutil.copytree(FRONTEND / "types", copy / "types")
    shutil.copy(FRONTEND / "tsconfig.json", copy / "tsconfig.json")
    return copy


@pytest.mark.slow
def test_the_committed_types_are_those_the_schema_generates():
    result = run("scripts/generate-types", "--check")

    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_out_of_date_types_fail_the_drift_check_saying_how_to_fix_it(tmp_path):
    stale = tmp_path / "api.d.ts"
    stale.write_text(TYPES.read_text().replace("acronym: string;", "short_name: string;"))

    result = run("scripts/generate-types", "--check", str(stale))

    assert result.returncode == 1
    assert "-            short_name: string;" in result.stderr  # the diff shows what changed
    assert "is out of date with the API's OpenAPI schema: run `make types`" in result.stderr


def test_the_reference_frontend_type_checks_against_the_api_types():
    sources = sorted(p.name for p in (FRONTEND / "static" / "assets").glob("*.js"))
    assert sources == ["api.js", "app.js", "render.js"]
    for name in sources:
        assert (FRONTEND / "static" / "assets" / name).read_text().startswith("// @ts-check\n")

    result = typecheck(FRONTEND)

    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("before", "after", "error"),
    [
        # A field the member directory shows is renamed.
        ("acronym: string;", "short_name: string;", "Property 'acronym' does not exist"),
        # The release page loses the field that says "Supersedes" or "Updates".
        ('relation: components["schemas"]["RelationEnum"];', "", "Property 'relation'"),
        # An endpoint moves.
        ('"/api/v1/members/": {', '"/api/v1/agencies/": {', '"/api/v1/members/"'),
        # A filter is renamed.
        (
            "iss_partner?: boolean;\n                joined_after",
            "iss?: boolean;\n                joined_after",
            "iss_partner",
        ),
    ],
    ids=["renamed-field", "removed-field", "moved-endpoint", "renamed-filter"],
)
def test_an_api_change_that_breaks_the_frontend_fails_the_type_check(
    tmp_path, before, after, error
):
    copy = copy_of_the_frontend(tmp_path)
    types = copy / "types" / "api.d.ts"
    assert before in types.read_text()
    types.write_text(types.read_text().replace(before, after))

    result = typecheck(copy)

    assert result.returncode != 0
    assert "static/assets/" in result.stdout
    assert error in result.stdout, result.stdout
