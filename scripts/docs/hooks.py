"""MkDocs hooks (mkdocs.yml `hooks:`): what the site holds besides docs/*.md.

- the generated reference pages (reference.py): settings, make targets, one page per
  Python module, and the OpenAPI document the HTTP API page renders with ReDoc;
- the vendored browser code, so the site works offline: mermaid (vendor.py) and ReDoc
  (from the installed `fastapi_offline` package, which the backend serves /redoc from);
- the executed notebooks (notebooks.py), rendered by mkdocs-jupyter;
- a parse of every Mermaid diagram (mermaid_check.mjs, the vendored mermaid in jsdom):
  a diagram a browser would draw as "Syntax error" fails the strict build;
- copies of the repository files the pages link to (`../backend/src/app/platform/db.py`), and a
  listing page for each folder they link to (`../observability/`), so a link that works
  on the Markdown in the repository works on the site too, and a link to a file that
  does not exist fails the strict build.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
import subprocess
from pathlib import Path

import fastapi_offline
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

import reference
import vendor

log = logging.getLogger("mkdocs.hooks.minor_illusion")

NOTEBOOKS_DIR = reference.ROOT / "build" / "docs" / "notebooks"
MERMAID_CHECK = Path(__file__).with_name("mermaid_check.mjs")
MERMAID_FENCE = re.compile(r"^```mermaid\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_diagrams: list[dict[str, str]] = []  # this build's, for on_post_build
REDOC_JS = Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js"
REDOC_REMOTE_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
SOURCE_PREFIX = "source/"  # where copies of linked repository files go in the site
# An inline Markdown link or image target: ](target) or ](target#anchor).
_LINK = re.compile(r"\]\(([^)\s#]+)(#[^)\s]*)?\)")


def _required(path: Path, how: str) -> str:
    if not path.is_file():
        raise PluginError(f"{path} is missing: {how}")
    return str(path)


def _repo_links(page_uri: str, markdown: str, docs_dir: Path) -> dict[str, str]:
    """Links of a page to files and folders of the repository outside docs/: link ->
    repo path (a folder's ends with `/`)."""
    found = {}
    for target, _ in _LINK.findall(markdown):
        if "://" in target or target.startswith(("/", "mailto:")):
            continue
        resolved = (docs_dir / posixpath.dirname(page_uri) / target).resolve()
        if resolved.is_relative_to(docs_dir) or not resolved.is_relative_to(reference.ROOT):
            continue
        if resolved.is_file():
            found[target] = resolved.relative_to(reference.ROOT).as_posix()
        elif resolved.is_dir():
            found[target] = resolved.relative_to(reference.ROOT).as_posix() + "/"
    return found


def _folder_files(folder: str) -> list[str]:
    """The files of a repository folder that git sees (tracked, or new and not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", folder],
        cwd=reference.ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return sorted(name for name in listed if (reference.ROOT / name).is_file())


def _site_uri(repo_path: str) -> str:
    """Where a linked repository file or folder is in the site."""
    if repo_path.endswith("/"):
        return f"{SOURCE_PREFIX}{repo_path}index.md"
    return SOURCE_PREFIX + repo_path


def _folder_page(folder: str, files: list[str]) -> str:
    lines = [f"# `{folder}`", "", "The files of this folder of the repository:", ""]
    lines += [f"- [`{name.removeprefix(folder)}`]({name.removeprefix(folder)})" for name in files]
    return "\n".join(lines) + "\n"


def _offline_redoc() -> str:
    """ReDoc's bundle with its one remote fetch, the sidebar's "Redocly" logo, pointed at
    an empty image (ReDoc then leaves the logo out)."""
    bundle = Path(_required(REDOC_JS, "install the backend")).read_text(encoding="utf-8")
    found = bundle.count(REDOC_REMOTE_LOGO)
    if found != 1:
        raise PluginError(f"ReDoc's bundle names {REDOC_REMOTE_LOGO} {found} times, not once")
    return bundle.replace(REDOC_REMOTE_LOGO, "data:,")


@event_priority(100)  # before mkdocs-jupyter wraps the notebooks it finds
def on_files(files: Files, config: MkDocsConfig) -> Files:
    def generated(uri: str, content: str | bytes) -> None:
        files.append(File.generated(config, uri, content=content))

    def copied(uri: str, source: str) -> None:
        files.append(File.generated(config, uri, abs_src_path=source))

    generated("reference/settings.md", reference.settings_page())
    generated("reference/make-targets.md", reference.make_targets_page())
    generated("reference/python/index.md", reference.modules_index_page())
    for module, _ in reference.app_modules():
        generated(reference.module_page_path(module), reference.module_page(module))
    generated("reference/openapi.json", reference.openapi_document())

    how = "run `make docs`, which vendors it"
    copied("assets/vendor/mermaid.min.js", _required(vendor.MERMAID_JS, how))
    generated("assets/vendor/redoc.standalone.js", _offline_redoc())
    # A real File in build/docs rather than a generated one: mkdocs-jupyter's wrapper
    # finds the notebook through `src_dir`, which a generated File does not have.
    for notebook in sorted(reference.NOTEBOOKS_SOURCE.glob("*.ipynb")):
        _required(NOTEBOOKS_DIR / notebook.name, "run `make docs`, which executes it")
        files.append(
            File(
                f"notebooks/{notebook.name}",
                src_dir=str(NOTEBOOKS_DIR.parent),
                dest_dir=config.site_dir,
                use_directory_urls=config.use_directory_urls,
            )
        )

    docs_dir = Path(config.docs_dir).resolve()
    linked: set[str] = set()
    for file in files.documentation_pages():
        if file.src_uri.endswith(".md"):
            linked.update(_repo_links(file.src_uri, file.content_string, docs_dir).values())
    copies = {repo_path for repo_path in linked if not repo_path.endswith("/")}
    for folder in sorted(linked - copies):
        in_folder = _folder_files(folder)
        generated(_site_uri(folder), _folder_page(folder, in_folder))
        copies.update(in_folder)
    for repo_path in sorted(copies):
        copied(_site_uri(repo_path), str(reference.ROOT / repo_path))
    return files


def on_pre_build(config: MkDocsConfig) -> None:
    _diagrams.clear()


def on_post_build(config: MkDocsConfig) -> None:
    """Parse every diagram of the build: a failure is a warning, so the strict build fails."""
    result = subprocess.run(
        ["node", str(MERMAID_CHECK), str(vendor.MERMAID_JS)],
        input=json.dumps(_diagrams),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    for failure in json.loads(result.stdout):
        log.warning("Mermaid diagram %s does not parse: %s", failure["where"], failure["error"])


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Note the page's diagrams; point each link to a repository file at its copy in
    the site. (A notebook's page is rendered by mkdocs-jupyter, from the notebook.)"""
    if not page.file.src_uri.endswith(".md"):
        return markdown
    for number, text in enumerate(MERMAID_FENCE.findall(markdown), start=1):
        _diagrams.append({"where": f"{number} of {page.file.src_uri}", "text": text})
    docs_dir = Path(config.docs_dir).resolve()
    links = _repo_links(page.file.src_uri, markdown, docs_dir)
    if not links:
        return markdown
    page_dir = posixpath.dirname(page.file.src_uri)

    def rewrite(match: re.Match[str]) -> str:
        target, anchor = match.group(1), match.group(2) or ""
        if target not in links:
            return match.group(0)
        copy = posixpath.relpath(_site_uri(links[target]), page_dir or ".")
        return f"]({copy}{anchor})"

    return _LINK.sub(rewrite, markdown)
