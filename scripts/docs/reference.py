"""The reference pages generated from the code itself, so they cannot drift from it:
the settings table (app/platform/settings.py), the make targets (the Makefile's `## `
comments), one page per Python module of `app` (mkdocstrings renders its docstrings)
and the OpenAPI document (`minor-illusion openapi`). The hooks (hooks.py) put them into
the site; nothing here is committed output."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import AliasChoices
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[2]
BACKEND_SRC = ROOT / "backend" / "src"
APP_DIR = BACKEND_SRC / "app"
MAKEFILE = ROOT / "Makefile"
README = ROOT / "README.md"
NOTEBOOKS_SOURCE = ROOT / "jupyter" / "notebooks"

# --- settings ----------------------------------------------------------------------------
_README_SETTING_ROW = re.compile(r"^\| `([A-Z_]+)`[^|]*\|[^|]*\| (.+) \|$")


def cell(text: str) -> str:
    """`text` inside a Markdown table cell: a `|` would end the cell, except inside a
    code span, where it is kept as it is."""
    parts = text.split("`")
    return "`".join(p if i % 2 else p.replace("|", "\\|") for i, p in enumerate(parts))


def readme_meanings() -> dict[str, str]:
    """The README's configuration table, variable -> meaning: the description of a
    setting whose Field has none. A row may name two variables (`A` / `B`)."""
    meanings = {}
    for line in README.read_text().splitlines():
        match = _README_SETTING_ROW.match(line)
        if match:
            for name in re.findall(r"`([A-Z_]+)`", line.split("|")[1]):
                meanings[name] = match.group(2)
    return meanings


def type_name(annotation: Any) -> str:
    """`int`, `SecretStr | None`, `Literal['DEBUG', 'INFO']`, `list[str]`: as written."""
    if annotation is type(None):
        return "None"
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(arg) for arg in typing.get_args(annotation))
    if origin is typing.Literal:
        return "Literal[" + ", ".join(repr(arg) for arg in typing.get_args(annotation)) + "]"
    if origin is not None:
        args = ", ".join(type_name(arg) for arg in typing.get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    return str(annotation)


def default_text(field: FieldInfo) -> str:
    factory = field.default_factory
    if factory is not None:
        doc = (getattr(factory, "__doc__", None) or "").strip()
        if doc and factory.__module__.startswith("app."):
            return doc.splitlines()[0]
        return f"`{factory()!r}`"  # type: ignore[call-arg]
    if field.default is PydanticUndefined:
        return "required"
    return f"`{field.default!r}`"


def bounds_text(field: FieldInfo) -> str:
    """`1 ≤ value ≤ 200`, from the Field's constraints."""
    parts = []
    for item in field.metadata:
        for attribute, symbol in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            value = getattr(item, attribute, None)
            if value is not None:
                parts.append(f"{symbol} {value}")
    return ", ".join(parts)


def env_names(name: str, field: FieldInfo) -> list[str]:
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice).upper() for choice in alias.choices]
    return [name.upper()]


def settings() -> list[tuple[type[BaseSettings], str, FieldInfo]]:
    """(class, name, field) of every setting, the most basic class first."""
    from app.platform.settings import DatabaseSettings, Settings

    found: list[tuple[type[BaseSettings], str, FieldInfo]] = []
    for cls in (DatabaseSettings, Settings):
        known = {name for _, name, _ in found}
        found += [(cls, n, f) for n, f in cls.model_fields.items() if n not in known]
    return found


def description(name: str, field: FieldInfo, meanings: dict[str, str]) -> str:
    """The Field's description, else the README's meaning of its variable, else ""
    (tests/docs/test_pages.py fails on that)."""
    envs = env_names(name, field)
    return field.description or next((meanings[env] for env in envs if env in meanings), "")


def settings_page() -> str:
    """The settings table, one section per settings class."""
    meanings = readme_meanings()
    lines = [
        "---",
        "hide: [toc]",  # the table needs the width
        "---",
        "",
        "# Settings",
        "",
        "Generated at build time from the settings classes in "
        "[`app/platform/settings.py`](../../backend/src/app/platform/settings.py) "
        "(pydantic-settings): "
        "every environment variable the backend reads, case-insensitively. A description "
        "comes from the field's `description`, else from the README's configuration "
        "table; a test fails on a setting that has neither.",
        "",
    ]
    current: type[BaseSettings] | None = None
    for cls, name, field in settings():
        if cls is not current:
            current = cls
            lines += [
                "",
                f"## `{cls.__name__}`",
                "",
                (cls.__doc__ or "").strip(),
                "",
                "| setting | environment variable | type, bounds | default | description |",
                "|---|---|---|---|---|",
            ]
        row = [
            f"`{name}`",
            " / ".join(f"`{env}`" for env in env_names(name, field)),
            ", ".join(filter(None, [cell(f"`{type_name(field.annotation)}`"), bounds_text(field)])),
            cell(default_text(field)),
            cell(description(name, field, meanings)),
        ]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


# --- make targets ------------------------------------------------------------------------
_TARGET = re.compile(r"^([a-z0-9-]+):.*?## (.+)$")  # the pattern `make help` greps
_VARIABLE = re.compile(r"^([A-Z_]+) \?= (.+)$")


def make_targets() -> list[tuple[str, str]]:
    """(target, help) for every target with a `## ` comment, `$(PORT)`s resolved to
    their defaults, in the Makefile's order."""
    text = MAKEFILE.read_text()
    defaults: dict[str, str] = {}
    for line in text.splitlines():
        variable = _VARIABLE.match(line)
        if variable:
            defaults[variable.group(1)] = variable.group(2).strip()
    targets = []
    for line in text.splitlines():
        match = _TARGET.match(line)
        if match:
            described = re.sub(
                r"\$\(([A-Z_]+)\)",
                lambda m: defaults.get(m.group(1), m.group(0)),
                match.group(2),
            )
            targets.append((match.group(1), described))
    return targets


def make_targets_page() -> str:
    lines = [
        "# Make targets",
        "",
        "Generated at build time from the `## ` comments of the repository's "
        "[`Makefile`](../../Makefile), the same lines `make help` prints. Variables "
        "show their defaults; each can be overridden on the command line "
        "(`make run BACKEND_PORT=8001`).",
        "",
        "| target | what it does |",
        "|---|---|",
    ]
    lines += [f"| `make {target}` | {cell(text)} |" for target, text in make_targets()]
    return "\n".join(lines) + "\n"


# --- Python modules ----------------------------------------------------------------------
def app_modules() -> list[tuple[str, str]]:
    """(dotted name, first docstring line) of every module of the `app` package."""
    found = []
    for path in sorted(APP_DIR.rglob("*.py")):
        parts = path.relative_to(BACKEND_SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        found.append((".".join(parts), doc.strip().splitlines()[0] if doc.strip() else ""))
    return found


def module_page_path(module: str) -> str:
    return f"reference/python/{module}.md"


def module_page(module: str) -> str:
    return f"# `{module}`\n\n::: {module}\n"


def modules_index_page() -> str:
    lines = [
        "# Python modules",
        "",
        "The backend's package `app`, one page per module, rendered by mkdocstrings from "
        "the docstrings in `backend/src/app/` at build time. The list below is generated "
        "too: a new module gets its page without an edit here.",
        "",
        "| module | what it is |",
        "|---|---|",
    ]
    for module, summary in app_modules():
        link = module_page_path(module).removeprefix("reference/python/")
        lines.append(f"| [`{module}`]({link}) | {cell(summary)} |")
    return "\n".join(lines) + "\n"


# --- OpenAPI -----------------------------------------------------------------------------
def openapi_document() -> str:
    """What `minor-illusion openapi` prints (no database needed)."""
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "openapi"],
        cwd=BACKEND_SRC,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout
