"""Every setting the backend reads, in one place (environment variables, case-insensitive)."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name)
MIN_SECRET_KEY_LENGTH = 32


def _default_data_dir() -> Path:
    """`data/` at the repository root in a checkout; `./data` anywhere else (e.g. an image)."""
    repo_root = Path(__file__).resolve().parents[4]
    if (repo_root / "backend" / "src" / "app").is_dir():
        return repo_root / "data"
    return Path("data").resolve()


class DatabaseSettings(BaseSettings):
    """What talking to the database needs: enough for `migrate` and `seed-demo`."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("DATABASE_URL", "DB_DSN"),
        description="SQLAlchemy async URL; empty means the embedded SQLite file in DATA_DIR.",
    )
    database_read_url: str = Field(
        default="",
        description="Where reads go: a cluster's replicas, e.g. every node with "
        "`target_session_attrs=prefer-standby`; empty means DATABASE_URL "
        '(docs/operations.md, "A PostgreSQL cluster").',
    )
    data_dir: Path = Field(default_factory=_default_data_dir)
    sql_echo: bool = False
    db_pool_size: int = Field(default=20, ge=1, le=200)
    db_connect_timeout: float = Field(
        default=60.0, ge=0, description="How long startup waits for the database (seconds)."
    )
    db_timeout: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="Longest wait for a pooled connection, a new connection or one "
        "statement (seconds); past it a request answers 503 instead of hanging.",
    )
    db_failover_wait: float = Field(
        default=0.0,
        ge=0,
        le=60,
        description="How long a unit of work that cannot have committed waits, re-running "
        "it, for a database server that went away (a cluster's failover or switchover) "
        "before answering 503 (seconds); 0: answer 503 at once.",
    )
    db_replica_wait: float = Field(
        default=0.5,
        ge=0,
        le=10,
        description="With DATABASE_READ_URL on PostgreSQL: how long a read that must follow "
        "the client's own write (X-Consistency-Token) waits for its replica to replay it "
        "before it runs on the leader instead (seconds).",
    )
    db_transaction_pooling: bool = Field(
        default=False,
        description="The database is reached through a pooler in transaction mode "
        "(pgbouncer `pool_mode = transaction`): every unit of work in a transaction, no "
        'prepared statement reused, no session settings (docs/operations.md, "pgbouncer").',
    )
    db_retry_attempts: int = Field(
        default=25, ge=1, le=100, description="Runs of one transaction before giving up on 40001."
    )

    @model_validator(mode="after")
    def _default_database(self) -> Self:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'minor-illusion.db'}"
        return self


class Settings(DatabaseSettings):
    """Everything the web app reads."""

    dev_mode: bool = False
    secret_key: SecretStr | None = None
    # A log-in (session) lasts at most ACCESS_TOKEN_TTL, and ends sooner after
    # SESSION_IDLE_TIMEOUT without use (docs/security.md, "Sessions").
    access_token_ttl_seconds: int = Field(
        default=30 * 24 * 3600,
        ge=60,
        le=366 * 24 * 3600,
        validation_alias=AliasChoices("ACCESS_TOKEN_TTL", "ACCESS_TOKEN_TTL_SECONDS"),
        description="Absolute lifetime of a log-in and its token, in seconds "
        "(env ACCESS_TOKEN_TTL).",
    )
    session_idle_timeout_seconds: int = Field(
        default=14 * 24 * 3600,
        ge=60,
        le=366 * 24 * 3600,
        validation_alias=AliasChoices("SESSION_IDLE_TIMEOUT", "SESSION_IDLE_TIMEOUT_SECONDS"),
        description="A log-in unused for this many seconds ends (env SESSION_IDLE_TIMEOUT).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    logs_as_json: bool = False
    root_path: str = ""
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=64 * 1024 * 1024)
    # The one larger body: an import file (`POST /me/import`, `/me/import/todomvc`).
    import_max_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, le=64 * 1024 * 1024)

    # Login throttling (state in the database, shared by every replica).
    # Bounded like everything that reaches SQL: counts fit the INTEGER column, and
    # durations stay far from datetime's range.
    login_failures_per_name: int = Field(default=5, ge=1, le=1_000_000)
    login_failures_per_address: int = Field(default=20, ge=1, le=1_000_000)
    login_failure_window_seconds: int = Field(default=900, ge=1, le=366 * 24 * 3600)
    login_lockout_seconds: int = Field(default=300, ge=1, le=366 * 24 * 3600)
    # Live updates (`GET /events`).
    events_retention_seconds: int = Field(
        default=600,
        ge=10,
        le=7 * 24 * 3600,
        description="How long the event log keeps a change: a stream that reconnects "
        "within it resumes exactly; later, it is told to refetch.",
    )
    events_poll_interval: float = Field(
        default=0.1, gt=0, le=10, description="How often each process reads the event log."
    )
    events_heartbeat_seconds: float = Field(
        default=15, gt=0, le=300, description="Idle time before a stream sends a keep-alive."
    )
    events_max_streams_per_user: int = Field(
        default=10, ge=1, le=1000, description="Open streams one account may hold per process."
    )
    # Webhooks (app/webhooks): one dispatcher per cluster delivers the event log to
    # owners' endpoints. docs/webhooks.md.
    webhooks_allow_http_loopback: bool = Field(
        default=False,
        description="Development and tests only: endpoints may be http:// on loopback "
        "(127.0.0.1, ::1, localhost). Never set it where anyone else registers endpoints.",
    )
    webhooks_timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, description="The longest one delivery may take, in all."
    )
    webhooks_concurrency: int = Field(
        default=16,
        ge=1,
        le=256,
        description="Deliveries in flight at once (to different endpoints).",
    )
    webhooks_poll_interval: float = Field(
        default=1.0, gt=0, le=60, description="How often the dispatcher reads the event log."
    )
    webhooks_lease_seconds: float = Field(
        default=15.0,
        ge=1,
        le=600,
        description="The dispatcher's lease: a dead dispatcher's work is taken over this "
        "long after its last renewal.",
    )
    webhooks_first_retry_seconds: float = Field(
        default=5.0, gt=0, le=3600, description="The wait before the first retry; it doubles."
    )
    webhooks_max_retry_interval_seconds: float = Field(
        default=3600.0, gt=0, le=86400, description="The longest wait between two retries."
    )
    webhooks_retry_for_seconds: float = Field(
        default=86400.0,
        gt=0,
        le=7 * 86400,
        description="How long a delivery is retried before its endpoint is disabled.",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks (CIDR) whose X-Forwarded-For is believed: "
        "the reverse proxy in front, and nothing else.",
    )

    # Telemetry (app/platform/telemetry): metrics on their own port, traces and error reports
    # only when an endpoint is configured. docs/operations.md, "Observability".
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port that serves GET /metrics (Prometheus), and nothing else; it is "
        "never the public port, so no proxy in front forwards it. Unset: no metrics.",
    )
    prometheus_multiproc_dir: Path | None = Field(
        default=None,
        description="Where the worker processes keep their metric values (prometheus_client "
        "multiprocess mode). Unset: a fresh temporary directory per supervisor.",
    )
    otel_exporter_otlp_endpoint: str = Field(
        default="",
        description="OTLP/HTTP collector base URL (traces go to its /v1/traces); empty: "
        "no tracing at all.",
    )
    otel_service_name: str = Field(
        default="minor-illusion", description="The service name on every span."
    )
    otel_traces_sample_ratio: float = Field(
        default=1.0, ge=0, le=1, description="Share of new traces recorded (parent-based)."
    )
    sentry_dsn: SecretStr | None = Field(
        default=None, description="Sentry DSN; unset: no error reports leave the process."
    )
    sentry_environment: str = Field(
        default="production", description="The environment error reports are filed under."
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)  # ValueError names the bad entry
        return value

    @field_validator("sentry_dsn", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """SENTRY_DSN= (compose passes it through empty) means no reports."""
        return None if value == "" else value

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _resolve_secret(self) -> Self:
        if self.secret_key is None:
            if not self.dev_mode:
                raise ValueError(
                    "SECRET_KEY is not set. Set it to a random string of at least "
                    f"{MIN_SECRET_KEY_LENGTH} characters (python -c 'import secrets; "
                    "print(secrets.token_urlsafe(48))'), or set DEV_MODE=1 to use a key "
                    "generated once and kept in DATA_DIR."
                )
            self.secret_key = SecretStr(load_or_create_dev_secret(self.data_dir))
        elif not self.dev_mode and len(self.secret_key.get_secret_value()) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters.")
        return self

    @property
    def access_token_ttl(self) -> timedelta:
        return timedelta(seconds=self.access_token_ttl_seconds)

    @property
    def session_idle_timeout(self) -> timedelta:
        return timedelta(seconds=self.session_idle_timeout_seconds)

    @property
    def jwt_secret(self) -> str:
        assert self.secret_key is not None  # set by _resolve_defaults
        return self.secret_key.get_secret_value()


def load_or_create_dev_secret(data_dir: Path) -> str:
    """Create the dev secret exactly once, atomically, so restarts and replicas share it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        # Write a private temp file, then hard-link it into place: the link either
        # wins or finds the file another process already published, fully written.
        fd, tmp_name = tempfile.mkstemp(dir=data_dir, prefix=".secret-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(48))
            with contextlib.suppress(FileExistsError):
                os.link(tmp_name, path)
        finally:
            os.unlink(tmp_name)
    secret = path.read_text(encoding="utf-8").strip()
    if len(secret) < MIN_SECRET_KEY_LENGTH:
        raise ValueError(f"{path} holds a secret shorter than {MIN_SECRET_KEY_LENGTH} characters")
    return secret
