"""Webhooks: `webhook_endpoint` (an owner's endpoints and their signing secrets),
`webhook_delivery` (each endpoint's queue and delivery log) and `webhook_dispatcher`
(the one dispatcher's lease and its place in the event log, one row).

All three tables are new: upgrade touches no existing row, and starts the dispatcher at
the beginning of the log (no endpoint exists yet, so it skips to the log's head at
once). Downgrade drops them, with every endpoint and delivery.

Revision ID: 9d41b6e0a7c3
Revises: b7d41f0e9a26
Create Date: 2026-12-07 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "9d41b6e0a7c3"
down_revision: str | None = "b7d41f0e9a26"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("list_id", sa.Uuid(), nullable=True),
        sa.Column("url", AutoString(length=2000), nullable=False),
        sa.Column("event_types", sa.Text(), nullable=False),
        sa.Column("secret", AutoString(length=50), nullable=False),
        sa.Column("previous_secret", AutoString(length=50), nullable=True),
        sa.Column("previous_secret_until", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("disabled_at", UTCDateTime(), nullable=True),
        sa.Column("disabled_reason", AutoString(length=200), nullable=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["todo_list.id"],
            name=op.f("fk_webhook_endpoint_list_id_todo_list"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_webhook_endpoint_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoint")),
    )
    op.create_index(
        op.f("ix_webhook_endpoint_owner_id"), "webhook_endpoint", ["owner_id"], unique=False
    )
    op.create_index(
        op.f("ix_webhook_endpoint_list_id"), "webhook_endpoint", ["list_id"], unique=False
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("msg_id", AutoString(length=40), nullable=False),
        sa.Column("kind", AutoString(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("state", AutoString(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_latency_ms", sa.Integer(), nullable=True),
        sa.Column("last_error", AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoint.id"],
            name=op.f("fk_webhook_delivery_endpoint_id_webhook_endpoint"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
    )
    op.create_index(
        "ix_webhook_delivery_endpoint_id_seq",
        "webhook_delivery",
        ["endpoint_id", "seq"],
        unique=True,
    )
    op.create_index(
        "ix_webhook_delivery_state_next_attempt_at",
        "webhook_delivery",
        ["state", "next_attempt_at"],
        unique=False,
    )
    dispatcher = op.create_table(
        "webhook_dispatcher",
        sa.Column("name", AutoString(length=32), nullable=False),
        sa.Column("holder", AutoString(length=64), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("log_position", AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_webhook_dispatcher")),
    )
    op.bulk_insert(dispatcher, [{"name": "webhooks", "log_position": "0.0"}])


def downgrade() -> None:
    op.drop_table("webhook_dispatcher")
    op.drop_index("ix_webhook_delivery_state_next_attempt_at", table_name="webhook_delivery")
    op.drop_index("ix_webhook_delivery_endpoint_id_seq", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index(op.f("ix_webhook_endpoint_list_id"), table_name="webhook_endpoint")
    op.drop_index(op.f("ix_webhook_endpoint_owner_id"), table_name="webhook_endpoint")
    op.drop_table("webhook_endpoint")
