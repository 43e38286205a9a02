"""shared answers: a tailored answer behind a short random id, until its retention ends

Revision ID: 0003
Revises: 0002
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "shared_answers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_answers")),
    )
    op.create_index(op.f("ix_shared_answers_expires_at"), "shared_answers", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_shared_answers_expires_at"), table_name="shared_answers")
    op.drop_table("shared_answers")
