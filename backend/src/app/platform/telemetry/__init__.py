"""Telemetry: Prometheus metrics (`metrics`), OpenTelemetry traces (`tracing`) and Sentry
error reports (`error_reports`), sharing one rule about what may leave the process (`scrub`).
`app.main` wires them into the app; docs/operations.md, "Observability", explains them."""
