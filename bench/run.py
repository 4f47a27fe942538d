"""The load-test harness behind `make bench` (and the smoke run in `make test`).

It starts a private PostgreSQL, the real backend (one Hypercorn worker, pinned to core
0 where `taskset` exists) and, in the same run, the stack's floors (`floors.py`: plain
FastAPI routes over asyncpg, and over SQLAlchemy) and a bare ASGI "ceiling" app, all on
the same Hypercorn; drives each with wrk (pinned to core 1). Every workload is judged as
a ratio to the FastAPI + SQLAlchemy floor measured in the same run, so the figures mean
the same on a faster or a busier machine, and the servers' differences split each
request's cost into layers (req/s, and each worker's CPU time per request).

Workloads (user with 50 todos; 2 threads, 32 connections):
  W0  GET  /healthz          no auth, no database: the framework's floor (no target)
  W1  GET  /todo/            the first page of the list (50 items)
  W2  GET  /todo/{id}
  W3  POST /todo/
  W4  80 % GET / 20 % PUT of one todo
  W5  W1 while the table holds SMALL vs LARGE todos of other users: O(page), not O(table)
  W7  search (`GET /todo/search?q=milk`) and the Today view (`GET /todo/due?view=today`)
      for a user in W7_LISTS lists, while the table holds SMALL vs LARGE todos of other
      users (W5's crowd, whose titles hold the word searched for as often as the user's)
  W6  1 000 idle `GET /events` streams on the worker (a fresh one): its RSS and idle CPU,
      and W2 with them held open against W2 without (alternated: without, with, without, …)
  W8  32 connections reordering todos of one list of W8_TODOS (PATCH {after|before}):
      no non-2xx (a 40001 storm would end in 503s), p99 at most 3 times p50
  T   telemetry's cost: W2 and W3 on a fresh server with telemetry off, with Prometheus
      metrics on (METRICS_PORT), and with metrics and tracing to a local OTLP collector
      (collector.py), alternated round by round (off, metrics, tracing, off, …)

Run from the repository root with the backend's Python:
  backend/src/.venv/bin/python bench/run.py [--duration 15] [--smoke] [--only-w6]
                                            [--only-telemetry] [--telemetry-rounds 2]
                                            [--only-w7] [--w5-sizes 1000,1000000]
                                            [--against TREE --rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
BACKEND_SRC = ROOT / "backend" / "src"
PYTHON = str(BACKEND_SRC / ".venv" / "bin" / "python")
sys.path.insert(0, str(BACKEND_SRC))

from app.todos import ordering
from collector import otlp_collector
from tests.databases import free_port
from tests.processes import private_postgres

SECRET_KEY = "bench-secret-" + "x" * 40
PASSWORD = "bench password"
# The app's req/s over the FastAPI + SQLAlchemy floor's (W3: the floor's autocommit insert).
TARGETS = {"W1": 0.80, "W2": 0.80, "W3": 0.80, "W4": 0.80}
MAX_TAIL = 3.0  # p99 at most this many times p50, W1 to W4
FLOOR = "fastapi+sqlalchemy"
# The same floor in FastAPI's structure (an included router, the caller and the store as
# dependencies): shown beside the targets, to say what the structure itself costs.
STRUCTURED_FLOOR = "fastapi+sqlalchemy, structured"
W5_MAX_SLOWDOWN = 1.5
W8_TODOS = 1000  # the list W8 reorders (--w8-todos)
W7_MAX_SLOWDOWN = 1.5  # search p50 with LARGE other users' todos over SMALL, as W5
W7_LISTS = 100  # the lists the searching user is a member of
W7_TODOS_PER_LIST = 10
W7_QUERY = "milk"
# Words of the crowd's and the W7 lists' titles, in turn: one todo in ten holds the word
# W7 searches for, in the user's lists and in everyone else's alike, so the index finds
# ten times more of the crowd's todos at LARGE than at SMALL.
VOCABULARY = (
    "milk", "bread", "call", "paint", "garden", "report", "invoice", "train", "dentist", "books",
)  # fmt: skip
W7_SEARCH = f"/todo/search?q={W7_QUERY}"
W7_TODAY = "/todo/due?view=today"
RSS_LIMIT_MB = 200
W6_MIN_RATIO = 0.9  # W2 with the streams held, over W2 without them
STREAMS = 1000  # W6's idle streams (--streams)
# The app's default EVENTS_MAX_STREAMS_PER_USER: W6 spreads its streams over as many
# accounts as that cap takes, and runs the app as it is configured by default.
STREAMS_PER_ACCOUNT = 10
SETTLE_SECONDS = 2  # W6: a pause before each idle measurement
HEARTBEAT_SECONDS = 15  # the app's default EVENTS_HEARTBEAT_SECONDS
W6_ROUNDS = 2  # W6: runs of W2 with the streams, each between two without (--w6-rounds)
TELEMETRY_VARIANTS = ("off", "metrics", "tracing")
TELEMETRY_WORKLOADS = ("W2", "W3")
TELEMETRY_ROUNDS = 2  # each variant's runs, alternated (--telemetry-rounds)
# Metrics on may cost at most 5 % of W2's and W3's throughput, judged by the worker's CPU
# time per request: on a shared machine req/s moves with the neighbours, CPU time hardly.
METRICS_MAX_COST = 0.05
TELEMETRY_ENV = ("METRICS_PORT", "OTEL_EXPORTER_OTLP_ENDPOINT", "SENTRY_DSN")


@dataclass
class Result:
    workload: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    # The worker's CPU time per request (µs) over the measured run, where asked for: unlike
    # req/s, it hardly moves when other processes share the worker's core.
    worker_cpu_us: float | None = None


def per(numerator: float, denominator: float) -> float:
    """numerator / denominator, or NaN where a run completed nothing: a 1 s smoke run
    beside the backend suite once finished no request on a floor (CI), and the report
    crashed dividing by it. NaN fails every target and prints as "nan"."""
    return numerator / denominator if denominator else math.nan


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


def app_command(port: int) -> list[str]:
    """The backend as `minor-illusion serve` runs it: one worker (run in --backend-src)."""
    return [PYTHON, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (all its threads), from /proc."""
    # Fields after the command name's ")": state is field 3, utime 14 and stime 15.
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cpu_percent(pid: int, seconds: float) -> float:
    """The share of one core the process uses over `seconds` while nobody sends it a
    request."""
    before, start = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / (time.monotonic() - start) * 100


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


def get_workload(token: str, path: str) -> tuple[str, list[str]]:
    """W7's wrk script and its arguments: one GET, always the same."""
    return "get.lua", [token, path]


def wrk(
    port: int,
    script: str,
    args: list[str],
    *,
    seconds: int,
    warmup: int,
    profile: tuple[int, Path] | None = None,
    cpu_of: int | None = None,
) -> Result:
    """One workload: a warm-up, then the measured run (sampled by py-spy into
    `profile`'s file when given a (pid, path); with `cpu_of`, a pid, that process's CPU
    time per request)."""
    env = {**os.environ, "BENCH_WRK_DIR": str(BENCH_DIR / "wrk")}
    base = [*pinned(1), "wrk", "-t2", "-c32", "-s", str(BENCH_DIR / "wrk" / script)]
    url = f"http://127.0.0.1:{port}"
    if warmup > 0:
        subprocess.run(
            [*base, f"-d{warmup}s", url, "--", *args], env=env, capture_output=True, check=True
        )
    cpu_before = cpu_seconds(cpu_of) if cpu_of else 0.0
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
    cpu = (cpu_seconds(cpu_of) - cpu_before) * 1e6 / max(raw["requests"], 1) if cpu_of else None
    return Result(
        workload=script,
        requests=raw["requests"],
        rps=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        non_2xx=raw["non_2xx"],
        socket_errors=raw["socket_errors"],
        worker_cpu_us=cpu,
    )


# --- data --------------------------------------------------------------------------------


# The columns of the todos the harness bulk-copies (W5's crowd, W8's list), in the
# order of the records it builds.
TODO_COPY_COLUMNS = [
    "id",
    "list_id",
    "created_at",
    "updated_at",
    "title",
    "content",
    "completed",
    "version",
    "position",
]


async def add_crowd(dsn: str, todos: int, per_user: int = 1000) -> None:
    """Other users' todos, bulk-copied: the rows W5 and W7 must not have to look at."""
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
        # Each list's todos in their created order, as the migration keys existing ones.
        keys = ordering.evenly(-(-todos // len(lists)))
        batch = 50_000
        for start in range(0, todos, batch):
            rows = [
                (
                    uuid.uuid4(),
                    lists[n % len(lists)],
                    now,
                    now,
                    f"{VOCABULARY[n % len(VOCABULARY)]} crowd {n}",
                    "",
                    False,
                    0,
                    keys[n // len(lists)],
                )
                for n in range(start, min(start + batch, todos))
            ]
            await conn.copy_records_to_table(
                "todo",
                records=rows,
                columns=TODO_COPY_COLUMNS,
            )
        # VACUUM too: the table at rest (its GIN index's pending list merged, the
        # visibility map set), not autovacuum catching up during the measured runs.
        await conn.execute("VACUUM ANALYZE todo")
        await conn.execute("ANALYZE users")
        await conn.execute("ANALYZE todo_list")
        await conn.execute("ANALYZE list_member")
    finally:
        await conn.close()


async def add_reorder_list(dsn: str, port: int, token: str, count: int) -> list[str]:
    """W8's list: a list of the benchmark user's (made through the API, so they own it)
    holding `count` todos, bulk-copied with keys in order as the migration gives them;
    returns their ids."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        made = await client.post(
            "/lists", json={"name": "W8"}, headers={"Authorization": f"Bearer {token}"}
        )
        list_id = uuid.UUID(made.raise_for_status().json()["id"])
    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in range(count)]
    keys = ordering.evenly(count)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "todo",
            records=[
                (id_, list_id, now, now, f"reorder {n}", "", False, 0, keys[n])
                for n, id_ in enumerate(ids)
            ],
            columns=TODO_COPY_COLUMNS,
        )
        await conn.execute("ANALYZE todo")
    finally:
        await conn.close()
    return [str(id_) for id_ in ids]


async def add_search_lists(dsn: str, port: int, token: str) -> None:
    """W7's lists: W7_LISTS lists the benchmark user is a member of, each with
    W7_TODOS_PER_LIST todos (titles from VOCABULARY; every third due today)."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        me = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
        user = uuid.UUID(me.raise_for_status().json()["id"])
    now = datetime.now(UTC)
    lists = [uuid.uuid4() for _ in range(W7_LISTS)]
    keys = ordering.evenly(W7_TODOS_PER_LIST)
    todos = [
        (
            uuid.uuid4(), list_id, now, now,
            f"{VOCABULARY[n % len(VOCABULARY)]} in list {m}", "", False, 0, keys[n],
            now.date() if n % 3 == 0 else None, "UTC" if n % 3 == 0 else None,
            now if n % 3 == 0 else None,
        )
        for m, list_id in enumerate(lists)
        for n in range(W7_TODOS_PER_LIST)
    ]  # fmt: skip
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "todo_list",
            records=[(li, f"W7 list {m}", None, now) for m, li in enumerate(lists)],
            columns=["id", "name", "personal_of", "created_at"],
        )
        await conn.copy_records_to_table(
            "list_member",
            records=[(li, user, "editor", now) for li in lists],
            columns=["list_id", "user_id", "role", "created_at"],
        )
        await conn.copy_records_to_table(
            "todo", records=todos, columns=[*TODO_COPY_COLUMNS, "due_date", "due_zone", "due_at"]
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def search_workloads(
    port: int, token: str, size: str, *, seconds: int, warmup: int
) -> dict[str, Result]:
    """W7 at one crowd size: search, then the Today view."""
    return {
        f"W7-{size}": wrk(port, *get_workload(token, W7_SEARCH), seconds=seconds, warmup=warmup),
        f"W7T-{size}": wrk(port, *get_workload(token, W7_TODAY), seconds=seconds, warmup=warmup),
    }


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


# --- W6: idle event streams --------------------------------------------------------------


def allow_open_files(needed: int) -> None:
    """Raise this process's open-file limit (inherited by the servers and the stream
    holder it starts) to at least `needed`, up to the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise RuntimeError(f"W6 needs {needed} open files; the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def has_event_stream(base_url: str, token: str) -> bool:
    """Whether the backend serves `GET /events` (an older tree, via --backend-src, may
    not)."""
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.stream("GET", f"{base_url}/events", headers=auth, timeout=30) as response:
        return response.status_code != 404


def stream_accounts(base_url: str, count: int) -> list[str]:
    """`count` fresh accounts for W6's streams; returns a token for each."""
    tokens = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for n in range(count):
            name = f"bench-stream-{n}"
            body = {"name": name, "password": PASSWORD}
            client.post("/auth/signup", json=body).raise_for_status()
            login = client.post("/auth/login", data={"username": name, "password": PASSWORD})
            tokens.append(login.raise_for_status().json()["access_token"])
    return tokens


@contextlib.contextmanager
def held_streams(port: int, tokens: Path, count: int) -> Iterator[Callable[[], int]]:
    """`count` idle streams, held by `streams.py` in a process of its own (on wrk's
    core), all past their `ready` event; yields a function that asks how many the
    server has not closed."""
    command = [PYTHON, str(BENCH_DIR / "streams.py"), "--port", str(port)]
    command += ["--tokens", str(tokens), "--count", str(count)]
    holder = subprocess.Popen(
        [*pinned(1), *command], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    stdin, stdout = holder.stdin, holder.stdout
    assert stdin is not None
    assert stdout is not None
    try:
        answer = stdout.readline().strip()
        if answer != f"ready {count}":
            raise RuntimeError(f"W6: the streams did not open: {answer or 'no answer'}")

        def still_open() -> int:
            stdin.write("status\n")
            stdin.flush()
            return int(stdout.readline().split()[1])

        yield still_open
    finally:
        stdin.close()  # the holder closes every stream and exits
        try:
            holder.wait(timeout=30)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait()


def idle_streams(
    args: argparse.Namespace,
    env: dict[str, str],
    workdir: Path,
    w2: tuple[str, list[str]],
) -> dict[str, Any] | None:
    """W6 on a fresh app server (so its RSS is the streams' and not the earlier
    workloads'). W2 runs alternately without and with `args.streams` idle streams held
    open — without, with, without, … (`args.w6_rounds` times with), so the machine's
    drift weighs on both sides alike — and the first time the streams are up, the
    worker's RSS and idle CPU are taken, as they were just before without them. None
    when the backend has no `GET /events`."""
    count, seconds, warmup = args.streams, args.duration, args.warmup
    allow_open_files(count + 1024)
    port = free_port()
    log = workdir / "streams-backend.log"
    with server(app_command(port), env, port, log, cwd=args.backend_src) as pid:
        base_url = f"http://127.0.0.1:{port}"
        script, script_args = w2
        if not has_event_stream(base_url, script_args[0]):
            print("  W6 skipped: this backend has no GET /events", flush=True)
            return None
        accounts = -(-count // STREAMS_PER_ACCOUNT)
        tokens = workdir / "stream-tokens.txt"
        tokens.write_text("\n".join(stream_accounts(base_url, accounts)) + "\n")
        worker = worker_pid(pid)

        def w2_run(label: str) -> Result:
            result = wrk(port, script, script_args, seconds=seconds, warmup=warmup, cpu_of=worker)
            print(
                f"  W6 W2 {label}: {result.rps:8.0f} req/s, worker CPU "
                f"{result.worker_cpu_us:.0f} µs/request",
                flush=True,
            )
            return result

        without = [w2_run("without streams")]
        time.sleep(SETTLE_SECONDS)  # the last requests' work done: idle means idle
        rss = {"without": rss_mb(worker)}
        idle_cpu = {"without": idle_cpu_percent(worker, seconds)}
        with_streams: list[Result] = []
        opened_in: list[float] = []
        open_after = count
        for _ in range(args.w6_rounds):
            started = time.monotonic()
            with held_streams(port, tokens, count) as still_open:
                opened_in.append(time.monotonic() - started)
                if "with" not in rss:
                    time.sleep(SETTLE_SECONDS)
                    rss["with"] = rss_mb(worker)
                    idle_cpu["with"] = idle_cpu_percent(worker, seconds)
                    print(
                        f"  W6 {count} streams ready in {opened_in[0]:.1f} s: worker RSS "
                        f"{rss['without']:.0f} -> {rss['with']:.0f} MB, idle CPU "
                        f"{idle_cpu['without']:.1f} -> {idle_cpu['with']:.1f} %",
                        flush=True,
                    )
                with_streams.append(w2_run(f"with {count} streams"))
                rss["with_after_w2"] = rss_mb(worker)
                open_after = min(open_after, still_open())
            without.append(w2_run("without streams"))

    def mean(results: list[Result], field: str) -> float:
        values: list[float] = [getattr(result, field) for result in results]
        return sum(values) / len(values)

    return {
        "streams": count,
        "accounts": accounts,
        "opened_in_s": [round(t, 1) for t in opened_in],
        "idle_seconds": seconds,
        "heartbeat_seconds": float(env.get("EVENTS_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)),
        "rss_mb": {k: round(v, 1) for k, v in rss.items()},
        "idle_cpu_percent": {k: round(v, 2) for k, v in idle_cpu.items()},
        "w2_without": [asdict(r) for r in without],
        "w2_with": [asdict(r) for r in with_streams],
        # W2 with the streams over W2 without: req/s, and the same from the worker's CPU
        # time per request (the worker saturates its core, so req/s = 1 / CPU time when
        # nothing else competes for that core).
        "w2_ratio": per(mean(with_streams, "rps"), mean(without, "rps")),
        "w2_cpu_ratio": per(mean(without, "worker_cpu_us"), mean(with_streams, "worker_cpu_us")),
        "open_after_w2": open_after,
    }


# --- the run -----------------------------------------------------------------------------


# The reference apps measured in the same run, on the same Hypercorn configuration:
# the ceiling (no framework) and the stack's floors (see floors.py).
# --- T: what telemetry costs ----------------------------------------------------------


def telemetry_overhead(
    args: argparse.Namespace,
    env: dict[str, str],
    workdir: Path,
    scripts: dict[str, tuple[str, list[str]]],
    reset: Callable[[], None],
) -> dict[str, Any]:
    """W2 and W3 on a fresh app server per variant — telemetry off, metrics on, metrics
    and tracing on (to a local collector) — alternated round by round so the machine's
    drift weighs on each alike. `reset` puts the user's todos back after each server
    (W3 adds some). The figures compare within this run only."""
    plain = {key: value for key, value in env.items() if key not in TELEMETRY_ENV}
    results: dict[str, dict[str, list[Result]]] = {
        variant: {name: [] for name in TELEMETRY_WORKLOADS} for variant in TELEMETRY_VARIANTS
    }
    with otlp_collector() as collector:
        for _ in range(args.telemetry_rounds):
            for variant in TELEMETRY_VARIANTS:
                variant_env = dict(plain)
                if variant != "off":
                    variant_env["METRICS_PORT"] = str(free_port())
                if variant == "tracing":
                    variant_env["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.url
                port = free_port()
                log = workdir / f"telemetry-{variant}.log"
                with server(app_command(port), variant_env, port, log, cwd=args.backend_src) as pid:
                    worker = worker_pid(pid)
                    for name in TELEMETRY_WORKLOADS:
                        script, script_args = scripts[name]
                        result = wrk(
                            port,
                            script,
                            script_args,
                            seconds=args.duration,
                            warmup=args.warmup,
                            cpu_of=worker,
                        )
                        results[variant][name].append(result)
                        print(
                            f"  T {name} telemetry {variant:<8}: {result.rps:8.0f} req/s, "
                            f"worker CPU {result.worker_cpu_us:.0f} µs/request",
                            flush=True,
                        )
                reset()
        exports, exported_bytes = collector.exports, collector.bytes
    return {
        "rounds": args.telemetry_rounds,
        "runs": {
            variant: {name: [asdict(r) for r in runs] for name, runs in by_name.items()}
            for variant, by_name in results.items()
        },
        "collector_exports": exports,
        "collector_bytes": exported_bytes,
    }


def telemetry_table(telemetry: dict[str, Any]) -> tuple[list[str], bool]:
    """T: each variant's mean req/s and worker CPU time per request, as ratios to `off`
    (for CPU time: off's over the variant's, so that below 1 is a cost either way)."""
    runs = telemetry["runs"]

    def mean(variant: str, name: str, field: str) -> float:
        values: list[float] = [r[field] for r in runs[variant][name]]
        return sum(values) / len(values)

    lines = [
        "| T: telemetry's cost | off | metrics (ratio) | metrics + tracing (ratio) |",
        "|---|---:|---:|---:|",
    ]
    met = True
    for name in TELEMETRY_WORKLOADS:
        off, on, traced = (mean(v, name, "rps") for v in TELEMETRY_VARIANTS)
        cpu_off, cpu_on, cpu_traced = (mean(v, name, "worker_cpu_us") for v in TELEMETRY_VARIANTS)
        clean = all(
            r["non_2xx"] == 0 and r["socket_errors"] == 0
            for v in TELEMETRY_VARIANTS
            for r in runs[v][name]
        )
        met &= cpu_off / cpu_on >= 1 - METRICS_MAX_COST and clean
        lines += [
            f"| {name} req/s | {off:.0f} | {on:.0f} ({on / off:.3f}) "
            f"| {traced:.0f} ({traced / off:.3f}) |",
            f"| {name} worker CPU µs/request | {cpu_off:.0f} | {cpu_on:.0f} "
            f"({cpu_off / cpu_on:.3f}) | {cpu_traced:.0f} ({cpu_off / cpu_traced:.3f}) |",
        ]
    lines += [
        "",
        f"T: metrics on may cost at most {METRICS_MAX_COST:.0%} of the worker's CPU time per "
        f"request: {'met' if met else 'NOT met'} ({telemetry['rounds']} alternated rounds; "
        "req/s shown too, but on a shared machine it moves with the neighbours). Tracing "
        f"exported {telemetry['collector_exports']} batches ({telemetry['collector_bytes']:,} "
        "bytes) to the local collector; it samples every request (OTEL_TRACES_SAMPLE_RATIO 1).",
    ]
    return lines, met


REFERENCES = {
    "ceiling": "ceiling:app",
    "fastapi+asyncpg": "floors:asyncpg_app",
    "fastapi+sqlalchemy": "floors:sqlalchemy",
    STRUCTURED_FLOOR: "floors:structured",
}
WORKLOADS = ("W0", "W1", "W2", "W4", "W3")  # W3 last: it grows the user's todos
REPORTED = tuple(sorted(WORKLOADS))  # the order of every table


@contextlib.contextmanager
def bench_database(args: argparse.Namespace, workdir: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A private PostgreSQL with a `bench` database that --backend-src's tree migrated;
    yields its DSN (postgresql://) and the environment the app runs with."""
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
        migrate = [PYTHON, "-m", "app.cli", "migrate"]
        subprocess.run(migrate, env=env, cwd=args.backend_src, check=True)
        yield dsn, env


def read_workload(token: str, ids: list[str]) -> tuple[str, list[str]]:
    """W2's wrk script and its arguments."""
    return "read.lua", [token, ",".join(ids)]


def workload_scripts(token: str, ids: list[str]) -> dict[str, tuple[str, list[str]]]:
    """W0 to W4's wrk scripts and their arguments, for the benchmark user."""
    return {
        "W0": ("health.lua", []),
        "W1": ("list.lua", [token]),
        "W2": read_workload(token, ids),
        "W4": ("mixed.lua", [token, ids[1]]),
        "W3": ("create.lua", [token]),
    }


def run_workloads(
    label: str,
    port: int,
    worker: int,
    scripts: dict[str, tuple[str, list[str]]],
    *,
    seconds: int,
    warmup: int,
    samples_dir: Path | None = None,
) -> dict[str, Result]:
    """W0 to W4 against one server, its `worker` pid's CPU time measured. With
    `samples_dir`, py-spy samples the worker during each run into `<name>.pyspy` there."""
    results: dict[str, Result] = {}
    for name in WORKLOADS:
        script, script_args = scripts[name]
        samples = (worker, samples_dir / f"{name}.pyspy") if samples_dir else None
        results[name] = wrk(
            port,
            script,
            script_args,
            seconds=seconds,
            warmup=warmup,
            profile=samples,
            cpu_of=worker,
        )
        print(f"  {label} {name}: {results[name].rps:8.0f} req/s", flush=True)
    return results


def run(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    seconds, warmup = args.duration, args.warmup
    measured: dict[str, dict[str, Result]] = {}
    with bench_database(args, workdir) as (dsn, env):
        source = args.backend_src
        port = free_port()
        with server(app_command(port), env, port, workdir / "backend.log", cwd=source) as pid:
            token, list_id, ids = prepare_user(f"http://127.0.0.1:{port}")
            small, large = args.w5_sizes
            asyncio.run(add_crowd(dsn, small))
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                auth = {"Authorization": f"Bearer {token}"}
                (workdir / "list.json").write_bytes(client.get("/todo/", headers=auth).content)
                (workdir / "todo.json").write_bytes(
                    client.get(f"/todo/{ids[0]}", headers=auth).content
                )
            scripts = workload_scripts(token, ids)

            def workloads(
                label: str, port: int, worker: int, *, sample: bool = False
            ) -> dict[str, Result]:
                """W0 to W4 against one server, then the user back to its 50 todos, so
                every server's list workload sees the same data."""
                samples_dir = workdir if sample else None
                results = run_workloads(
                    label,
                    port,
                    worker,
                    scripts,
                    seconds=seconds,
                    warmup=warmup,
                    samples_dir=samples_dir,
                )
                asyncio.run(keep_only(dsn, list_id, ids))
                return results

            measured["app"] = workloads("app", port, worker_pid(pid), sample=args.profile)
            profile = {n: layer_shares(workdir / f"{n}.pyspy") for n in WORKLOADS if args.profile}
            app = measured["app"]
            asyncio.run(add_search_lists(dsn, port, token))  # W5 lists the personal list only
            app["W5-small"] = wrk(port, "list.lua", [token], seconds=seconds, warmup=warmup)
            app.update(search_workloads(port, token, "small", seconds=seconds, warmup=warmup))
            asyncio.run(add_crowd(dsn, large - small))
            app["W5-large"] = wrk(port, "list.lua", [token], seconds=seconds, warmup=warmup)
            app.update(search_workloads(port, token, "large", seconds=seconds, warmup=warmup))
            if args.w8_todos > 0:
                w8_ids = workdir / "w8-ids.txt"
                w8_list = asyncio.run(add_reorder_list(dsn, port, token, args.w8_todos))
                w8_ids.write_text("\n".join(w8_list) + "\n")
                app["W8"] = wrk(
                    port, "reorder.lua", [token, str(w8_ids)], seconds=seconds, warmup=warmup
                )
            rss = rss_mb(worker_pid(pid))

        run_w6 = args.streams > 0 and args.w6_rounds > 0
        streams = idle_streams(args, env, workdir, scripts["W2"]) if run_w6 else None
        telemetry = (
            telemetry_overhead(
                args, env, workdir, scripts, lambda: asyncio.run(keep_only(dsn, list_id, ids))
            )
            if args.telemetry_rounds > 0
            else None
        )

        reference_env = {
            **os.environ,
            "CEILING_LIST_JSON": str(workdir / "list.json"),
            "CEILING_TODO_JSON": str(workdir / "todo.json"),
            "DATABASE_URL": dsn,
            "FLOOR_LIST_ID": list_id,
            "SECRET_KEY": SECRET_KEY,
            "PYTHONPATH": str(BENCH_DIR),
        }
        for label, app_path in REFERENCES.items():
            port = free_port()
            command = [PYTHON, "-m", "ceiling_server", "--app", app_path, "--port", str(port)]
            with server(command, reference_env, port, workdir / f"{label}.log") as pid:
                measured[label] = workloads(label, port, worker_pid(pid))

    as_json = {label: {k: asdict(v) for k, v in runs.items()} for label, runs in measured.items()}
    return {
        "results": as_json.pop("app"),
        "references": as_json,
        "w5_sizes": args.w5_sizes,
        "w8_todos": args.w8_todos,
        "worker_rss_mb": round(rss, 1),
        "streams": streams,
        "telemetry": telemetry,
        "seconds": seconds,
        "backend_src": str(args.backend_src),
        "profile": profile,
    }


def run_w6_only(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    """`--only-w6`: the benchmark user, then W6 alone (no other workload, no reference
    app): a few minutes instead of ten, to measure a change to the live updates."""
    with bench_database(args, workdir) as (_, env):
        port = free_port()
        with server(app_command(port), env, port, workdir / "backend.log", cwd=args.backend_src):
            token, _, ids = prepare_user(f"http://127.0.0.1:{port}")
        streams = idle_streams(args, env, workdir, read_workload(token, ids))
    return {"streams": streams, "seconds": args.duration, "backend_src": str(args.backend_src)}


def run_w7_only(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    """`--only-w7`: the benchmark user and W7's lists, then W7 at both crowd sizes (no
    other workload, no reference app)."""
    seconds, warmup = args.duration, args.warmup
    with bench_database(args, workdir) as (dsn, env):
        port = free_port()
        with server(app_command(port), env, port, workdir / "backend.log", cwd=args.backend_src):
            token, _, _ = prepare_user(f"http://127.0.0.1:{port}")
            asyncio.run(add_search_lists(dsn, port, token))
            small, large = args.w5_sizes
            asyncio.run(add_crowd(dsn, small))
            results = search_workloads(port, token, "small", seconds=seconds, warmup=warmup)
            started = time.monotonic()
            asyncio.run(add_crowd(dsn, large - small))
            seeded = time.monotonic() - started
            results.update(search_workloads(port, token, "large", seconds=seconds, warmup=warmup))
    return {
        "w7": {name: asdict(result) for name, result in results.items()},
        "w5_sizes": args.w5_sizes,
        "seeded_in_s": round(seeded, 1),
        "seconds": seconds,
        "backend_src": str(args.backend_src),
    }


def search_table(results: dict[str, Any], sizes: list[int]) -> tuple[list[str], bool]:
    """W7: search and the Today view at both crowd sizes, and their slowdowns."""
    lines = [
        f"| W7: user in {W7_LISTS} lists, other users' todos | search p50 ms | search req/s "
        "| Today p50 ms | Today req/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for size, rows in zip(("small", "large"), sizes, strict=True):
        found, today = results[f"W7-{size}"], results[f"W7T-{size}"]
        lines.append(
            f"| {rows:,} rows | {found['p50_ms']:.1f} | {found['rps']:.0f} "
            f"| {today['p50_ms']:.1f} | {today['rps']:.0f} |"
        )
    slowdowns = [
        per(results[f"{name}-large"]["p50_ms"], results[f"{name}-small"]["p50_ms"])
        for name in ("W7", "W7T")
    ]
    clean = all(
        results[f"{n}-{s}"]["non_2xx"] == 0 for n in ("W7", "W7T") for s in ("small", "large")
    )
    met = clean and all(slowdown <= W7_MAX_SLOWDOWN for slowdown in slowdowns)
    lines.append(
        f"| slowdown (target ≤ {W7_MAX_SLOWDOWN}) | {slowdowns[0]:.2f} | "
        f"| {slowdowns[1]:.2f} | {'met' if met else 'NOT met'} |"
    )
    return lines, met


def run_telemetry_only(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    """`--only-telemetry`: the benchmark user, then T alone: what metrics and tracing
    cost, in a few minutes."""
    with bench_database(args, workdir) as (dsn, env):
        port = free_port()
        with server(app_command(port), env, port, workdir / "backend.log", cwd=args.backend_src):
            token, list_id, ids = prepare_user(f"http://127.0.0.1:{port}")
        scripts = workload_scripts(token, ids)

        def reset() -> None:
            asyncio.run(keep_only(dsn, list_id, ids))

        telemetry = telemetry_overhead(args, env, workdir, scripts, reset)
    return {"telemetry": telemetry, "seconds": args.duration, "backend_src": str(args.backend_src)}


def run_alternating(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    """`--against TREE`: W0 to W4 served by TREE's backend and by --backend-src's, by
    turns, `--rounds` times, on one database: how a change is measured (its history row
    in docs/performance.md). Both servers see the same user, todos and machine state."""
    trees = {"before": args.against, "after": args.backend_src}
    rounds: list[dict[str, dict[str, Any]]] = []
    with bench_database(args, workdir) as (dsn, env):
        port = free_port()
        with server(app_command(port), env, port, workdir / "prepare.log", cwd=args.against):
            token, list_id, ids = prepare_user(f"http://127.0.0.1:{port}")
        scripts = workload_scripts(token, ids)
        for number in range(args.rounds):
            measured: dict[str, dict[str, Any]] = {}
            for label, tree in trees.items():
                port = free_port()
                log = workdir / f"{label}-{number}.log"
                with server(app_command(port), env, port, log, cwd=tree) as pid:
                    ran = run_workloads(
                        f"round {number + 1} {label}",
                        port,
                        worker_pid(pid),
                        scripts,
                        seconds=args.duration,
                        warmup=args.warmup,
                    )
                    asyncio.run(keep_only(dsn, list_id, ids))
                results = {name: asdict(result) for name, result in ran.items()}
                measured[label] = results
            rounds.append(measured)
    return {
        "alternating": rounds,
        "trees": {label: str(tree) for label, tree in trees.items()},
        "seconds": args.duration,
    }


def alternating_table(data: dict[str, Any]) -> list[str]:
    """Per workload: before / after in each round (req/s, worker CPU µs per request,
    p99), and the mean ratio after / before."""
    rounds = data["alternating"]
    lines = [
        f"Before: `{data['trees']['before']}`; after: `{data['trees']['after']}`; "
        f"{len(rounds)} rounds of {data['seconds']} s per workload, served by turns.",
        "",
        "| workload | req/s, before / after, by round | after / before | CPU µs/request, "
        "before / after | after / before | p99 ms, before / after |",
        "|---|---|---:|---|---:|---|",
    ]

    def series(label: str, name: str, field: str) -> list[float]:
        return [r[label][name][field] or 0.0 for r in rounds]

    def pairs(name: str, field: str, digits: int = 0) -> str:
        before, after = series("before", name, field), series("after", name, field)
        paired = zip(before, after, strict=True)
        return ", ".join(f"{b:.{digits}f} / {a:.{digits}f}" for b, a in paired)

    def ratio(name: str, field: str) -> float:
        return sum(series("after", name, field)) / (sum(series("before", name, field)) or 1)

    for name in REPORTED:
        lines.append(
            f"| {name} | {pairs(name, 'rps')} | {ratio(name, 'rps'):.2f} "
            f"| {pairs(name, 'worker_cpu_us')} | {ratio(name, 'worker_cpu_us'):.2f} "
            f"| {pairs(name, 'p99_ms', 1)} |"
        )
    return lines


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
    if "alternating" in data:  # --against: a comparison, no verdict
        return "\n".join(alternating_table(data)), True
    if "results" not in data and "telemetry" in data:  # --only-telemetry
        telemetry = data["telemetry"]
        assert isinstance(telemetry, dict)
        t_lines, t_met = telemetry_table(telemetry)
        return "\n".join(t_lines), t_met
    if "w7" in data:  # --only-w7
        w7 = data["w7"]
        sizes = data["w5_sizes"]
        assert isinstance(w7, dict)
        assert isinstance(sizes, list)
        w7_lines, w7_met = search_table(w7, sizes)
        return "\n".join(w7_lines), w7_met
    if "results" not in data:  # --only-w6
        streams = data["streams"]
        if not streams:
            return "W6 not measured: this backend has no GET /events.", True
        assert isinstance(streams, dict)
        w6_lines, w6_met = streams_table(streams)
        return "\n".join(w6_lines), w6_met
    results = data["results"]
    references = data["references"]
    assert isinstance(results, dict)
    assert isinstance(references, dict)
    floor, structured = references[FLOOR], references.get(STRUCTURED_FLOOR)
    lines = [
        "| workload | req/s | p50 ms | p99 ms | p99/p50 | non-2xx | socket errors "
        "| floor req/s | app/floor | CPU µs/request: app / floor | met "
        "| app/floor in FastAPI's structure |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    all_met = True
    for name in REPORTED:
        r, f = results[name], floor[name]
        beside = f"{per(r['rps'], structured[name]['rps']):.3f}" if structured else "—"
        ratio, tail = per(r["rps"], f["rps"]), per(r["p99_ms"], r["p50_ms"])
        clean = r["non_2xx"] == 0 and r["socket_errors"] == 0
        if name in TARGETS:
            met = ratio >= TARGETS[name] and tail <= MAX_TAIL and clean
            all_met &= met
            verdict = "yes" if met else "NO"
        else:  # W0 has no target: it shows the framework's floor
            verdict = "—"
        lines.append(
            f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {tail:.1f} "
            f"| {r['non_2xx']} | {r['socket_errors']} | {f['rps']:.0f} | {ratio:.3f} "
            f"| {_cpu(r)} / {_cpu(f)} | {verdict} | {beside} |"
        )
    targets = ", ".join(f"{name} ≥ {target:.2f}" for name, target in TARGETS.items())
    lines += [
        "",
        f"Targets: app/floor {targets} (the floor: FastAPI + SQLAlchemy, same requests, "
        f"same run); p99 ≤ {MAX_TAIL:g} times p50 and no non-2xx on W1 to W4. The last "
        "column, not a target, is against the same floor laid out in FastAPI's structure "
        "(floors.py, `structured_floor_app`).",
        "",
    ]
    small, large = results["W5-small"], results["W5-large"]
    sizes = data["w5_sizes"]
    assert isinstance(sizes, list)
    slowdown = per(large["p50_ms"], small["p50_ms"])
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
    ]
    if "W7-small" in results:  # a report from before search has none
        w7_lines, w7_met = search_table(results, sizes)
        all_met &= w7_met
        lines += [*w7_lines, ""]
    lines += layers(results, references)
    if "W8" in results:
        w8 = results["W8"]
        w8_tail = per(w8["p99_ms"], w8["p50_ms"])
        w8_met = w8["non_2xx"] == 0 and w8["socket_errors"] == 0 and w8_tail <= MAX_TAIL
        all_met &= w8_met
        lines += [
            "",
            f"| W8: reorders in one list of {data.get('w8_todos', W8_TODOS):,} todos "
            "| req/s | p50 ms | p99 ms | p99/p50 | non-2xx | met |",
            "|---|---:|---:|---:|---:|---:|---|",
            f"| 32 connections | {w8['rps']:.0f} | {w8['p50_ms']:.1f} | {w8['p99_ms']:.1f} "
            f"| {w8_tail:.1f} | {w8['non_2xx']} | {'yes' if w8_met else 'NO'} |",
            "",
            f"Target: no non-2xx (re-runs that run out end in a 503) and p99 ≤ {MAX_TAIL:g} "
            "times p50.",
        ]
    streams = data.get("streams")
    if streams:
        assert isinstance(streams, dict)
        w6_lines, w6_met = streams_table(streams)
        lines += ["", *w6_lines]
        all_met &= w6_met
    telemetry = data.get("telemetry")
    if telemetry:
        assert isinstance(telemetry, dict)
        t_lines, t_met = telemetry_table(telemetry)
        lines += ["", *t_lines]
        all_met &= t_met
    profile = data.get("profile")
    if profile:
        assert isinstance(profile, dict)
        lines += ["", *profile_table(profile)]
    return "\n".join(lines), all_met


def streams_table(w6: dict[str, Any]) -> tuple[list[str], bool]:
    """W6: what idle streams cost the worker, and whether W2 keeps its pace beside them."""
    count, rss, cpu = w6["streams"], w6["rss_mb"], w6["idle_cpu_percent"]
    without, with_streams = w6["w2_without"], w6["w2_with"]
    clean = all(r["non_2xx"] == 0 and r["socket_errors"] == 0 for r in without + with_streams)
    held = w6["open_after_w2"] == count
    met = w6["w2_ratio"] >= W6_MIN_RATIO and clean and held

    def runs(results: list[dict[str, Any]], field: str, digits: int = 0) -> str:
        return ", ".join(f"{r[field]:.{digits}f}" for r in results)

    def mean(results: list[dict[str, Any]], field: str) -> float:
        values: list[float] = [r[field] for r in results]
        return sum(values) / len(values)

    def errors(results: list[dict[str, Any]]) -> str:
        return f"{sum(r['non_2xx'] for r in results)}, {sum(r['socket_errors'] for r in results)}"

    per_stream_kb = (rss["with"] - rss["without"]) * 1024 / count
    return [
        f"| W6: idle event streams on one worker | without | with {count:,} streams |",
        "|---|---:|---:|",
        f"| worker RSS MB | {rss['without']:.0f} | {rss['with']:.0f} "
        f"({rss['with_after_w2']:.0f} after W2) |",
        f"| worker idle CPU, % of a core over {w6['idle_seconds']} s "
        f"| {cpu['without']:.2f} | {cpu['with']:.2f} |",
        f"| W2 req/s, run by run (alternated) | {runs(without, 'rps')} "
        f"| {runs(with_streams, 'rps')} |",
        f"| W2 req/s, mean | {mean(without, 'rps'):.0f} | {mean(with_streams, 'rps'):.0f} |",
        f"| W2 worker CPU µs/request, run by run | {runs(without, 'worker_cpu_us')} "
        f"| {runs(with_streams, 'worker_cpu_us')} |",
        f"| W2 p50 ms, run by run | {runs(without, 'p50_ms', 1)} "
        f"| {runs(with_streams, 'p50_ms', 1)} |",
        f"| W2 p99 ms, run by run | {runs(without, 'p99_ms', 1)} "
        f"| {runs(with_streams, 'p99_ms', 1)} |",
        f"| W2 non-2xx, socket errors | {errors(without)} | {errors(with_streams)} |",
        "",
        f"W6: W2 with the streams / without: {w6['w2_ratio']:.3f} in req/s "
        f"(target ≥ {W6_MIN_RATIO}: {'met' if met else 'NOT met'}), "
        f"{w6['w2_cpu_ratio']:.3f} in the worker's CPU time per request. Streams still open "
        f"after each W2: {w6['open_after_w2']:,} of {count:,} (over {w6['accounts']} "
        f"accounts, all ready in {' / '.join(map(str, w6['opened_in_s']))} s); "
        f"{per_stream_kb:.0f} KB of RSS per stream. The idle CPU includes the heartbeats "
        f"(one per stream every {w6['heartbeat_seconds']:g} s) that fall in its window.",
    ], met


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

    Each server's worker saturates its core, so 1e6 / (req/s) is its time per request
    in µs, and its CPU time per request is measured too (it hardly moves when other
    processes share the machine); the difference between two servers is what the layer
    between them costs."""
    servers = [references[k] for k in REFERENCES if k in references] + [results]
    added = ["FastAPI + driver", "SQLAlchemy", "FastAPI's structure", "the app"]
    names = ["FastAPI + asyncpg", "FastAPI + SQLAlchemy", "the same, structured", "app"]
    if STRUCTURED_FLOOR not in references:  # a report written before it was measured
        del added[2], names[2]
    lines = [
        f"| workload | ceiling | {' | '.join(names)} "
        f"| µs/request: {' | '.join(added)} | CPU µs/request: {' | '.join(added)} |",
        "|---|" + "---:|" * (1 + len(names) + 2 * len(added)),
    ]
    for name in REPORTED:
        rps = [x[name]["rps"] for x in servers]
        cpu = [x[name].get("worker_cpu_us") or 0.0 for x in servers]
        us = [per(1e6, r) for r in rps]
        cells = [
            name,
            f"{rps[0]:.0f}",
            *(f"{r:.0f} ({per(r, rps[0]):.3f})" for r in rps[1:]),
            *(f"{b - a:.0f}" for a, b in itertools.pairwise(us)),
            *(f"{b - a:.0f}" for a, b in itertools.pairwise(cpu)),
        ]
        lines.append(f"| {' | '.join(cells)} |")
    return [
        "Each server's req/s (in brackets, over the ceiling's), and what each layer adds "
        "per request:",
        "",
        *lines,
    ]


def _cpu(result: dict[str, Any]) -> str:
    cpu = result.get("worker_cpu_us")
    return "—" if cpu is None else f"{cpu:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per workload")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up")
    parser.add_argument(
        "--w5-sizes",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[1_000, 1_000_000],
        help="other users' todos for W5 and W7: SMALL,LARGE",
    )
    parser.add_argument(
        "--only-w7", action="store_true", help="W7 alone: search and Today at both sizes"
    )
    parser.add_argument("--w8-todos", type=int, default=W8_TODOS, help="W8's list size (0: no W8)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="1 s per workload, no warm-up, a small W5 and 50 streams in W6: checks the harness",
    )
    parser.add_argument(
        "--streams", type=int, default=STREAMS, help="W6's idle event streams (0: skip W6)"
    )
    parser.add_argument(
        "--w6-rounds",
        type=int,
        default=W6_ROUNDS,
        help="W6's runs of W2 with the streams, each between two without",
    )
    parser.add_argument(
        "--only-w6", action="store_true", help="W6 alone: no other workload, no reference app"
    )
    parser.add_argument(
        "--telemetry-rounds",
        type=int,
        default=TELEMETRY_ROUNDS,
        help="T's runs of each variant (telemetry off, metrics, metrics + tracing); 0: skip T",
    )
    parser.add_argument(
        "--only-telemetry",
        action="store_true",
        help="T alone: W2 and W3 with telemetry off, metrics on, tracing on",
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
    parser.add_argument(
        "--against",
        type=Path,
        help="another backend/src tree: W0-W4 served by it and by --backend-src by turns",
    )
    parser.add_argument("--rounds", type=int, default=3, help="--against: rounds of each")
    args = parser.parse_args()
    if args.smoke:
        # No warm-up: its figures are no verdict anyway, and a second per wrk run is
        # half of the smoke run's time in `make test`.
        args.duration, args.warmup, args.w5_sizes = 1, 0, [1_000, 5_000]
        args.streams, args.w6_rounds = min(args.streams, 50), 1
        args.telemetry_rounds = min(args.telemetry_rounds, 1)
    if shutil.which("wrk") is None:
        print("bench: wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    if args.profile and py_spy() is None:
        print("bench: --profile needs py-spy (pip install py-spy)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mi-bench-") as tmp:
        if args.against:
            data = run_alternating(args, Path(tmp))
        elif args.only_telemetry:
            data = run_telemetry_only(args, Path(tmp))
        elif args.only_w7:
            data = run_w7_only(args, Path(tmp))
        elif args.only_w6:
            data = run_w6_only(args, Path(tmp))
        else:
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
