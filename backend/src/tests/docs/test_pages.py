"""What the strict build cannot see: the README's links into the site's pages (the
README is not part of the site), the data-model diagram against the models it draws,
and a description for every setting on the generated settings page."""

from __future__ import annotations

import re
from pathlib import Path

from app.models import BaseDAO
from tests.processes import REPO_ROOT

README_DOC_LINK = re.compile(r"\]\(docs/([^)#\s]+)(?:#([^)\s]+))?\)")
ER_ENTITY = re.compile(r"^    (\w+) \{\n(.*?)^    \}", re.MULTILINE | re.DOTALL)
SETTINGS_ROW = re.compile(r"<tr>\s*<td><code>(\w+)</code></td>(.*?)</tr>", re.DOTALL)


def built_page(site: Path, doc: str) -> Path:
    """docs/x.md is x/index.html in the site (use_directory_urls)."""
    stem = doc.removesuffix(".md")
    return site / ("index.html" if stem == "index" else f"{stem}/index.html")


def test_the_readme_links_to_pages_and_anchors_that_exist(site: Path) -> None:
    links = README_DOC_LINK.findall((REPO_ROOT / "README.md").read_text())
    assert len(links) >= 5
    for doc, anchor in links:
        page = built_page(site, doc)
        assert page.is_file(), f"README links to docs/{doc}, which the site does not have"
        if anchor:
            assert f'id="{anchor}"' in page.read_text(), f"README: docs/{doc}#{anchor}"


def test_the_readme_links_to_the_site() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    assert "make docs" in readme
    assert "make docs-serve" in readme


def test_the_data_model_diagram_draws_the_models() -> None:
    page = (REPO_ROOT / "docs" / "how-it-works" / "data-model.md").read_text()
    drawn = {
        table: {line.split()[1] for line in body.strip().splitlines()}
        for table, body in ER_ENTITY.findall(page)
    }
    declared = {
        table.name: {column.name for column in table.columns}
        for table in BaseDAO.metadata.sorted_tables
    }
    assert drawn == declared


def test_every_setting_has_a_description(site: Path) -> None:
    """The settings page is generated (scripts/docs/reference.py); a setting with no
    `description` and no README row gets an empty cell there."""
    page = (site / "reference" / "settings" / "index.html").read_text()
    rows = SETTINGS_ROW.findall(page)
    assert len(rows) > 20
    missing = [name for name, cells in rows if not re.findall(r"<td>(.*?)</td>", cells)[-1]]
    assert not missing, (
        "give these settings a Field(description=...) in app/platform/settings.py, or a row in "
        f"the README's configuration table: {missing}"
    )
