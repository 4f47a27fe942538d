"""`minor-illusion`: the commands an operator runs (migrate, seed-demo, serve, openapi).

`serve --reload` and `serve --debugpy` are the developer's variants (`make dev`,
`make debug`): one process serving, restarted on every saved change / under a debugger.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence

from hypercorn.config import Config
from pydantic import SecretStr, ValidationError

from app import devserver
from app.platform.http.middleware import MAX_HEAD_BYTES


def _migrate(args: argparse.Namespace) -> int:
    from app.platform.logging import configure_logging
    from app.platform.migrate import upgrade
    from app.platform.settings import DatabaseSettings

    settings = DatabaseSettings()
    configure_logging(sql_echo=settings.sql_echo)
    upgrade(settings.database_url, args.revision)
    return 0


def _seed_demo(_: argparse.Namespace) -> int:
    from app.demo import seed_demo
    from app.platform.db import Database
    from app.platform.logging import configure_logging
    from app.platform.settings import DatabaseSettings

    settings = DatabaseSettings()
    configure_logging(sql_echo=settings.sql_echo)

    async def run() -> None:
        db = Database(settings.database_url, transaction_pooling=settings.db_transaction_pooling)
        try:
            await db.wait_until_ready(settings.db_connect_timeout)
            await seed_demo(db)
        finally:
            await db.dispose()

    asyncio.run(run())
    return 0


def hypercorn_config(
    application_path: str, *, host: str, port: int, workers: int = 1, graceful_timeout: float = 10
) -> Config:
    """How we run Hypercorn (the benchmark's ceiling app is served the same way)."""
    config = Config()
    config.application_path = application_path
    config.bind = [f"{host}:{port}"]
    config.workers = workers
    config.worker_class = "uvloop" if _has_uvloop() else "asyncio"
    config.graceful_timeout = graceful_timeout
    # h11 applies its limit only to a head still arriving, and Hypercorn reads 64 KiB at
    # a time: RequestHeadCheckMiddleware enforces the same limit on complete heads.
    config.h11_max_incomplete_size = MAX_HEAD_BYTES
    config.h2_max_header_list_size = MAX_HEAD_BYTES
    # Longer than clients' and proxies' idle timeouts (httpx: 5 s, nginx upstream: 4 s
    # in deploy/), so the server never closes a connection a client is about to reuse.
    config.keep_alive_timeout = 75
    config.accesslog = None  # the app's middleware writes one access line per request
    # A Logger (not "-"): Hypercorn then adds no handler of its own, and its lines go
    # through the app's structlog formatting like every other log line.
    config.errorlog = logging.getLogger("hypercorn.error")
    return config


def _serve(args: argparse.Namespace) -> int:
    from app.platform.settings import Settings
    from app.server import serve

    settings = Settings()  # fail here, with the settings error, before any worker starts
    config = hypercorn_config(
        "app.main:create_app()",
        host=args.host,
        port=args.port,
        workers=args.workers,
        graceful_timeout=args.graceful_timeout,
    )
    if settings.metrics_port is not None:
        if settings.metrics_port == args.port:
            print("minor-illusion: METRICS_PORT must differ from --port", file=sys.stderr)
            return 2
        # A second listening socket on the same workers; the app answers only GET /metrics
        # there (app.platform.telemetry.metrics.MetricsPortMiddleware).
        config.bind.append(f"{args.host}:{settings.metrics_port}")
    if args.reload:
        return devserver.serve_reloading(config)
    if args.debugpy is not None:
        return devserver.serve_debuggable(config, args.debugpy, wait_for_client=args.debugpy_wait)
    if settings.metrics_port is None:
        return serve(config)
    return serve(config, metrics_dir=settings.prometheus_multiproc_dir, with_metrics=True)


def _openapi(_: argparse.Namespace) -> int:
    from app.main import create_app
    from app.platform.settings import Settings

    # The schema needs no database and no real secret.
    settings = Settings(secret_key=SecretStr("x" * 32), dev_mode=False)
    json.dump(create_app(settings).openapi(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _address(text: str) -> tuple[str, int]:
    """`5678` or `host:5678` (the host defaults to 127.0.0.1: a debugger executes code)."""
    host, _, port = text.rpartition(":")
    try:
        return host or "127.0.0.1", int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected [HOST:]PORT, not {text!r}") from None


def _has_uvloop() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minor-illusion",
        description="Operate the minor-illusion backend. Settings come from the environment.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    migrate = commands.add_parser("migrate", help="apply Alembic migrations (upgrade)")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(handler=_migrate)

    seed = commands.add_parser("seed-demo", help="create the demo users and notes (idempotent)")
    seed.set_defaults(handler=_seed_demo)

    serve = commands.add_parser("serve", help="serve the API with Hypercorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=_positive_int, default=1)
    serve.add_argument(
        "--graceful-timeout", type=float, default=10.0, help="seconds to drain on SIGTERM"
    )
    development = serve.add_mutually_exclusive_group()
    development.add_argument(
        "--reload",
        action="store_true",
        help="development: one worker, restarted when a source file of the app changes",
    )
    development.add_argument(
        "--debugpy",
        type=_address,
        metavar="[HOST:]PORT",
        help="development: serve in one process under debugpy, listening on this address",
    )
    serve.add_argument(
        "--debugpy-wait",
        action="store_true",
        help="with --debugpy: wait for a debugger to attach before serving",
    )
    serve.set_defaults(handler=_serve)

    openapi = commands.add_parser("openapi", help="print the OpenAPI document as JSON")
    openapi.set_defaults(handler=_openapi)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve" and (args.reload or args.debugpy) and args.workers != 1:
        parser.error("--reload and --debugpy serve with one worker: leave out --workers")
    if args.command == "serve" and args.debugpy_wait and args.debugpy is None:
        parser.error("--debugpy-wait needs --debugpy")
    try:
        code: int = args.handler(args)
    except ValidationError as exc:
        print(f"minor-illusion: invalid settings:\n{exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
