"""Regenerate poetry.lock where the registry serves only the simple index.

Poetry resolves PyPI packages through the per-release JSON API. Some mirrors and
sandboxes serve only the PEP 503 simple index, where `poetry lock` then fails
with "Package ... not found". This script locks a temporary copy of the project
that declares the index pip is configured with as a *legacy* (simple) source,
then writes the lock back without that source, so the committed lock is the
same one `poetry lock` produces on an unrestricted machine.

Run it with the tool venv's Python (`make lock` does): it imports Poetry.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pip._internal.models.index import PyPI
from poetry.factory import Factory

PROJECT = Path(__file__).resolve().parents[1]


def main() -> int:
    poetry_bin = Path(sys.executable).with_name("poetry")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pyproject = (PROJECT / "pyproject.toml").read_text()
        source = (
            '\n[[tool.poetry.source]]\nname = "simple-index"\n'
            f'url = "{PyPI.simple_url}"\npriority = "primary"\n'
        )
        (work / "pyproject.toml").write_text(pyproject + source)
        shutil.copytree(PROJECT / "app", work / "app")
        (work / "README.md").touch()
        if (PROJECT / "poetry.lock").exists():
            shutil.copy(PROJECT / "poetry.lock", work / "poetry.lock")
        subprocess.run([str(poetry_bin), "lock", *sys.argv[1:]], cwd=work, check=True)  # noqa: S603
        lock = (work / "poetry.lock").read_text()

    # Drop the temporary source from every package: without it, Poetry reads
    # these packages from its default PyPI source.
    lock = re.sub(r"\n\[package\.source\]\n(?:[a-z-]+ = .*\n)+", "\n", lock)
    content_hash = Factory().create_poetry(PROJECT).locker._get_content_hash()
    lock = re.sub(r'content-hash = "[0-9a-f]+"', f'content-hash = "{content_hash}"', lock)
    (PROJECT / "poetry.lock").write_text(lock)
    print(f"wrote {PROJECT / 'poetry.lock'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
