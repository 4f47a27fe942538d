"""What every domain stands on: settings, security, logging, the transaction runner,
errors, telemetry and HTTP plumbing. It imports no domain (`tests/unit/test_layout.py`)."""
