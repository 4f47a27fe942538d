"""Every notebook in jupyter/notebooks runs, cell by cell, in a fresh `python3` kernel
against the real backend (see conftest.py), and must finish without an error. The
notebooks assert what they show, so a change that breaks the API contract or the DAOs
fails here, at the cell that broke.

Also: notebooks are committed clean (no outputs, no execution counts), so diffs show
code, not results.

Settings: `NOTEBOOK_CELL_TIMEOUT` (seconds per cell, default 300) and `STRESS_USERS`
(simulated users in 03-stress, default 20 here to keep the suite quick).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from tests.notebooks.conftest import NotebookBackend

NOTEBOOKS_DIR = Path(__file__).resolve().parents[4] / "jupyter" / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
EXPECTED_NOTEBOOKS = {
    "01-database.ipynb",
    "02-api.ipynb",
    "03-stress.ipynb",
    "04-sharing.ipynb",
    "05-live-updates.ipynb",
    "06-webhooks.ipynb",
}
CELL_TIMEOUT = int(os.environ.get("NOTEBOOK_CELL_TIMEOUT", "300"))
STRESS_USERS = os.environ.get("STRESS_USERS", "20")
TRACEBACK_LINES = 40

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class NotebookFailedError(AssertionError):
    """A cell failed; the message names the notebook, the cell and the error."""


def read_notebook(path: Path) -> nbformat.NotebookNode:
    notebook: nbformat.NotebookNode = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    return notebook


def first_line(cell: nbformat.NotebookNode) -> str:
    source: str = cell.source
    return next((line for line in source.splitlines() if line.strip()), "")


def describe_cell(notebook: nbformat.NotebookNode, index: int) -> str:
    """E.g. `cell 6 (code cell 4 of 16): response = client.post(...)`."""
    code_indexes = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    cell = notebook.cells[index]
    position = f"code cell {code_indexes.index(index) + 1} of {len(code_indexes)}"
    return f"cell {index} ({position}): {first_line(cell)}"


def kernel_environment(backend: NotebookBackend) -> dict[str, str]:
    """What the notebooks read: where the backend answers (and its metrics), and which
    database it uses."""
    env = dict(os.environ)
    env.update(
        BACKEND_URL=backend.base_url,
        DATABASE_URL=backend.database_url,
        DATA_DIR=str(backend.data_dir),
        STRESS_USERS=STRESS_USERS,
        METRICS_URL=backend.metrics_url,
    )
    return env


async def execute_notebook(
    notebook: nbformat.NotebookNode, name: str, env: Mapping[str, str]
) -> nbformat.NotebookNode:
    """Run every cell of `notebook` in a new python3 kernel (cwd: jupyter/notebooks),
    filling in its outputs. Raises NotebookFailedError at the first cell that fails."""
    running: dict[str, int] = {}

    def on_cell_start(cell: nbformat.NotebookNode, cell_index: int, **_: Any) -> None:
        running["index"] = cell_index

    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
        on_cell_start=on_cell_start,
    )

    def failure(error: str, details: str = "") -> NotebookFailedError:
        where = describe_cell(notebook, running["index"]) if "index" in running else "start-up"
        message = f"{name} failed at {where}\n{error}"
        if details:
            lines = _ANSI_ESCAPE.sub("", details).rstrip().splitlines()
            message += "\n\n" + "\n".join(lines[-TRACEBACK_LINES:])
        return NotebookFailedError(message)

    try:
        await client.async_execute(env=dict(env))
    except CellExecutionError as exc:
        raise failure(f"{exc.ename}: {exc.evalue}", exc.traceback) from None
    except CellTimeoutError as exc:
        raise failure(
            f"timed out after {CELL_TIMEOUT} s (NOTEBOOK_CELL_TIMEOUT)", str(exc)
        ) from None
    except DeadKernelError as exc:
        raise failure(f"the kernel died: {exc}") from None
    return notebook


def test_the_notebooks_are_all_here() -> None:
    found = {path.name for path in NOTEBOOKS}
    assert found >= EXPECTED_NOTEBOOKS, (
        f"missing from {NOTEBOOKS_DIR}: {EXPECTED_NOTEBOOKS - found}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
async def test_notebook_runs(path: Path, backend: NotebookBackend) -> None:
    failure = None
    try:
        await execute_notebook(read_notebook(path), path.name, kernel_environment(backend))
    except NotebookFailedError as exc:
        failure = str(exc)
    if failure is not None:  # reported outside the `except`: one message, no chained traceback
        pytest.fail(f"{failure}\n\nbackend log (last lines):\n{backend.log_tail()}", pytrace=False)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_is_committed_clean(path: Path) -> None:
    notebook = read_notebook(path)
    nbformat.validate(notebook)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"
    dirty = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if cell.outputs:
            dirty.append(f"{describe_cell(notebook, index)}: has {len(cell.outputs)} outputs")
        if cell.execution_count is not None:
            dirty.append(
                f"{describe_cell(notebook, index)}: execution count {cell.execution_count}"
            )
    assert not dirty, (
        f"{path.name} is committed with results; clear them (Jupyter: Edit > Clear Outputs of "
        "All Cells, or `jupyter nbconvert --clear-output --inplace`):\n" + "\n".join(dirty)
    )


# A stand-in for a backend that renamed a field of every todo: the notebook is unchanged,
# only the JSON it receives has `revision` where `version` was.
RENAME_VERSION_FIELD = """
import httpx

_original_json = httpx.Response.json


def _json_with_renamed_field(self, **kwargs):
    data = _original_json(self, **kwargs)
    for item in data if isinstance(data, list) else [data]:
        if isinstance(item, dict) and "version" in item:
            item["revision"] = item.pop("version")
    return data


httpx.Response.json = _json_with_renamed_field
"""


async def test_a_renamed_api_field_fails_at_the_cell_that_uses_it(backend: NotebookBackend) -> None:
    notebook = read_notebook(NOTEBOOKS_DIR / "02-api.ipynb")
    stand_in = nbformat.v4.new_code_cell(RENAME_VERSION_FIELD.strip())  # type: ignore[no-untyped-call]
    notebook.cells.insert(0, stand_in)

    with pytest.raises(NotebookFailedError) as failed:
        await execute_notebook(notebook, "02-api.ipynb", kernel_environment(backend))

    message = str(failed.value)
    headline, error = message.splitlines()[:2]
    match = re.fullmatch(
        r"02-api\.ipynb failed at cell (\d+) \(code cell \d+ of \d+\): (.+)", headline
    )
    assert match, message
    index = int(match.group(1))
    assert index > 0, "the failure is in the notebook, not in the stand-in cell"
    assert match.group(2) == first_line(notebook.cells[index])
    assert "version" in notebook.cells[index].source
    assert error == "KeyError: 'version'", message
