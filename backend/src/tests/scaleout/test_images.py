"""The Dockerfiles, checked statically (no Docker engine here): every path they COPY from
the build context exists and is not hidden by a .dockerignore, dependencies are installed
before the source is copied, and the runtime stage is small, unprivileged and
health-checked."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.processes import REPO_ROOT


@dataclass(frozen=True)
class Image:
    dockerfile: Path
    context: Path
    lock_files: tuple[str, ...]  # copied (from the context) before any source
    runtime_user: str


IMAGES = {
    "backend": Image(
        REPO_ROOT / "backend" / "Dockerfile",
        REPO_ROOT / "backend",
        ("src/pyproject.toml", "src/poetry.lock"),
        "app",
    ),
    "frontend": Image(
        REPO_ROOT / "frontend" / "Dockerfile",
        REPO_ROOT / "frontend",
        ("package.json", "package-lock.json"),
        "node",
    ),
    "jupyter": Image(
        REPO_ROOT / "jupyter" / "Dockerfile",
        REPO_ROOT,
        ("backend/src/pyproject.toml", "backend/src/poetry.lock"),
        "app",
    ),
}


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def instructions(dockerfile: Path) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    result = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, arguments = stripped.partition(" ")
            result.append(Instruction(keyword.upper(), arguments.strip()))
    return result


def stages(dockerfile: Path) -> list[list[Instruction]]:
    result: list[list[Instruction]] = []
    for instruction in instructions(dockerfile):
        if instruction.keyword == "FROM":
            result.append([])
        if result:
            result[-1].append(instruction)
    return result


def context_sources(instruction: Instruction) -> list[str]:
    """The build-context paths of a COPY (none for COPY --from=stage)."""
    words = [w for w in instruction.arguments.split() if not w.startswith("--")]
    if instruction.keyword != "COPY" or "--from=" in instruction.arguments:
        return []
    return words[:-1]


def dockerignore_patterns(context: Path) -> list[str]:
    path = context / ".dockerignore"
    lines = path.read_text().splitlines() if path.exists() else []
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(relative: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; `!` re-includes."""
    verdict = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        glob = pattern.removeprefix("!").removeprefix("/")
        candidates = [glob, glob.removeprefix("**/")]
        # A pattern that names a directory covers what is inside it.
        if any(
            fnmatch.fnmatch(relative, c) or relative.startswith(c.rstrip("/") + "/")
            for c in candidates
        ):
            verdict = not negated
    return verdict


@pytest.mark.parametrize("name", IMAGES)
def test_copied_paths_exist_and_reach_the_context(name: str) -> None:
    image = IMAGES[name]
    patterns = dockerignore_patterns(image.context)
    for instruction in instructions(image.dockerfile):
        for source in context_sources(instruction):
            assert (image.context / source).exists(), f"{name}: COPY {source}: no such path"
            assert not ignored(source, patterns), f"{name}: COPY {source} is .dockerignored"


@pytest.mark.parametrize("name", IMAGES)
def test_dependencies_are_installed_before_the_source_is_copied(name: str) -> None:
    image = IMAGES[name]
    copies = [
        source
        for instruction in instructions(image.dockerfile)
        for source in context_sources(instruction)
    ]
    first_source = next(i for i, source in enumerate(copies) if source not in image.lock_files)
    assert set(copies[:first_source]) == set(image.lock_files), copies


@pytest.mark.parametrize("name", IMAGES)
def test_runtime_stage_is_unprivileged_and_health_checked(name: str) -> None:
    image = IMAGES[name]
    all_stages = stages(image.dockerfile)
    assert len(all_stages) >= 3, "multi-stage: dependencies, build, runtime"
    runtime = {instruction.keyword: instruction.arguments for instruction in all_stages[-1]}
    assert runtime["USER"] == image.runtime_user
    assert "HEALTHCHECK" in runtime
    assert runtime["CMD"].startswith("["), "exec form: the server is PID 1 and gets SIGTERM"
    # Nothing is installed into the runtime stage: it only copies built artefacts.
    assert not any(
        re.search(r"\b(pip|poetry|npm) (install|ci)\b", instruction.arguments)
        for instruction in all_stages[-1]
    )


def test_no_dev_dependencies_in_python_images() -> None:
    backend = IMAGES["backend"].dockerfile.read_text()
    jupyter = IMAGES["jupyter"].dockerfile.read_text()
    assert "poetry export --only main --format" in backend
    assert "poetry export --only main,jupyter --format" in jupyter
    for text in (backend, jupyter):
        assert "--require-hashes" in text
        assert "--with dev" not in text


def test_backend_image_serves_on_all_interfaces() -> None:
    text = IMAGES["backend"].dockerfile.read_text()
    assert 'CMD ["minor-illusion", "serve", "--host", "0.0.0.0", "--port", "8000"]' in text


def test_frontend_image_runs_the_standalone_server() -> None:
    """The standalone build, served by the custom server that decides the browser's
    address (server.mjs, beside the standalone server.js whose node_modules it uses)."""
    text = IMAGES["frontend"].dockerfile.read_text()
    assert "/app/.next/standalone" in text
    assert "npm ci" in text
    assert "COPY --from=build --chown=node:node /app/server.mjs ./" in text
    assert "src/lib/client-address.mjs" in text
    assert '"node", "server.mjs"' in text
