"""What a slow webhook receiver costs everyone else, in one run (`make bench-webhooks`).

Issue 35's figure: a backlog of deliveries to a receiver that takes 5 s to answer each
must not slow requests or live updates. The harness (run.py: a private PostgreSQL, its
user, wrk scripts, pinned servers) starts the app with the webhook dispatcher, and a
receiver on loopback that holds every delivery RECEIVER_SECONDS before it answers 200.
The user registers ENDPOINTS endpoints for a list of theirs (the dispatcher sends up to
WEBHOOKS_CONCURRENCY endpoints at once, so 16 keeps it as busy as it gets) and makes
EVENTS todos there: ENDPOINTS x EVENTS deliveries queued, sent five seconds each.

  W2 without   every endpoint disabled (nothing in flight), the backlog in its table
  W2 with      every endpoint enabled: the dispatcher sends, the receiver holds them

run by turns, `--rounds` times. Beside each W2 run a probe holds the user's own
`GET /events` stream and changes one of their todos every PROBE_EVERY seconds: the time
from sending the change to its event arriving on the stream is the live-update figure.

Targets: W2 with / without ≥ 0.9 (req/s, as W6), and every live update within 1 s.

  backend/src/.venv/bin/python bench/webhook_costs.py [--duration 15] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx

import run as harness
from tests.databases import free_port
from tests.processes import wait_until
from tests.sse import http_stream

RECEIVER_SECONDS = 5.0  # how long the receiver holds each delivery
ENDPOINTS = 16  # the app's default WEBHOOKS_CONCURRENCY: every sender slot busy
EVENTS = 1000  # todos made in the list the endpoints watch
ROUNDS = 2  # W2 runs of each variant, by turns (--rounds)
PROBE_EVERY = 0.5  # seconds between two live-update probes
MIN_RATIO = 0.9  # W2 with the backlog being sent, over W2 without
LIVE_WITHIN_MS = 1000.0


class SlowReceiver:
    """An HTTP server on loopback answering each POST 200 after `seconds`; it counts
    deliveries received and how many it holds at once."""

    def __init__(self, seconds: float) -> None:
        self.received = 0
        self.holding = 0
        self.most_held = 0
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                with lock:
                    receiver.received += 1
                    receiver.holding += 1
                    receiver.most_held = max(receiver.most_held, receiver.holding)
                try:
                    time.sleep(seconds)
                    self.send_response(200)
                    self.send_header("content-length", "0")
                    self.end_headers()
                finally:
                    with lock:
                        receiver.holding -= 1

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    @contextlib.contextmanager
    def running(self) -> Iterator[SlowReceiver]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


@contextlib.contextmanager
def live_probe(base_url: str, token: str, todo_id: str) -> Iterator[list[float]]:
    """While the block runs, the user's todo `todo_id` renamed every PROBE_EVERY s; each
    rename's milliseconds from sending it to its `todo.updated` on the user's stream are
    appended to the yielded list (a rename whose event never comes counts as infinity)."""
    delays: list[float] = []
    stop = threading.Event()
    headers = {"Authorization": f"Bearer {token}"}

    async def probe() -> None:
        async with (
            http_stream(base_url, headers) as stream,
            httpx.AsyncClient(base_url=base_url, headers=headers, timeout=10) as client,
        ):
            assert stream.status == 200, stream.body
            n = 0
            while not stop.is_set():
                n += 1
                title = f"probe {n}"
                sent = time.monotonic()
                (await client.patch(f"/todo/{todo_id}", json={"title": title})).raise_for_status()
                try:
                    while True:
                        message = await stream.next(wait=5.0)
                        if message.data.get("todo", {}).get("title") == title:
                            delays.append((message.received_at - sent) * 1000)
                            break
                except TimeoutError:
                    delays.append(float("inf"))
                await asyncio.sleep(PROBE_EVERY)

    prober = threading.Thread(target=lambda: asyncio.run(probe()), daemon=True)
    prober.start()
    try:
        yield delays
    finally:
        stop.set()
        prober.join(timeout=30)


async def _queued(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM webhook_delivery"))
    finally:
        await conn.close()


def measure(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    seconds, warmup = args.duration, args.warmup
    database = argparse.Namespace(backend_src=harness.BACKEND_SRC)
    receiver = SlowReceiver(RECEIVER_SECONDS)
    with harness.bench_database(database, workdir) as (dsn, env), receiver.running():
        env = {**env, "WEBHOOKS_ALLOW_HTTP_LOOPBACK": "1"}
        port = free_port()
        with harness.server(harness.app_command(port), env, port, workdir / "app.log") as pid:
            base_url = f"http://127.0.0.1:{port}"
            token, _personal, ids = harness.prepare_user(base_url)
            script, script_args = harness.read_workload(token, ids)
            worker = harness.worker_pid(pid)
            with httpx.Client(
                base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
            ) as client:
                watched = client.post("/lists", json={"name": "watched"}).raise_for_status()
                list_id = watched.json()["id"]
                endpoints = [
                    client.post(
                        "/webhooks",
                        json={
                            "url": f"{receiver.url}/{n}",
                            "list_id": list_id,
                            "event_types": ["todo.created"],
                        },
                    )
                    .raise_for_status()
                    .json()["id"]
                    for n in range(args.endpoints)
                ]

                def enable(on: bool) -> None:
                    for endpoint in endpoints:
                        client.patch(
                            f"/webhooks/{endpoint}", json={"enabled": on}
                        ).raise_for_status()

                # Enabled while the events are made: a disabled endpoint queues nothing.
                started = time.monotonic()
                for n in range(args.events):
                    body = {"title": f"event {n}"}
                    client.post(f"/lists/{list_id}/todos", json=body).raise_for_status()
                expected = args.events * args.endpoints
                wait_until(
                    lambda: asyncio.run(_queued(dsn)) >= expected,
                    timeout=120,
                    what=f"{expected} deliveries queued",
                    interval=0.5,
                )
                print(
                    f"{expected} deliveries queued in {time.monotonic() - started:.0f} s",
                    flush=True,
                )
                runs: dict[str, list[harness.Result]] = {"without": [], "with": []}
                live: dict[str, list[float]] = {"without": [], "with": []}
                for _ in range(args.rounds):
                    for variant in ("without", "with"):
                        enable(variant == "with")
                        if variant == "with":
                            wait_until(
                                lambda: receiver.holding >= min(args.endpoints, 16),
                                timeout=30,
                                what="the receiver holding deliveries",
                                interval=0.1,
                            )
                        else:  # the ones in flight finish
                            wait_until(
                                lambda: receiver.holding == 0,
                                timeout=RECEIVER_SECONDS + 15,
                                what="no delivery in flight",
                                interval=0.1,
                            )
                        with live_probe(base_url, token, ids[0]) as delays:
                            result = harness.wrk(
                                port,
                                script,
                                script_args,
                                seconds=seconds,
                                warmup=warmup,
                                cpu_of=worker,
                            )
                        runs[variant].append(result)
                        live[variant] += delays
                        print(
                            f"  W2 {variant:7} the backlog: {result.rps:8.0f} req/s, "
                            f"{len(delays)} live probes, worst {max(delays, default=0):.0f} ms, "
                            f"receiver holding {receiver.holding}",
                            flush=True,
                        )
    return {
        "runs": {k: [asdict(r) for r in v] for k, v in runs.items()},
        "live_ms": live,
        "endpoints": args.endpoints,
        "events": args.events,
        "queued": expected,
        "delivered": receiver.received,
        "most_held": receiver.most_held,
        "receiver_seconds": RECEIVER_SECONDS,
        "seconds": seconds,
        "rounds": args.rounds,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(data: dict[str, Any]) -> tuple[str, bool]:
    runs, live = data["runs"], data["live_ms"]

    def mean(variant: str, field: str) -> float:
        return statistics.fmean(run[field] for run in runs[variant])

    def errors(variant: str) -> int:
        return sum(run["non_2xx"] + run["socket_errors"] for run in runs[variant])

    ratio = mean("with", "rps") / mean("without", "rps")
    worst = max(live["with"] + live["without"], default=0.0)
    met = ratio >= MIN_RATIO and worst <= LIVE_WITHIN_MS and errors("with") == 0
    lines = [
        f"{data['endpoints']} endpoints x {data['events']} events = {data['queued']} deliveries"
        f" queued for a receiver that holds each {data['receiver_seconds']:.0f} s; "
        f"{data['delivered']} received during the run, at most {data['most_held']} at once. "
        f"Means of {data['rounds']} runs of {data['seconds']} s each, by turns.",
        "",
        "| W2 | without the backlog | with it being sent | with / without |",
        "|---|---:|---:|---:|",
        f"| req/s | {mean('without', 'rps'):.0f} | {mean('with', 'rps'):.0f} "
        f"| {ratio:.3f} (target ≥ {MIN_RATIO}) |",
        f"| worker CPU µs per request | {mean('without', 'worker_cpu_us'):.0f} "
        f"| {mean('with', 'worker_cpu_us'):.0f} "
        f"| {mean('with', 'worker_cpu_us') / mean('without', 'worker_cpu_us'):.3f} |",
        f"| p50 / p99 ms | {mean('without', 'p50_ms'):.1f} / {mean('without', 'p99_ms'):.1f} "
        f"| {mean('with', 'p50_ms'):.1f} / {mean('with', 'p99_ms'):.1f} | |",
        f"| non-2xx + socket errors | {errors('without')} | {errors('with')} | |",
        "",
        f"| live update, change sent → event on the stream (ms; target ≤ {LIVE_WITHIN_MS:.0f}) "
        "| probes | p50 | p99 | max |",
        "|---|---:|---:|---:|---:|",
    ]
    for variant in ("without", "with"):
        delays = live[variant]
        lines.append(
            f"| {variant} the backlog, beside W2 | {len(delays)} "
            f"| {percentile(delays, 0.5):.0f} | {percentile(delays, 0.99):.0f} "
            f"| {max(delays, default=0):.0f} |"
        )
    lines += ["", "targets met" if met else "TARGETS NOT MET"]
    return "\n".join(lines), met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per W2 run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="runs of each variant")
    parser.add_argument("--endpoints", type=int, default=ENDPOINTS)
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--out", type=Path, default=harness.BENCH_DIR / "results" / "webhooks")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mi-bench-webhooks-") as tmp:
        data = measure(args, Path(tmp))
    table, met = report(data)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stamp}.json").write_text(json.dumps(data, indent=2))
    (args.out / f"{stamp}.md").write_text(table + "\n")
    print(f"\n{table}\n\nwritten to {args.out}/{stamp}.md")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
