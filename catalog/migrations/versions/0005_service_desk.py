"""service desk: takeover, agents online, call-backs, handoff episodes and ratings (api/desk_models.py)

Revision ID: 0005
Revises: 0004

These tables live in the log database (``settings.effective_log_database_url``), which is the catalog
database unless WYC_LOG_DATABASE_URL says otherwise; the app also creates them at start
(``Desk.create_tables``), for a separate log database and for a database an app already ran on
before this migration existed. So each table here is created only when missing, and an upgrade
adopts tables the app made.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _tables() -> dict:
    """Each table's columns and constraints, and its indexes: the DDL of api/desk_models.py."""
    return {
        "desk_conversations": ([
            sa.Column("sender_id", sa.String(length=128), nullable=False),
            sa.Column("channel", sa.String(length=16), nullable=False),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("reason", sa.String(length=64), nullable=True),
            sa.Column("agent_id", sa.String(length=64), nullable=True),
            sa.Column("agent_name", sa.String(length=32), nullable=True),
            sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("episode_id", sa.Integer(), nullable=True),
            sa.Column("last_seq", sa.Integer(), nullable=False),
            sa.Column("started_seq", sa.Integer(), nullable=False),
            sa.Column("question", sa.Text(), nullable=True),
            sa.Column("last_answer", sa.JSON(), nullable=True),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("sender_id", name=op.f("pk_desk_conversations")),
        ], [("state",)]),
        "desk_messages": ([
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("sender_id", sa.String(length=128), nullable=False),
            sa.Column("seq", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("author", sa.String(length=16), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("text", sa.Text(), nullable=True),
            sa.Column("payload", sa.JSON(), nullable=True),
            sa.Column("agent_name", sa.String(length=32), nullable=True),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_messages")),
            sa.UniqueConstraint("sender_id", "seq", name=op.f("uq_desk_messages_sender_id")),
        ], [("sender_id",)]),
        "desk_agents": ([
            sa.Column("agent_id", sa.String(length=64), nullable=False),
            sa.Column("name", sa.String(length=32), nullable=False),
            sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_desk_agents")),
        ], [("last_seen",)]),
        "desk_episodes": ([
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("conversation", sa.String(length=16), nullable=False),
            sa.Column("channel", sa.String(length=16), nullable=False),
            sa.Column("reason", sa.String(length=64), nullable=False),
            sa.Column("question", sa.Text(), nullable=False),
            sa.Column("items_offered", sa.JSON(), nullable=False),
            sa.Column("outcome", sa.String(length=16), nullable=False),
            sa.Column("agent_name", sa.String(length=32), nullable=True),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("first_reply_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_episodes")),
        ], [("conversation",), ("started_at",)]),
        "desk_callbacks": ([
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("sender_id", sa.String(length=128), nullable=False),
            sa.Column("phone", sa.String(length=32), nullable=False),
            sa.Column("question", sa.Text(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("done_by", sa.String(length=32), nullable=True),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_callbacks")),
        ], [("created_at",)]),
        "desk_ratings": ([
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("conversation", sa.String(length=16), nullable=False),
            sa.Column("channel", sa.String(length=16), nullable=False),
            sa.Column("subject", sa.String(length=16), nullable=False),
            sa.Column("satisfied", sa.Boolean(), nullable=False),
            sa.Column("reason", sa.String(length=16), nullable=True),
            sa.Column("item_code", sa.String(length=64), nullable=True),
            sa.Column("item_name", sa.String(length=200), nullable=True),
            sa.Column("place", sa.String(length=100), nullable=True),
            sa.Column("question", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_ratings")),
        ], [("conversation",), ("created_at",)]),
    }


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for table, (columns, indexes) in _tables().items():
        if table in existing:
            continue
        op.create_table(table, *columns)
        for (column,) in indexes:
            op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def downgrade() -> None:
    for table, (_columns, indexes) in reversed(list(_tables().items())):
        for (column,) in indexes:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
