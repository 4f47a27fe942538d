"""Serve a reference app (the ceiling by default, or a floor from `floors.py`) with
the backend's own Hypercorn configuration."""

from __future__ import annotations

import argparse

from hypercorn.run import run

from app.cli import hypercorn_config

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--app", default="ceiling:app", help="module:attribute to serve")
    args = parser.parse_args()
    raise SystemExit(run(hypercorn_config(args.app, host="127.0.0.1", port=args.port)))
