"""The built site in Chromium (site_check.mjs drives it): every page loads without a
script error and without a request beyond 127.0.0.1, every Mermaid diagram renders to
an SVG (a syntax error renders as an error picture, which fails here), the API
reference shows every operation of the OpenAPI document, and the notebook pages show
the outputs of their run. Screenshots of three pages go to build/docs/screenshots/."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.processes import REPO_ROOT

CHECKER = Path(__file__).with_name("site_check.mjs")
SCREENSHOTS = REPO_ROOT / "build" / "docs" / "screenshots"
SHOTS = {
    "diagram": "how-it-works/processes/",
    "sequence": "how-it-works/request/",
    "data-model": "how-it-works/data-model/",
    "http-api": "reference/http-api/",
    "notebook": "notebooks/03-stress/",
}
# Diagrams each page is drawn with (a page losing one fails here, not only in review).
DIAGRAMS = {"how-it-works/processes/": 2, "how-it-works/request/": 2, "how-it-works/data-model/": 1}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def report(site: Path, served_site: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    pages = sorted(
        str(index.parent.relative_to(site)) + "/" if index.parent != site else ""
        for index in site.rglob("index.html")
    )
    scratch = tmp_path_factory.mktemp("site-check")
    (scratch / "pages.json").write_text(json.dumps({"pages": pages, "screenshots": SHOTS}))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            "node",
            str(CHECKER),
            served_site,
            str(scratch / "pages.json"),
            str(scratch / "report.json"),
            str(SCREENSHOTS),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((scratch / "report.json").read_text())


def test_nothing_leaves_the_machine(report: Any) -> None:
    assert report["external"] == []


def test_no_page_has_a_script_error(report: Any) -> None:
    failing = {page: seen["errors"] for page, seen in report["pages"].items() if seen["errors"]}
    assert not failing


def test_every_diagram_renders(report: Any) -> None:
    for page, count in DIAGRAMS.items():
        assert len(report["pages"][page]["mermaid"]) == count, page
    broken = {
        page: diagram["text"]
        for page, seen in report["pages"].items()
        for diagram in seen["mermaid"]
        if not diagram["svg"] or "Syntax error" in diagram["text"]
    }
    assert not broken


def test_the_api_reference_shows_every_operation(report: Any, site: Path) -> None:
    document = json.loads((site / "reference" / "openapi.json").read_text())
    operations = sum(
        1 for item in document["paths"].values() for method in item if method in HTTP_METHODS
    )
    assert operations > 20
    assert report["pages"][SHOTS["http-api"]]["operations"] == operations


def test_the_notebooks_show_their_outputs(report: Any) -> None:
    notebooks = {
        page: seen for page, seen in report["pages"].items() if page.startswith("notebooks/")
    }
    assert len(notebooks) == 6
    for page, seen in notebooks.items():
        assert seen["notebookOutputs"] > 0, page
    assert report["pages"][SHOTS["notebook"]]["notebookImages"] > 0, "the latency plot"


def test_screenshots_were_taken(report: Any) -> None:
    for name in SHOTS:
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000, name
