"""The packages' import direction (pyproject.toml's import-linter contracts, run by `.ci/run`):
the contracts hold on the code as it is, and an import against them breaks them.

Each test lints a copy of the packages (import-linter reads the source; nothing is imported), so
an import can be added without touching the checkout.
"""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


@pytest.fixture
def project(tmp_path) -> Path:
    for package in CONFIG["root_packages"]:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "node_modules", "static", "templates"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def add_import(module: Path, statement: str) -> None:
    module.write_text(module.read_text() + f"\n{statement}  # noqa\n")


def test_every_contract_is_kept(project):
    result = lint(project)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONFIG['contracts'])} kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "contract", "message"),
    [
        (
            "pipeline/services.py",
            "import api.views",
            "layers",
            "pipeline is not allowed to import api",
        ),
        (
            "documents/rendering.py",
            "import pipeline.models",
            "layers",
            "documents is not allowed to import pipeline",
        ),
        (
            "preview/services.py",
            "import pipeline.changes",
            "drafts-apart",
            "preview is not allowed to import pipeline",
        ),
        (
            "api/resources/faqs.py",
            "import api.resources.members",
            "api-resources",
            "api.resources.faqs is not allowed to import api.resources.members",
        ),
    ],
)
def test_an_import_against_the_direction_breaks_its_contract(
    project, module, statement, contract, message
):
    add_import(project / module, statement)

    result = lint(project)

    assert result.returncode == 1, result.stdout + result.stderr
    broken = " ".join(result.stdout.split("Broken contracts", 1)[1].split())
    name = next(c["name"] for c in CONFIG["contracts"] if c["id"] == contract)
    assert " ".join(name.split()) in broken
    assert message in broken
