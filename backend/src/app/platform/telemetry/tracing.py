"""OpenTelemetry traces: an HTTP span per request with the SQL spans of its statements
beneath, exported over OTLP/HTTP. Off (nothing installed, nothing recorded) unless
OTEL_EXPORTER_OTLP_ENDPOINT is set, or a test hands in its own exporter.

The tracer provider is the app's own, not the process-global one: every app built in a
process (tests build hundreds) gets its own, and nothing else in the process traces by
accident. What the spans carry is cut to `scrub.SPAN_ATTRIBUTES` on the way out."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Status
from sqlalchemy.ext.asyncio import AsyncEngine

from app.platform.settings import Settings
from app.platform.telemetry.scrub import allowed_attributes

# Probes and scrapes would be most of the traces and say nothing.
EXCLUDED_URLS = "/healthz,/readyz,/metrics"


class ScrubbingSpanExporter(SpanExporter):
    """Passes each span on with only the allowed attributes (`scrub`), exception events
    reduced to the exception's class, and no status description (an exception message)."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([scrubbed(span) for span in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self.inner.force_flush(timeout_millis)


def scrubbed(span: ReadableSpan) -> ReadableSpan:
    events = [
        Event(event.name, allowed_attributes(event.attributes), event.timestamp)
        for event in span.events
    ]
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=allowed_attributes(span.attributes),
        events=events,
        links=span.links,
        kind=span.kind,
        status=Status(span.status.status_code),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class Tracing:
    """The app's tracer provider and what it instruments."""

    def __init__(self, settings: Settings, exporter: SpanExporter | None = None) -> None:
        sampler = ParentBased(TraceIdRatioBased(settings.otel_traces_sample_ratio))
        resource = Resource.create({SERVICE_NAME: settings.otel_service_name})
        self.provider = TracerProvider(sampler=sampler, resource=resource)
        if exporter is None:
            endpoint = settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
            # Batched, in a thread of its own: a slow collector never holds a request.
            self.provider.add_span_processor(
                BatchSpanProcessor(ScrubbingSpanExporter(OTLPSpanExporter(endpoint=endpoint)))
            )
        else:  # a test's exporter sees each span as soon as it ends
            self.provider.add_span_processor(SimpleSpanProcessor(ScrubbingSpanExporter(exporter)))

    def instrument_app(self, app: FastAPI) -> None:
        FastAPIInstrumentor.instrument_app(
            app,
            tracer_provider=self.provider,
            meter_provider=NoOpMeterProvider(),  # metrics are Prometheus's job
            excluded_urls=EXCLUDED_URLS,
            # No spans per ASGI message: one per request, plus the SQL beneath.
            exclude_spans=["receive", "send"],
        )

    def instrument_engine(self, engine: AsyncEngine) -> None:
        """One span per statement, its text with placeholders (never the bound values)."""
        tracer = self.provider.get_tracer("app.platform.db")
        meter = NoOpMeterProvider().get_meter("app.platform.db")
        usage = meter.create_up_down_counter("db.client.connections.usage")
        # It registers itself as the engine's event listener.
        EngineTracer(tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]

    def shutdown(self) -> None:
        """Send what is still queued; called once the app stops."""
        self.provider.shutdown()


def configure_tracing(settings: Settings, exporter: SpanExporter | None = None) -> Tracing | None:
    if exporter is None and not settings.otel_exporter_otlp_endpoint:
        return None
    return Tracing(settings, exporter)
