"""curator phrasings: a citizen's phrasing attached to an item from the report, undoable

Revision ID: 0004
Revises: 0003
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "curator_phrasings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phrase", sa.String(length=200), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("removed_by", sa.String(length=32), nullable=True),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curator_phrasings")),
    )
    op.create_index(op.f("ix_curator_phrasings_phrase"), "curator_phrasings", ["phrase"], unique=False)
    op.create_index(op.f("ix_curator_phrasings_item_code"), "curator_phrasings", ["item_code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_curator_phrasings_item_code"), table_name="curator_phrasings")
    op.drop_index(op.f("ix_curator_phrasings_phrase"), table_name="curator_phrasings")
    op.drop_table("curator_phrasings")
