"""The load-test harness behind `make bench` (and the smoke run in `make test`).

It starts a private PostgreSQL, the real backend (one Hypercorn worker, pinned to core
0 where `taskset` exists) and, in the same run, a bare ASGI "ceiling" app on the same
Hypercorn; drives each with wrk (pinned to core 1) and reports every workload as a
ratio to the ceiling, so the figures mean the same on a faster or a busier machine.
The same run also measures the stack's floors (`floors.py`: plain FastAPI routes over
asyncpg, and over SQLAlchemy), which split each request's cost into layers and say
whether a target is reachable on this stack at all.

Workloads (user with 50 todos; 2 threads, 32 connections):
  W0  GET  /healthz          no auth, no database: the framework's floor (no target)
  W1  GET  /todo/            the first page of the list (50 items)
  W2  GET  /todo/{id}
  W3  POST /todo/
  W4  80 % GET / 20 % PUT of one todo
  W5  W1 while the table holds SMALL vs LARGE todos of other users: O(page), not O(table)

Run from the repository root with the backend's Python:
  backend/src/.venv/bin/python bench/run.py [--duration 15] [--smoke]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
BACKEND_SRC = ROOT / "backend" / "src"
sys.path.insert(0, str(BACKEND_SRC))

from tests.databases import free_port
from tests.processes import private_postgres

SECRET_KEY = "bench-secret-" + "x" * 40
PASSWORD = "bench password"
TARGETS = {"W1": 0.25, "W2": 0.40, "W3": 0.20, "W4": 0.30}
W5_MAX_SLOWDOWN = 1.5
RSS_LIMIT_MB = 200


@dataclass
class Result:
    workload: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


# --- processes ---------------------------------------------------------------------------


def pinned(core: int) -> list[str]:
    """`taskset -c CORE` where it exists and the machine has a core to spare."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(core)]
    return []


@contextlib.contextmanager
def server(
    command: list[str], env: dict[str, str], port: int, log: Path, cwd: Path = BACKEND_SRC
) -> Iterator[int]:
    """Run a Hypercorn server until /healthz (or any response) answers; yield its pid."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*pinned(0), *command], env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start:\n{log.read_text()}") from None
                time.sleep(0.1)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_pid(supervisor_pid: int) -> int:
    """Hypercorn's worker: the largest process under the supervisor (multiprocessing
    may also start a small resource-tracker child)."""
    children = Path(f"/proc/{supervisor_pid}/task/{supervisor_pid}/children").read_text().split()
    return max([int(pid) for pid in children] or [supervisor_pid], key=rss_mb)


def py_spy() -> str | None:
    """py-spy from PATH or beside this Python (the backend's venv)."""
    return shutil.which(
        "py-spy", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    )


@contextlib.contextmanager
def sampled(profile: tuple[int, Path] | None, seconds: int) -> Iterator[None]:
    """py-spy samples the worker while the block runs (nothing when profile is None)."""
    if profile is None:
        yield
        return
    pid, output = profile
    command = [str(py_spy()), "record", "--pid", str(pid), "--duration", str(seconds)]
    command += ["--rate", "250", "--nonblocking", "--format", "raw", "--output", str(output)]
    sampler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        sampler.wait(timeout=seconds + 30)


def wrk(
    port: int,
    script: str,
    args: list[str],
    *,
    seconds: int,
    warmup: int,
    profile: tuple[int, Path] | None = None,
) -> Result:
    """One workload: a warm-up, then the measured run (sampled by py-spy into
    `profile`'s file when given a (pid, path))."""
    env = {**os.environ, "BENCH_WRK_DIR": str(BENCH_DIR / "wrk")}
    base = [*pinned(1), "wrk", "-t2", "-c32", "-s", str(BENCH_DIR / "wrk" / script)]
    url = f"http://127.0.0.1:{port}"
    if warmup > 0:
        subprocess.run(
            [*base, f"-d{warmup}s", url, "--", *args], env=env, capture_output=True, check=True
        )
    with sampled(profile, seconds):
        output = subprocess.run(
            [*base, f"-d{seconds}s", url, "--", *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    line = next(x for x in output.splitlines() if x.startswith("BENCH_RESULT "))
    raw = json.loads(line.removeprefix("BENCH_RESULT "))
    return Result(
        workload=script,
        requests=raw["requests"],
        rps=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        non_2xx=raw["non_2xx"],
        socket_errors=raw["socket_errors"],
    )


# --- data --------------------------------------------------------------------------------


async def add_crowd(dsn: str, todos: int, per_user: int = 1000) -> None:
    """Other users' todos, bulk-copied: the rows W5 must not have to look at."""
    conn = await asyncpg.connect(dsn)
    try:
        now = datetime.now(UTC)
        users = [uuid.uuid4() for _ in range(max(1, todos // per_user))]
        lists = [uuid.uuid4() for _ in users]  # each crowd user's personal list
        names = [f"crowd-{u.hex[:16]}" for u in users]  # lower case: each is its own name_key
        await conn.copy_records_to_table(
            "users",
            records=[(u, now, n, n, "not-a-login") for u, n in zip(users, names, strict=True)],
            columns=["id", "created_at", "name", "name_key", "password_hash"],
        )
        await conn.copy_records_to_table(
            "todo_list",
            records=[(li, "Personal", u, now) for li, u in zip(lists, users, strict=True)],
            columns=["id", "name", "personal_of", "created_at"],
        )
        await conn.copy_records_to_table(
            "list_member",
            records=[(li, u, "owner", now) for li, u in zip(lists, users, strict=True)],
            columns=["list_id", "user_id", "role", "created_at"],
        )
        batch = 50_000
        for start in range(0, todos, batch):
            rows = [
                (uuid.uuid4(), lists[n % len(lists)], now, now, f"crowd {n}", "", False, 0)
                for n in range(start, min(start + batch, todos))
            ]
            await conn.copy_records_to_table(
                "todo",
                records=rows,
                columns=[
                    "id",
                    "list_id",
                    "created_at",
                    "updated_at",
                    "title",
                    "content",
                    "completed",
                    "version",
                ],
            )
        await conn.execute("ANALYZE todo")
        await conn.execute("ANALYZE users")
        await conn.execute("ANALYZE todo_list")
        await conn.execute("ANALYZE list_member")
    finally:
        await conn.close()


def prepare_user(base_url: str) -> tuple[str, str, list[str]]:
    """The benchmark's user with 50 todos: returns (token, their personal list's id,
    todo ids)."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        signup = client.post("/auth/signup", json={"name": "bench", "password": PASSWORD})
        signup.raise_for_status()
        login = client.post("/auth/login", data={"username": "bench", "password": PASSWORD})
        token = login.raise_for_status().json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for n in range(50):
            body = {"title": f"todo {n}", "content": f"content of todo {n}"}
            client.post("/todo/", json=body, headers=headers).raise_for_status()
        todos = client.get("/todo/", headers=headers).raise_for_status().json()
    return token, todos[0]["list_id"], [t["id"] for t in todos]


# --- the run -----------------------------------------------------------------------------


# The reference apps measured in the same run, on the same Hypercorn configuration:
# the ceiling (no framework) and the stack's floors (see floors.py).
REFERENCES = {
    "ceiling": "ceiling:app",
    "fastapi+asyncpg": "floors:asyncpg_app",
    "fastapi+sqlalchemy": "floors:sqlalchemy",
}
WORKLOADS = ("W0", "W1", "W2", "W4", "W3")  # W3 last: it grows the user's todos
REPORTED = tuple(sorted(WORKLOADS))  # the order of every table


def run(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    python = str(BACKEND_SRC / ".venv" / "bin" / "python")
    seconds, warmup = args.duration, args.warmup
    measured: dict[str, dict[str, Result]] = {}
    with private_postgres() as postgres:
        admin = postgres.admin_url.set(drivername="postgresql").render_as_string(False)
        asyncio.run(_create_database(admin))
        dsn = admin.rsplit("/", 1)[0] + "/bench"
        env = {
            **os.environ,
            "DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://", 1),
            "SECRET_KEY": SECRET_KEY,
            "DEV_MODE": "0",
            "LOGS_AS_JSON": "1",
            "DATA_DIR": str(workdir),
        }
        # `python -m app.cli` from --backend-src imports that tree's `app`: the same
        # environment can measure an older checkout (a git worktree) for comparison.
        source = args.backend_src
        subprocess.run([python, "-m", "app.cli", "migrate"], env=env, cwd=source, check=True)

        port = free_port()
        command = [python, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        with server(command, env, port, workdir / "backend.log", cwd=source) as pid:
            token, list_id, ids = prepare_user(f"http://127.0.0.1:{port}")
            small, large = args.w5_sizes
            asyncio.run(add_crowd(dsn, small))
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                auth = {"Authorization": f"Bearer {token}"}
                (workdir / "list.json").write_bytes(client.get("/todo/", headers=auth).content)
                (workdir / "todo.json").write_bytes(
                    client.get(f"/todo/{ids[0]}", headers=auth).content
                )
            scripts = {
                "W0": ("health.lua", []),
                "W1": ("list.lua", [token]),
                "W2": ("read.lua", [token, ",".join(ids)]),
                "W4": ("mixed.lua", [token, ids[1]]),
                "W3": ("create.lua", [token]),
            }

            def workloads(label: str, port: int, sample: int | None = None) -> dict[str, Result]:
                """W0 to W4 against one server, then the user back to its 50 todos, so
                every server's list workload sees the same data. With `sample` (a pid),
                py-spy samples that process during each measured run."""
                results: dict[str, Result] = {}
                for name in WORKLOADS:
                    script, script_args = scripts[name]
                    samples = (sample, workdir / f"{name}.pyspy") if sample else None
                    results[name] = wrk(
                        port, script, script_args, seconds=seconds, warmup=warmup, profile=samples
                    )
                    print(f"  {label} {name}: {results[name].rps:8.0f} req/s", flush=True)
                asyncio.run(keep_only(dsn, list_id, ids))
                return results

            measured["app"] = workloads("app", port, worker_pid(pid) if args.profile else None)
            profile = {n: layer_shares(workdir / f"{n}.pyspy") for n in WORKLOADS if args.profile}
            app = measured["app"]
            app["W5-small"] = wrk(port, "list.lua", [token], seconds=seconds, warmup=warmup)
            asyncio.run(add_crowd(dsn, large - small))
            app["W5-large"] = wrk(port, "list.lua", [token], seconds=seconds, warmup=warmup)
            rss = rss_mb(worker_pid(pid))

        reference_env = {
            **os.environ,
            "CEILING_LIST_JSON": str(workdir / "list.json"),
            "CEILING_TODO_JSON": str(workdir / "todo.json"),
            "DATABASE_URL": dsn,
            "FLOOR_LIST_ID": list_id,
            "PYTHONPATH": str(BENCH_DIR),
        }
        for label, app_path in REFERENCES.items():
            port = free_port()
            command = [python, "-m", "ceiling_server", "--app", app_path, "--port", str(port)]
            with server(command, reference_env, port, workdir / f"{label}.log"):
                measured[label] = workloads(label, port)

    as_json = {label: {k: asdict(v) for k, v in runs.items()} for label, runs in measured.items()}
    return {
        "results": as_json.pop("app"),
        "references": as_json,
        "w5_sizes": args.w5_sizes,
        "worker_rss_mb": round(rss, 1),
        "seconds": seconds,
        "backend_src": str(args.backend_src),
        "profile": profile,
    }


# Where a sampled frame's code lives → the layer it is counted in. First match wins;
# a frame is named like "function (package/module.py:line)".
LAYERS = (
    ("Hypercorn + h11 (HTTP)", ("hypercorn/", "h11/")),
    ("FastAPI + Starlette", ("fastapi/", "starlette/", "anyio/")),
    ("Pydantic", ("pydantic/", "pydantic_core/")),
    ("SQLAlchemy (+ greenlet)", ("sqlalchemy/", "greenlet/")),
    ("asyncpg", ("asyncpg/",)),
    ("logging (structlog, orjson)", ("structlog/", "orjson", "logging/")),
    ("the app's own code", ("app/",)),
    ("event loop (uvloop, asyncio)", ("uvloop/", "asyncio/")),
)
OTHER_LAYER = "other (stdlib, jwt, uuid, native)"


def layer_of(frame: str) -> str:
    location = frame.rpartition("(")[2]
    for layer, markers in LAYERS:
        if any(marker in location for marker in markers):
            return layer
    return OTHER_LAYER


def layer_shares(raw: Path) -> dict[str, float]:
    """Self time by layer, from py-spy's raw output (one "frame;frame;... count" line
    per distinct stack): each sample counts for the layer of its innermost frame."""
    counts: dict[str, int] = {}
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        layer = layer_of(stack.rpartition(";")[2])
        counts[layer] = counts.get(layer, 0) + int(count)
    total = sum(counts.values()) or 1
    return {layer: count / total for layer, count in counts.items()}


async def keep_only(dsn: str, list_id: str, ids: list[str]) -> None:
    """Delete the todos a create workload added to the benchmark user's list."""
    conn = await asyncpg.connect(dsn)
    try:
        kept = [uuid.UUID(i) for i in ids]
        await conn.execute(
            "DELETE FROM todo WHERE list_id = $1 AND id <> ALL($2)", uuid.UUID(list_id), kept
        )
        await conn.execute("ANALYZE todo")
    finally:
        await conn.close()


async def _create_database(admin_dsn: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute("CREATE DATABASE bench")
    finally:
        await conn.close()


def report(data: dict[str, object]) -> tuple[str, bool]:
    """A Markdown table, and whether every target was met."""
    results = data["results"]
    references = data["references"]
    assert isinstance(results, dict)
    assert isinstance(references, dict)
    ceiling = references["ceiling"]
    lines = [
        "| workload | req/s | p50 ms | p99 ms | non-2xx | socket errors "
        "| ceiling req/s | ratio | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    all_met = True
    for name in REPORTED:
        r, c = results[name], ceiling[name]
        ratio = r["rps"] / c["rps"]
        clean = r["non_2xx"] == 0 and r["socket_errors"] == 0
        if name in TARGETS:
            met = ratio >= TARGETS[name] and clean
            all_met &= met
            target, verdict = f"≥ {TARGETS[name]:.2f}", "yes" if met else "NO"
        else:  # W0 has no target: it shows the framework's floor
            target, verdict = "(floor)", "—"
        lines.append(
            f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} "
            f"| {r['non_2xx']} | {r['socket_errors']} | {c['rps']:.0f} | {ratio:.3f} "
            f"| {target} | {verdict} |"
        )
    small, large = results["W5-small"], results["W5-large"]
    sizes = data["w5_sizes"]
    assert isinstance(sizes, list)
    slowdown = large["p50_ms"] / small["p50_ms"]
    w5_met = slowdown <= W5_MAX_SLOWDOWN and large["non_2xx"] == 0
    rss = data["worker_rss_mb"]
    assert isinstance(rss, float)
    all_met &= w5_met and rss < RSS_LIMIT_MB
    lines += [
        "",
        "| W5: list p50 with other users' todos | p50 ms | req/s |",
        "|---|---:|---:|",
        f"| {sizes[0]:,} rows | {small['p50_ms']:.1f} | {small['rps']:.0f} |",
        f"| {sizes[1]:,} rows | {large['p50_ms']:.1f} | {large['rps']:.0f} |",
        f"| slowdown (target ≤ {W5_MAX_SLOWDOWN}) | {slowdown:.2f} "
        f"| {'met' if w5_met else 'NOT met'} |",
        "",
        f"Worker RSS after the run: {rss:.0f} MB (target < {RSS_LIMIT_MB} MB).",
        "",
        *layers(results, references),
    ]
    profile = data.get("profile")
    if profile:
        assert isinstance(profile, dict)
        lines += ["", *profile_table(profile)]
    return "\n".join(lines), all_met


def profile_table(profile: dict[str, dict[str, float]]) -> list[str]:
    """The app's sampled self time per layer, one column per workload."""
    names = [name for name in REPORTED if name in profile]
    shares = [layer for layer, _ in LAYERS] + [OTHER_LAYER]
    lines = [
        f"| the app's CPU time (py-spy, self) | {' | '.join(names)} |",
        f"|---|{'---:|' * len(names)}",
    ]
    for layer in shares:
        cells = [f"{profile[name].get(layer, 0) * 100:.0f} %" for name in names]
        lines.append(f"| {layer} | {' | '.join(cells)} |")
    return lines


def layers(results: dict[str, Any], references: dict[str, Any]) -> list[str]:
    """Where the time goes: each layer's cost per request, from the reference apps.

    The worker saturates its core, so 1e6 / (req/s) is its time per request in µs;
    the difference between two servers is what the layer between them costs. A target
    above the FastAPI + SQLAlchemy floor's ratio cannot be met on this stack."""
    ceiling, bare, floor = (references[k] for k in REFERENCES)
    lines = [
        "| workload | ceiling req/s | FastAPI + asyncpg | FastAPI + SQLAlchemy | app "
        "| target | µs/request: FastAPI + driver | SQLAlchemy | the app |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in REPORTED:
        rps = [x[name]["rps"] for x in (ceiling, bare, floor, results)]
        us = [1e6 / r for r in rps]
        ratios = [f"{r:.0f} ({r / rps[0]:.3f})" for r in rps[1:]]
        target = f"{TARGETS[name]:.2f}" if name in TARGETS else "—"
        if name in TARGETS and TARGETS[name] > rps[2] / rps[0]:
            target += " (above the floor)"
        costs = [f"{b - a:.0f}" for a, b in itertools.pairwise(us)]
        cells = [name, f"{rps[0]:.0f}", *ratios, target, *costs]
        lines.append(f"| {' | '.join(cells)} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per workload")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up")
    parser.add_argument(
        "--w5-sizes", type=lambda v: [int(x) for x in v.split(",")], default=[1_000, 1_000_000]
    )
    parser.add_argument(
        "--smoke", action="store_true", help="1 s per workload and a small W5: checks the harness"
    )
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample the app's worker with py-spy during W0-W4 and report time per layer",
    )
    parser.add_argument(
        "--backend-src",
        type=Path,
        default=BACKEND_SRC,
        help="the backend/src tree to measure (e.g. a worktree of an older commit)",
    )
    args = parser.parse_args()
    if args.smoke:
        args.duration, args.warmup, args.w5_sizes = 1, 1, [1_000, 5_000]
    if shutil.which("wrk") is None:
        print("bench: wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    if args.profile and py_spy() is None:
        print("bench: --profile needs py-spy (pip install py-spy)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mi-bench-") as tmp:
        data = run(args, Path(tmp))
    table, all_met = report(data)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stamp}.json").write_text(json.dumps(data, indent=2))
    (args.out / f"{stamp}.md").write_text(table + "\n")
    print()
    print(table)
    print(f"\nwritten to {args.out}/{stamp}.md")
    if args.smoke:
        # The smoke run proves the harness works end to end; figures from 1 s runs on a
        # shared machine are not a verdict on the targets.
        return 0
    return 0 if all_met else 1


if __name__ == "__main__":
    raise SystemExit(main())
