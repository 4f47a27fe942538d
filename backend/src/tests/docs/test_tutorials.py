"""The tutorials, followed as written (see tutorial.py for how a page is read), each in a
fresh copy of the repository: the real checkout and its data directory are never
touched, and a step that no longer fits the code fails here with the step's text."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.docs.tutorial import copy_of_the_repository, environment, follow, steps
from tests.processes import REPO_ROOT

TUTORIALS = REPO_ROOT / "docs" / "tutorials"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    copy = copy_of_the_repository(tmp_path / "repo")
    imported = subprocess.run(
        [str(copy / "backend/src/.venv/bin/python"), "-c", "import app; print(app.__file__)"],
        cwd=copy,
        env=environment(copy),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert imported.startswith(str(copy)), f"the copy would run the real code: {imported}"
    return copy


def test_add_a_field_end_to_end(copy: Path) -> None:
    page = TUTORIALS / "add-a-field.md"
    env = environment(copy)
    outputs = [follow(step, copy, env) for step in steps(page)]

    revisions = list((copy / "backend/src/migrations/versions").glob("*_todo_starred.py"))
    assert len(revisions) == 1, "the autogenerate step wrote one revision"
    assert "starred" in revisions[0].read_text()
    assert "'type': 'boolean'" in "".join(outputs), "the OpenAPI document has the field"
    schema = (copy / "frontend/src/api/schema.d.ts").read_text()
    assert "starred: boolean" in schema, "the regenerated client has the field"
    assert not (REPO_ROOT / "frontend/src/api/schema.d.ts").read_text().count("starred")


def test_reproduce_a_bug_in_a_notebook(copy: Path) -> None:
    page = TUTORIALS / "reproduce-a-bug.md"
    env = environment(copy)
    outputs = [follow(step, copy, env) for step in steps(page)]

    assert "failed at cell 3 (code cell 4 of 4): stale = client.patch(" in "".join(outputs)
    real_model = (REPO_ROOT / "backend/src/app/todos/repository.py").read_text()
    assert (copy / "backend/src/app/todos/repository.py").read_text() == real_model, (
        "the tutorial puts back what it broke"
    )
