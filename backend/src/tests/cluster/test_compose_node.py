"""The compose cluster's node configuration (deploy/patroni/), booted for real: Patroni
with deploy/patroni/patroni.yml, given its per-node settings and passwords through the
environment as compose.patroni.yaml gives them, bootstraps a node whose post-bootstrap
script creates the app's role and database, and `minor-illusion migrate` (the compose
file's migrate command) runs on it as that role. The container image itself is never built
here (no Docker engine); this checks what it would run, with the same Debian packages.

Only what a container cannot have on this machine is changed: the ports (free ones on
127.0.0.1 instead of 5432 and 8008), the directories (a temporary one) and the server's
binary directory when it is not Debian's."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import yaml  # type: ignore[import-untyped]  # (no stubs installed)

from tests.cluster.patroni import Etcd, Node, _pg_bin_dir, _run_as_postgres
from tests.processes import REPO_ROOT, missing, wait_until

PATRONI_DIR = REPO_ROOT / "deploy" / "patroni"
APP_PASSWORD = "it's a demo's \"password\""  # quotes: psql must quote it, not the shell


class ComposeNode(Node):
    """A node configured by deploy/patroni/patroni.yml instead of the test cluster's own."""

    script: Path | None = None

    def config(self, etcd: Etcd) -> dict[str, Any]:
        config: dict[str, Any] = yaml.safe_load((PATRONI_DIR / "patroni.yml").read_text())
        config["postgresql"]["bin_dir"] = str(_pg_bin_dir())
        config["postgresql"]["parameters"]["unix_socket_directories"] = str(self.base)
        config["bootstrap"]["post_bootstrap"] = str(self.script)
        return config


@pytest.fixture(scope="module")
def node() -> Iterator[ComposeNode]:
    for program in ("patroni", "etcd", "psql"):
        if shutil.which(program) is None:
            missing(f"`{program}` is not installed (make system-deps)")
    base = Path(tempfile.mkdtemp(prefix="mi-compose-node-"))
    prefix = _run_as_postgres(base)
    etcd = Etcd(base)
    node = ComposeNode("pg1", base / "pg1")
    script = base / "post-bootstrap.sh"  # where the postgres user can run it
    shutil.copy2(PATRONI_DIR / "post-bootstrap.sh", script)
    if prefix:
        shutil.chown(script, "postgres", "postgres")
    node.script = script
    monkeypatch = pytest.MonkeyPatch()
    try:
        etcd.start()
        # What compose.patroni.yaml sets per node, read by Patroni over its file.
        for key, value in {
            "PATRONI_NAME": node.name,
            "PATRONI_ETCD3_HOSTS": etcd.endpoint,
            "PATRONI_RESTAPI_LISTEN": node.rest_url[7:],
            "PATRONI_RESTAPI_CONNECT_ADDRESS": node.rest_url[7:],
            "PATRONI_POSTGRESQL_LISTEN": node.address,
            "PATRONI_POSTGRESQL_CONNECT_ADDRESS": node.address,
            "PATRONI_POSTGRESQL_DATA_DIR": str(node.data_dir),
            "PATRONI_POSTGRESQL_PGPASS": str(node.base / "pgpass"),
            "PATRONI_SUPERUSER_PASSWORD": "postgres-test",
            "PATRONI_REPLICATION_PASSWORD": "replicator-test",
            "APP_DB_PASSWORD": APP_PASSWORD,
        }.items():
            monkeypatch.setenv(key, value)
        node.start(etcd, prefix)
        monkeypatch.undo()

        def ready() -> bool:
            if not node.alive():
                raise AssertionError(f"Patroni exited:\n{node.log_text()[-4000:]}")
            try:
                # /primary, not /readiness: readiness is 200 as soon as PostgreSQL runs,
                # while the post-bootstrap script may still be running. (In compose,
                # migrate also waits for the standbys, which clone only afterwards.)
                return httpx.get(f"{node.rest_url}/primary", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(ready, timeout=90, what="the node to lead", interval=0.25)
        yield node
    finally:
        monkeypatch.undo()
        node.kill()
        etcd.stop()
        shutil.rmtree(base, ignore_errors=True)


async def test_bootstrap_creates_the_apps_role_and_database(node: ComposeNode) -> None:
    conn = await asyncpg.connect(
        host="127.0.0.1",
        port=node.pg_port,
        user="app",
        password=APP_PASSWORD,
        database="minor_illusion",
    )
    try:
        row = await conn.fetchrow(
            "SELECT current_user AS who, pg_catalog.pg_get_userbyid(datdba) AS owner"
            " FROM pg_database WHERE datname = current_database()"
        )
        assert row is not None
        assert (row["who"], row["owner"]) == ("app", "app")
    finally:
        await conn.close()


async def test_tcp_needs_the_password(node: ComposeNode) -> None:
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(
            host="127.0.0.1",
            port=node.pg_port,
            user="app",
            password="wrong",
            database="minor_illusion",
        )


def test_the_dynamic_configuration_is_synchronous(node: ComposeNode) -> None:
    config = httpx.get(f"{node.rest_url}/config", timeout=5).json()
    assert config["synchronous_mode"] is True
    assert config["postgresql"]["use_pg_rewind"] is True


def test_migrate_runs_as_the_apps_role(node: ComposeNode) -> None:
    """The compose file's migrate job, on the node, as the role the bootstrap made."""
    url = f"postgresql+asyncpg://app@/minor_illusion?host={node.address}"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "minor-illusion"), "migrate"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "PGPASSWORD": APP_PASSWORD},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
