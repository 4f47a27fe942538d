"""Runs the notebook suite (backend/src/tests/notebooks) and keeps the notebooks it
executed, outputs included, in build/docs/notebooks/ for the site to render.

The notebooks are committed without outputs; their pages show a real run, made at
build time. Rather than start a backend of its own, this runs the suite's
`test_notebook_runs` through pytest, so the backend, its database and the kernel's
environment are exactly the suite's fixtures, whatever they become; the only addition
is that each executed notebook is also written out. A failing notebook fails the build
and leaves the previous set in place. `make docs` runs this only when a notebook or
the backend changed.

    PYTHONPATH=backend/src backend/src/.venv/bin/python scripts/docs/notebooks.py
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

import nbformat
import pytest

import tests.notebooks.test_notebooks as suite
from tests.processes import BACKEND_SRC, REPO_ROOT

OUT_DIR = REPO_ROOT / "build" / "docs" / "notebooks"


def keep_executed_notebooks(out_dir: Path) -> None:
    """Make the suite's `execute_notebook` also write what it executed to `out_dir`."""
    execute = suite.execute_notebook

    async def execute_and_keep(
        notebook: nbformat.NotebookNode, name: str, env: Mapping[str, str]
    ) -> nbformat.NotebookNode:
        executed = await execute(notebook, name, env)
        nbformat.write(executed, out_dir / name)  # type: ignore[no-untyped-call]
        return executed

    suite.execute_notebook = execute_and_keep


def main() -> int:
    staging = OUT_DIR.with_name("notebooks.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    keep_executed_notebooks(staging)
    os.chdir(BACKEND_SRC)  # the suite's configuration: pyproject.toml's [tool.pytest]
    status = pytest.main(
        [
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            f"{suite.__file__}::test_notebook_runs",
        ]
    )
    kept = {path.name for path in staging.glob("*.ipynb")}
    expected = {path.name for path in suite.NOTEBOOKS}
    if status != 0 or kept != expected:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"docs: the notebooks failed; missing: {sorted(expected - kept)}", file=sys.stderr)
        return 1
    shutil.rmtree(OUT_DIR, ignore_errors=True)
    staging.rename(OUT_DIR)
    return 0


if __name__ == "__main__":
    sys.exit(main())
