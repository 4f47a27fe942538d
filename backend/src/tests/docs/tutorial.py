"""A tutorial page, read as a script: its fenced blocks are the steps, in order, and a
test follows them in a copy of the repository, so the page fails the suite the day it
stops being true. The conventions, which the pages state too:

- a `sh` block runs (from the repository root) and must succeed; titled
  `expected to fail: <text>`, it must fail and print `<text>`;
- a `diff` block titled with a file's path is applied to that file: each hunk's context
  and `-` lines must be found exactly once, and become its context and `+` lines;
- a `python` block titled `<notebook path>: new cell` is appended to that notebook as a
  code cell (the notebook is created when it does not exist).

Every other block is for reading only.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tests.devloop.sessions import dev_env
from tests.processes import REPO_ROOT

FENCE = re.compile(r'^```(\w+)(?: title="([^"]*)")?\n(.*?)^```$', re.MULTILINE | re.DOTALL)
NEW_CELL = ": new cell"
EXPECTED_TO_FAIL = "expected to fail: "
# Installed environments, linked into the copy rather than copied.
LINKED = ("backend/src/.venv", "frontend/node_modules", ".tools")


@dataclass(frozen=True)
class Step:
    kind: str  # "run", "fail", "edit" or "cell"
    target: str  # the file an edit or a cell goes to; what a failing command prints
    body: str


def steps(page: Path) -> list[Step]:
    found = []
    for language, title, body in FENCE.findall(page.read_text()):
        title = title or ""
        if language == "sh":
            if title.startswith(EXPECTED_TO_FAIL):
                found.append(Step("fail", title.removeprefix(EXPECTED_TO_FAIL), body))
            else:
                found.append(Step("run", "", body))
        elif language == "diff" and title:
            found.append(Step("edit", title, body))
        elif language == "python" and title.endswith(NEW_CELL):
            found.append(Step("cell", title.removesuffix(NEW_CELL), body))
    return found


def _hunks(diff: str) -> Iterator[tuple[str, str]]:
    """(before, after) of each hunk; a hunk starts at a line beginning with `@@`."""
    before: list[str] = []
    after: list[str] = []
    for line in [*diff.splitlines(), "@@"]:
        if line.startswith("@@"):
            if before or after:
                yield "\n".join(before) + "\n", "\n".join(after) + "\n"
            before, after = [], []
            continue
        sign, text = line[:1], line[1:]
        if sign in (" ", ""):
            before.append(text)
            after.append(text)
        elif sign == "-":
            before.append(text)
        elif sign == "+":
            after.append(text)
        else:
            raise ValueError(f"not a diff line: {line!r}")


def apply_diff(path: Path, diff: str) -> None:
    source = path.read_text()
    for before, after in _hunks(diff):
        count = source.count(before)
        assert count == 1, (
            f"{path.name}: the tutorial's hunk is found {count} times, not once; the code "
            f"changed under the tutorial:\n{before}"
        )
        source = source.replace(before, after)
    path.write_text(source)


def add_cell(path: Path, source: str) -> None:
    if path.exists():
        notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    else:
        notebook = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
        notebook.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
    notebook.cells.append(nbformat.v4.new_code_cell(source.rstrip("\n")))  # type: ignore[no-untyped-call]
    nbformat.write(notebook, path)  # type: ignore[no-untyped-call]


def copy_of_the_repository(destination: Path) -> Path:
    """The working tree's files as git sees them (tracked, and new files not ignored),
    with the installed environments linked in, not copied."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is skipped
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for name in LINKED:
        (destination / name).symlink_to(REPO_ROOT / name)
    return destination


def environment(copy: Path) -> dict[str, str]:
    """`make dev`'s environment on the copy's own data directory, with the copy's code
    first on the path (the venv's editable install points at the real repository)."""
    return dev_env(
        copy / "data",
        PYTHONPATH=str(copy / "backend" / "src"),
        NO_COLOR="1",
        NEXT_TELEMETRY_DISABLED="1",
    )


def follow(step: Step, copy: Path, env: dict[str, str], timeout: float = 300) -> str:
    """Do one step in `copy`; returns what a command printed."""
    if step.kind == "edit":
        apply_diff(copy / step.target, step.body)
        return ""
    if step.kind == "cell":
        add_cell(copy / step.target, step.body)
        return ""
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", step.body],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = result.stdout + result.stderr
    if step.kind == "run":
        assert result.returncode == 0, f"the tutorial's command failed:\n{step.body}\n{output}"
    else:
        assert result.returncode != 0, f"expected to fail, yet succeeded:\n{step.body}\n{output}"
        assert step.target in output, f"failed without {step.target!r}:\n{step.body}\n{output}"
    return output
