"""The committed VS Code configurations attach where `make debug` listens, and the
compose one maps the sources to where the backend image keeps them."""

from __future__ import annotations

import json
import re

from tests.processes import REPO_ROOT


def test_launch_json_attaches_to_the_debug_port() -> None:
    launch = json.loads((REPO_ROOT / ".vscode" / "launch.json").read_text())
    configurations = {c["name"]: c for c in launch["configurations"]}
    makefile = (REPO_ROOT / "Makefile").read_text()
    default = re.search(r"^DEBUG_PORT \?= (\d+)$", makefile, re.MULTILINE)
    assert default is not None, "the Makefile sets DEBUG_PORT"
    port = int(default.group(1))

    local = configurations["Attach to backend (local)"]
    compose = configurations["Attach to backend (compose)"]
    for configuration in (local, compose):
        assert configuration["type"] == "debugpy"
        assert configuration["request"] == "attach"
        assert configuration["connect"] == {"host": "127.0.0.1", "port": port}

    dockerfile = (REPO_ROOT / "backend" / "Dockerfile").read_text()
    workdir = re.findall(r"^WORKDIR (\S+)$", dockerfile, re.MULTILINE)[-1]
    assert compose["pathMappings"] == [
        {"localRoot": "${workspaceFolder}/backend/src", "remoteRoot": workdir}
    ]
