"""Serve `ceiling:app` with the backend's own Hypercorn configuration."""

from __future__ import annotations

import argparse

from hypercorn.run import run

from app.cli import hypercorn_config

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    raise SystemExit(run(hypercorn_config("ceiling:app", host="127.0.0.1", port=args.port)))
