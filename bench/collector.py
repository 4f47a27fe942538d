"""A stand-in OpenTelemetry collector for the benchmark: accepts OTLP/HTTP
`POST /v1/traces` (any body), answers 200 with an empty ExportTraceServiceResponse, and
counts what it received. It lets the benchmark measure what tracing costs the app —
building, batching, encoding and sending spans — without a real collector's own cost
on the machine."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Collector:
    url: str  # the OTLP base URL (the app appends /v1/traces)
    exports: int = 0
    bytes: int = 0


@contextmanager
def otlp_collector() -> Iterator[Collector]:
    """A collector on a free 127.0.0.1 port, in a thread, for as long as the block runs."""
    lock = threading.Lock()

    class Receiver(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the exporter reuses its connection

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ok = self.path == "/v1/traces"
            if ok:
                with lock:
                    collector.exports += 1
                    collector.bytes += len(body)
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            """Quiet: one line per export would drown the benchmark's output."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    collector = Collector(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield collector
    finally:
        httpd.shutdown()
        httpd.server_close()
