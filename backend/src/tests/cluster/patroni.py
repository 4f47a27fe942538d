"""A PostgreSQL cluster under Patroni, on 127.0.0.1: one etcd and three PostgreSQL 15
nodes with synchronous replication (an acknowledged commit is on two nodes), each on
free ports in a temporary directory. `running_cluster` leaves nothing behind, whatever
the test did; `make cluster` runs this module to start one by hand.

Debian's packages (`make system-deps`): patroni 3.0, etcd 3.4, postgresql-15. PostgreSQL
refuses to run as root; as root, Patroni (and the PostgreSQL it starts) runs as the
`postgres` OS user, as `tests.processes.PrivatePostgres` does.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.databases import free_port
from tests.processes import PG_GLOB, find_binary, missing, wait_until

SCOPE = "minor-illusion"
NODES = 3
# Patroni's timing (its dynamic configuration, written to etcd at bootstrap). The leader
# key lives `TTL` seconds unless renewed: a dead leader is replaced within about TTL +
# LOOP_WAIT. Patroni wants loop_wait + 2 * retry_timeout <= ttl.
TTL = 10
LOOP_WAIT = 1
RETRY_TIMEOUT = 4
FORMED_WITHIN = 120.0  # seconds: three nodes bootstrap and clone in ~20-40 s on 2 cores


def _pg_bin_dir() -> Path:
    """The server's own directory, which holds every program Patroni runs (a link on
    PATH, as /usr/local/bin/postgres on some machines, would not)."""
    return Path(find_binary("postgres", PG_GLOB.format("postgres"))).resolve().parent


def _run_as_postgres(base: Path) -> list[str]:
    """The command prefix that runs PostgreSQL's side as a non-root user, and `base` made
    theirs (nothing when the tests do not run as root)."""
    if os.geteuid() != 0:
        return []
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        missing("running as root needs the `postgres` OS user to run Patroni")
    os.chown(base, owner.pw_uid, owner.pw_gid)
    return [find_binary("runuser", "/usr/sbin/runuser"), "-u", "postgres", "--"]


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (PostgreSQL's backends, workers, walsenders), from /proc."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@dataclass
class Etcd:
    """One etcd member: the distributed store Patroni keeps the leader key in."""

    base: Path
    client_port: int = field(default_factory=free_port)
    peer_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.client_port}"

    def start(self) -> None:
        etcd = find_binary("etcd", "/usr/bin/etcd")
        client, peer = f"http://{self.endpoint}", f"http://127.0.0.1:{self.peer_port}"
        with (self.base / "etcd.log").open("wb") as log:
            self.process = subprocess.Popen(
                [
                    etcd,
                    "--name=etcd0",
                    f"--data-dir={self.base / 'etcd'}",
                    f"--listen-client-urls={client}",
                    f"--advertise-client-urls={client}",
                    f"--listen-peer-urls={peer}",
                    f"--initial-advertise-peer-urls={peer}",
                    f"--initial-cluster=etcd0={peer}",
                    "--initial-cluster-state=new",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(lambda: self._healthy(), timeout=30, what="etcd")

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            log = (self.base / "etcd.log").read_text(errors="replace")
            raise AssertionError(f"etcd exited early:\n{log}")
        try:
            return httpx.get(f"http://{self.endpoint}/health", timeout=1).is_success
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            _kill_group(self.process)


@dataclass
class Node:
    """One Patroni process and the PostgreSQL it runs."""

    name: str
    base: Path  # this node's directory: config, data, socket, logs
    pg_port: int = field(default_factory=free_port)
    rest_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    killed: bool = False  # by `kill`: its exit is no failure of the harness

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.rest_port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.pg_port}"

    @property
    def log(self) -> Path:
        return self.base / "patroni.log"

    def config(self, etcd: Etcd) -> dict[str, Any]:
        """Patroni's YAML configuration (written as JSON, which YAML reads)."""
        return {
            "scope": SCOPE,
            "name": self.name,
            "restapi": {"listen": self.rest_url[7:], "connect_address": self.rest_url[7:]},
            "etcd3": {"hosts": [etcd.endpoint]},
            "bootstrap": {
                "dcs": {
                    "ttl": TTL,
                    "loop_wait": LOOP_WAIT,
                    "retry_timeout": RETRY_TIMEOUT,
                    "maximum_lag_on_failover": 1024 * 1024,
                    # A commit is acknowledged once the synchronous standby has it, and
                    # Patroni promotes only that standby: no acknowledged write is lost.
                    "synchronous_mode": True,
                    "postgresql": {
                        # An asynchronous replica can have received WAL the promoted
                        # (synchronous) one never had: it rewinds to the new timeline,
                        # or is cloned afresh when it cannot.
                        "use_pg_rewind": True,
                        "remove_data_directory_on_rewind_failure": True,
                        "remove_data_directory_on_diverged_timelines": True,
                        "use_slots": True,
                        "parameters": {
                            "max_connections": 200,
                            "shared_buffers": "32MB",
                            "wal_keep_size": "128MB",
                            "hot_standby": "on",
                        },
                    },
                },
                "initdb": [{"encoding": "UTF8"}, {"locale": "C"}, "no-sync"],
            },
            "postgresql": {
                "listen": self.address,
                "connect_address": self.address,
                "data_dir": str(self.data_dir),
                "bin_dir": str(_pg_bin_dir()),
                "pgpass": str(self.base / "pgpass"),
                "authentication": {
                    "superuser": {"username": "postgres", "password": "postgres"},
                    "replication": {"username": "replicator", "password": "replicator"},
                },
                "parameters": {"unix_socket_directories": str(self.base)},
                # Loopback only, and trusted: a test cluster, as the shared test server is.
                "pg_hba": [
                    "local all all trust",
                    "host all all 127.0.0.1/32 trust",
                    "host replication replicator 127.0.0.1/32 trust",
                ],
            },
            "watchdog": {"mode": "off"},
            "tags": {"nofailover": False, "noloadbalance": False, "clonefrom": False},
        }

    def start(self, etcd: Etcd, prefix: list[str]) -> None:
        self.base.mkdir(mode=0o700, exist_ok=True)
        config = self.base / "patroni.yml"
        config.write_text(json.dumps(self.config(etcd), indent=2))
        if prefix:
            owner = pwd.getpwnam("postgres")
            for path in (self.base, config):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*prefix, find_binary("patroni", "/usr/bin/patroni"), str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: see `kill`
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def postmaster_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.data_dir / "postmaster.pid").read_text().split()[0])
        return None

    def kill(self) -> None:
        """SIGKILL to Patroni and to PostgreSQL, every process at once: the node is
        gone, as when its machine dies. (Patroni starts the postmaster in a session of
        its own, and restarts a postmaster that dies alone, so both are killed.)"""
        self.killed = True
        postmaster = self.postmaster_pid()
        victims = [postmaster, *_descendants(postmaster)] if postmaster else []
        if self.process is not None:
            _kill_group(self.process)
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if postmaster:
            wait_until(
                lambda: not Path(f"/proc/{postmaster}").exists() or _is_zombie(postmaster),
                timeout=10,
                what=f"{self.name}'s postmaster to die",
            )

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _is_zombie(pid: int) -> bool:
    with contextlib.suppress(OSError, IndexError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    return True


@dataclass
class Cluster:
    """etcd and the Patroni nodes; `members()` is Patroni's own view of who leads."""

    base: Path
    etcd: Etcd
    nodes: list[Node]
    prefix: list[str]  # runs a node's Patroni as the `postgres` user when we are root

    def alive_nodes(self) -> list[Node]:
        return [node for node in self.nodes if node.alive()]

    def members(self) -> list[dict[str, Any]]:
        """GET /cluster from the first node that answers: [{name, role, state, lag ...}]."""
        for node in self.alive_nodes():
            with contextlib.suppress(httpx.TransportError, ValueError):
                response = httpx.get(f"{node.rest_url}/cluster", timeout=2)
                if response.is_success:
                    members: list[dict[str, Any]] = response.json()["members"]
                    return members
        return []

    def node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)

    def leader(self) -> Node | None:
        for member in self.members():
            if member["role"] == "leader" and member["state"] == "running":
                node = self.node(member["name"])
                if node.alive():
                    return node
        return None

    def replicas(self) -> list[Node]:
        leader = self.leader()
        return [node for node in self.alive_nodes() if node is not leader]

    def healthy(self) -> bool:
        """Every live node running and known to the others, one leader, and (with a
        replica to choose) a synchronous standby streaming from it."""
        members = {m["name"]: m for m in self.members()}
        alive = self.alive_nodes()
        if {node.name for node in alive} - members.keys():
            return False
        states = [members[node.name] for node in alive]
        if not all(m["state"] == "running" for m in states):
            return False
        roles = [m["role"] for m in states]
        if roles.count("leader") != 1:
            return False
        if any(m.get("lag") == "unknown" for m in states if m["role"] != "leader"):
            return False
        return len(alive) == 1 or "sync_standby" in roles

    def wait_healthy(self, timeout: float = FORMED_WITHIN) -> None:
        def ready() -> bool:
            for node in self.nodes:
                if node.process is not None and not node.alive() and not node.killed:
                    raise AssertionError(f"{node.name} exited:\n{node.log_text()[-4000:]}")
            return self.healthy()

        try:
            wait_until(ready, timeout=timeout, what="the Patroni cluster", interval=0.25)
        except AssertionError as exc:
            logs = "\n".join(f"--- {n.name}\n{n.log_text()[-3000:]}" for n in self.nodes)
            raise AssertionError(f"{exc}\nmembers: {self.members()}\n{logs}") from None

    def url(self, database: str, target_session_attrs: str = "read-write") -> str:
        """A SQLAlchemy URL naming every node; asyncpg tries them in order and keeps the
        first whose role matches `target_session_attrs`."""
        hosts = "&".join(f"host={node.address}" for node in self.nodes)
        return (
            f"postgresql+asyncpg://postgres@/{database}?{hosts}"
            f"&target_session_attrs={target_session_attrs}"
        )

    def dsn(self, node: Node, database: str = "postgres") -> str:
        """An asyncpg DSN for one node."""
        return f"postgresql://postgres@{node.address}/{database}"

    def replace_killed_nodes(self) -> None:
        """Start every killed node again on an empty data directory, as a replacement
        machine joins: Patroni clones it from the leader (pg_basebackup)."""
        for node in self.nodes:
            if node.killed:
                shutil.rmtree(node.data_dir, ignore_errors=True)
                node.killed = False
                node.start(self.etcd, self.prefix)
        self.wait_healthy()

    def stop(self) -> None:
        for node in self.nodes:
            node.kill()
        self.etcd.stop()


@contextmanager
def running_cluster(nodes: int = NODES) -> Iterator[Cluster]:
    """etcd and `nodes` Patroni nodes, healthy, then every process killed and every file
    removed on exit (by `reaper.py` if this process is killed first)."""
    for program in ("patroni", "etcd"):
        if shutil.which(program) is None:
            missing(f"`{program}` is not installed (make system-deps)")
    base = Path(tempfile.mkdtemp(prefix="mi-patroni-"))
    prefix = _run_as_postgres(base)
    members = [Node(f"pg{n}", base / f"pg{n}") for n in range(nodes)]
    cluster = Cluster(base, Etcd(base), members, prefix)
    # Should this process be killed before the `finally` below runs, the reaper does it.
    reaper = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("reaper.py")), str(os.getpid()), str(base)],
        start_new_session=True,
    )
    try:
        cluster.etcd.start()
        for node in cluster.nodes:
            node.start(cluster.etcd, prefix)
        cluster.wait_healthy()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)
        reaper.kill()
        reaper.wait()


def main() -> int:
    """`make cluster`: a cluster to try the app on, until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=NODES)
    parser.add_argument("--database", default="postgres")
    args = parser.parse_args()
    # `kill` (SIGTERM) tears the cluster down as Ctrl-C does, not leaving it running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    started = time.monotonic()
    print(f"starting etcd and {args.nodes} PostgreSQL nodes under Patroni ...", flush=True)
    with running_cluster(args.nodes) as cluster:
        leader = cluster.leader()
        print(f"formed in {time.monotonic() - started:.0f} s, in {cluster.base}")
        for member in cluster.members():
            node = cluster.node(member["name"])
            print(f"  {member['name']}: {member['role']:<12} {node.address}  {node.rest_url}")
        print(f"\nleader now: {leader.name if leader else '?'}")
        print(f"DATABASE_URL='{cluster.url(args.database)}'")
        print(f"DATABASE_READ_URL='{cluster.url(args.database, 'prefer-standby')}'")
        print(f"patronictl: patronictl -c {cluster.nodes[0].base / 'patroni.yml'} list")
        print("Ctrl-C stops the cluster and deletes its files.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
