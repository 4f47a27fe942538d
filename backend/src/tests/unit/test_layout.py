"""The layout's first rule (docs/architecture.md, "The backend, one package per
domain"): imports run down, never up, and never in a circle. Read from the source, so a
wrong import fails here before anything runs it."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Each module of `app` and the modules of `app` it imports (at any depth in the
    file: a deferred import is still a dependency)."""
    modules = {_module_name(path): path for path in APP.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for name, path in modules.items():
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    child = f"{node.module}.{alias.name}"
                    imported.add(child if child in modules else node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
        # Importing `app.models.base` runs `app/models/__init__.py` first: a package's
        # `__init__` is a dependency of every module imported from it (but not of its own
        # modules, which run while it is being imported).
        parents = {module.rsplit(".", depth)[0] for module in imported for depth in (1, 2)}
        imported |= {parent for parent in parents if not name.startswith(f"{parent}.")}
        found[name] = {module for module in imported if module in modules and module != name}
    return found


def test_platform_imports_no_domain() -> None:
    outside = {
        (module, imported)
        for module, imports in _imports().items()
        if module.startswith("app.platform")
        for imported in imports
        if not imported.startswith("app.platform") and imported != "app"
    }
    assert not outside, f"platform/ must not import the rest of app: {sorted(outside)}"


def test_access_imports_only_the_platform() -> None:
    imports = _imports()["app.access"]
    assert all(module.startswith("app.platform") for module in imports), sorted(imports)


def test_no_domain_imports_an_entry_point() -> None:
    entry_points = {"app.main", "app.cli", "app.server", "app.devserver", "app.demo"}
    upward = {
        (module, imported)
        for module, imports in _imports().items()
        if module not in entry_points
        for imported in imports & entry_points
    }
    assert not upward, sorted(upward)


def test_no_import_cycle() -> None:
    imports = _imports()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            raise AssertionError("import cycle: " + " -> ".join((*path, module)))
        if module in done:
            return
        for imported in sorted(imports[module]):
            visit(imported, (*path, module))
        done.add(module)

    for module in sorted(imports):
        visit(module, ())
