"""What the Patroni cluster costs and gives, in one run (`make bench-cluster`).

It starts the tests' cluster (tests/cluster/patroni.py: etcd and three PostgreSQL nodes,
synchronous replication), migrates a `bench` database on it, and runs the harness's
workloads (run.py: its user, wrk scripts, pinned servers) against the app on it:

  C1  W2 (GET /todo/{id}) with reads on the leader vs on a standby: two app servers on
      the same cluster, one without DATABASE_READ_URL and one with it at the standbys
      (prefer-standby), driven by turns
  C2  W3 (POST /todo/) and W4 (80 % GET / 20 % PUT) with synchronous replication (an
      acknowledged commit is on two nodes) vs without, Patroni's `synchronous_mode`
      switched through its REST API between the runs, by turns
  C3  the replication lag under W3, in each mode: every standby's `replay_lag` read on
      the leader (pg_stat_replication) every SAMPLE_EVERY seconds; p50, p99 and max

All three are figures, not targets: on one machine the standby shares the leader's CPU,
so C1 shows what routing reads costs rather than what a second machine would add.

  backend/src/.venv/bin/python bench/cluster_costs.py [--duration 15] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

import run as harness
from tests.cluster.patroni import Cluster, running_cluster
from tests.databases import free_port
from tests.processes import wait_until

SAMPLE_EVERY = 0.1  # seconds between two reads of the standbys' replay lag
ROUNDS = 3  # each variant's runs, alternated (--rounds)
SWITCHED_WITHIN = 30.0  # seconds for the leader to take a new synchronous_mode


def leader_dsn(cluster: Cluster, database: str = "postgres") -> str:
    leader = cluster.leader()
    assert leader is not None, "the cluster has no leader"
    return cluster.dsn(leader, database)


async def _create_bench_database(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE DATABASE bench")
    finally:
        await conn.close()


async def _fetchval(dsn: str, query: str) -> Any:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(query)
    finally:
        await conn.close()


def set_synchronous(cluster: Cluster, on: bool) -> None:
    """Patroni's dynamic configuration changed through its REST API (what
    `patronictl edit-config` does), then waited for: the leader names a synchronous
    standby, or none."""
    leader = cluster.leader()
    assert leader is not None
    httpx.patch(
        f"{leader.rest_url}/config", json={"synchronous_mode": on}, timeout=10
    ).raise_for_status()

    def applied() -> bool:
        names = asyncio.run(_fetchval(leader_dsn(cluster), "SHOW synchronous_standby_names"))
        return bool(names) == on and (not on or cluster.healthy())

    wait_until(applied, timeout=SWITCHED_WITHIN, what=f"synchronous_mode={on}", interval=0.25)


@contextlib.contextmanager
def lag_sampled(dsn: str) -> Iterator[list[float]]:
    """Every SAMPLE_EVERY s while the block runs, the largest replay lag (seconds) of the
    leader's standbys, appended to the yielded list. PostgreSQL reports no lag (NULL) for
    a standby that has replayed everything and heard of nothing newer: 0 here."""
    samples: list[float] = []
    stop = threading.Event()

    async def sample() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            while not stop.is_set():
                lag = await conn.fetchval(
                    "SELECT coalesce(max(extract(epoch FROM replay_lag)), 0)::float8"
                    " FROM pg_stat_replication"
                )
                samples.append(float(lag))
                await asyncio.sleep(SAMPLE_EVERY)
        finally:
            await conn.close()

    sampler = threading.Thread(target=lambda: asyncio.run(sample()), daemon=True)
    sampler.start()
    try:
        yield samples
    finally:
        stop.set()
        sampler.join(timeout=10)


def lag_figures(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples) or [0.0]
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "samples": len(samples),
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": p99 * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def measure(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    seconds, warmup = args.duration, args.warmup
    started = time.monotonic()
    with running_cluster() as cluster:
        print(f"cluster formed in {time.monotonic() - started:.0f} s", flush=True)
        asyncio.run(_create_bench_database(leader_dsn(cluster)))
        env = {
            **os.environ,
            "DATABASE_URL": cluster.url("bench"),
            "SECRET_KEY": harness.SECRET_KEY,
            "DEV_MODE": "0",
            "LOGS_AS_JSON": "1",
            "DATA_DIR": str(workdir),
        }
        standby_env = {**env, "DATABASE_READ_URL": cluster.url("bench", "prefer-standby")}
        subprocess.run(
            [harness.PYTHON, "-m", "app.cli", "migrate"],
            env=env,
            cwd=harness.BACKEND_SRC,
            check=True,
        )
        on_leader, on_standby = free_port(), free_port()
        reads: dict[str, list[harness.Result]] = {"leader": [], "standby": []}
        writes: dict[str, list[harness.Result]] = {}
        lag: dict[str, list[float]] = {"sync": [], "async": []}
        with (
            harness.server(
                harness.app_command(on_leader), env, on_leader, workdir / "leader-reads.log"
            ) as leader_pid,
            harness.server(
                harness.app_command(on_standby),
                standby_env,
                on_standby,
                workdir / "standby-reads.log",
            ),
        ):
            token, list_id, ids = harness.prepare_user(f"http://127.0.0.1:{on_leader}")
            scripts = harness.workload_scripts(token, ids)
            script, script_args = scripts["W2"]
            for _ in range(args.rounds):
                for variant, port in (("leader", on_leader), ("standby", on_standby)):
                    result = harness.wrk(port, script, script_args, seconds=seconds, warmup=warmup)
                    reads[variant].append(result)
                    print(f"  W2 reads on the {variant}: {result.rps:8.0f} req/s", flush=True)
            for _ in range(args.rounds):
                for mode in ("sync", "async"):
                    set_synchronous(cluster, mode == "sync")
                    for name in ("W4", "W3"):  # W3 last: it grows the user's todos
                        script, script_args = scripts[name]
                        with lag_sampled(leader_dsn(cluster)) as samples:
                            result = harness.wrk(
                                on_leader,
                                script,
                                script_args,
                                seconds=seconds,
                                warmup=warmup,
                                cpu_of=harness.worker_pid(leader_pid),
                            )
                        if name == "W3":
                            lag[mode] += samples
                        writes.setdefault(f"{name}-{mode}", []).append(result)
                        print(f"  {name} {mode}: {result.rps:8.0f} req/s", flush=True)
                    asyncio.run(harness.keep_only(leader_dsn(cluster, "bench"), list_id, ids))
            set_synchronous(cluster, True)
    return {
        "cluster": {
            "reads": {k: [asdict(r) for r in v] for k, v in reads.items()},
            "writes": {k: [asdict(r) for r in v] for k, v in writes.items()},
            "lag_under_w3": {mode: lag_figures(samples) for mode, samples in lag.items()},
        },
        "seconds": seconds,
        "rounds": args.rounds,
    }


def report(data: dict[str, Any]) -> str:
    cluster = data["cluster"]

    def mean(runs: list[dict[str, Any]], field: str) -> float:
        return statistics.fmean(run[field] for run in runs)

    def errors(runs: list[dict[str, Any]]) -> int:
        return sum(run["non_2xx"] + run["socket_errors"] for run in runs)

    reads, writes = cluster["reads"], cluster["writes"]
    leader, standby = reads["leader"], reads["standby"]
    lines = [
        f"Means of {data['rounds']} alternated runs of {data['seconds']} s each.",
        "",
        "| C1: W2 | reads on the leader | reads on a standby | standby / leader |",
        "|---|---:|---:|---:|",
        f"| req/s | {mean(leader, 'rps'):.0f} | {mean(standby, 'rps'):.0f} "
        f"| {mean(standby, 'rps') / mean(leader, 'rps'):.3f} |",
        f"| p50 ms | {mean(leader, 'p50_ms'):.1f} | {mean(standby, 'p50_ms'):.1f} | |",
        f"| p99 ms | {mean(leader, 'p99_ms'):.1f} | {mean(standby, 'p99_ms'):.1f} | |",
        f"| non-2xx + socket errors | {errors(leader)} | {errors(standby)} | |",
        "",
        "| C2 | synchronous req/s | asynchronous req/s | sync / async "
        "| p99 ms sync / async | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in ("W3", "W4"):
        sync, unsync = writes[f"{name}-sync"], writes[f"{name}-async"]
        lines.append(
            f"| {name} | {mean(sync, 'rps'):.0f} | {mean(unsync, 'rps'):.0f} "
            f"| {mean(sync, 'rps') / mean(unsync, 'rps'):.3f} "
            f"| {mean(sync, 'p99_ms'):.1f} / {mean(unsync, 'p99_ms'):.1f} "
            f"| {errors(sync) + errors(unsync)} |"
        )
    lines += [
        "",
        "| C3: replay lag under W3 (largest of the standbys) | samples | p50 ms | p99 ms "
        "| max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for mode, figures in cluster["lag_under_w3"].items():
        lines.append(
            f"| {mode} | {figures['samples']} | {figures['p50_ms']:.1f} "
            f"| {figures['p99_ms']:.1f} | {figures['max_ms']:.1f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per workload")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="runs of each variant")
    parser.add_argument("--out", type=Path, default=harness.BENCH_DIR / "results" / "cluster")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mi-bench-cluster-") as tmp:
        data = measure(args, Path(tmp))
    table = report(data)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stamp}.json").write_text(json.dumps(data, indent=2))
    (args.out / f"{stamp}.md").write_text(table + "\n")
    print(f"\n{table}\n\nwritten to {args.out}/{stamp}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
