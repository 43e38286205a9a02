"""official guides (materials' required/originals/medium/notes, items' window, hours, phone,
days, accept condition, region), and the city level

Revision ID: 0002
Revises: 0001
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OLD_LEVELS = "level IN ('village', 'town', 'county')"
NEW_LEVELS = "level IN ('village', 'town', 'county', 'city')"
LEVEL_TABLES = ("regions", "service_points", "items")


def _levels(table: str, condition: str, nullable: bool = False) -> None:
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(op.f(f"ck_{table}_level"), type_="check")
        batch.create_check_constraint("level", f"level IS NULL OR {condition}" if nullable else condition)


def upgrade() -> None:
    for table in LEVEL_TABLES:
        _levels(table, NEW_LEVELS)
    _levels("bundles", NEW_LEVELS, nullable=True)
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("region_code", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("official_guide", sa.Boolean(), server_default="0", nullable=False))
        batch.add_column(sa.Column("address", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("hours", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("consult", sa.Text(), nullable=True))
        batch.add_column(sa.Column("promise_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("legal_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("accept_condition", sa.Text(), nullable=True))
        batch.create_index(batch.f("ix_items_region_code"), ["region_code"], unique=False)
    with op.batch_alter_table("materials") as batch:
        batch.add_column(sa.Column("condition_text", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("required", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("originals", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("medium", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("details", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("materials") as batch:
        for column in ("details", "medium", "originals", "required", "condition_text"):
            batch.drop_column(column)
    with op.batch_alter_table("items") as batch:
        batch.drop_index(batch.f("ix_items_region_code"))
        for column in ("accept_condition", "legal_days", "promise_days", "consult", "phone", "hours", "address",
                       "official_guide", "region_code"):
            batch.drop_column(column)
    op.execute("DELETE FROM service_points WHERE level = 'city'")
    for table in LEVEL_TABLES:
        _levels(table, OLD_LEVELS)
    _levels("bundles", OLD_LEVELS, nullable=True)
