"""initial catalog schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 21:48:06.065491
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0001'
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('bundles',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=True),
    sa.Column('time_limit', sa.String(length=100), nullable=True),
    sa.Column('fee', sa.String(length=200), nullable=True),
    sa.Column('trips', sa.Integer(), nullable=True),
    sa.Column('online', sa.String(length=200), nullable=True),
    sa.Column('process', sa.Text(), nullable=True),
    sa.CheckConstraint("level IS NULL OR level IN ('village', 'town', 'county')", name=op.f('ck_bundles_level')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_bundles'))
    )
    op.create_table('catalog_meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_catalog_meta'))
    )
    op.create_table('facts',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.CheckConstraint("kind IN ('deciding', 'detail')", name=op.f('ck_facts_kind')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_facts'))
    )
    op.create_table('items',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('main_item', sa.String(length=200), nullable=True),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('time_limit', sa.String(length=100), nullable=True),
    sa.Column('fee', sa.String(length=200), nullable=True),
    sa.Column('trips', sa.Integer(), nullable=True),
    sa.Column('online', sa.String(length=200), nullable=True),
    sa.Column('process', sa.Text(), nullable=True),
    sa.Column('guide_url', sa.String(length=500), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('has_guide', sa.Boolean(), nullable=False),
    sa.CheckConstraint("level IN ('village', 'town', 'county')", name=op.f('ck_items_level')),
    sa.CheckConstraint("source IN ('real', 'authored sample')", name=op.f('ck_items_source')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_items'))
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_items_name'), ['name'], unique=False)

    op.create_table('regions',
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('parent_code', sa.String(length=12), nullable=True),
    sa.CheckConstraint("level IN ('village', 'town', 'county')", name=op.f('ck_regions_level')),
    sa.ForeignKeyConstraint(['parent_code'], ['regions.code'], name=op.f('fk_regions_parent_code_regions')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regions_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_regions_parent_code'), ['parent_code'], unique=False)

    op.create_table('bundle_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bundle_code', sa.String(length=64), nullable=False),
    sa.Column('alias', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['bundle_code'], ['bundles.code'], name=op.f('fk_bundle_aliases_bundle_code_bundles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bundle_aliases')),
    sa.UniqueConstraint('bundle_code', 'alias', name=op.f('uq_bundle_aliases_bundle_code'))
    )
    with op.batch_alter_table('bundle_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundle_aliases_bundle_code'), ['bundle_code'], unique=False)

    op.create_table('bundle_facts',
    sa.Column('bundle_code', sa.String(length=64), nullable=False),
    sa.Column('fact_key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bundle_code'], ['bundles.code'], name=op.f('fk_bundle_facts_bundle_code_bundles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fact_key'], ['facts.key'], name=op.f('fk_bundle_facts_fact_key_facts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('bundle_code', 'fact_key', name=op.f('pk_bundle_facts'))
    )
    op.create_table('bundle_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bundle_code', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=True),
    sa.Column('form', sa.String(length=50), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('condition', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['bundle_code'], ['bundles.code'], name=op.f('fk_bundle_materials_bundle_code_bundles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bundle_materials'))
    )
    with op.batch_alter_table('bundle_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundle_materials_bundle_code'), ['bundle_code'], unique=False)

    op.create_table('bundle_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bundle_code', sa.String(length=64), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('condition', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['bundle_code'], ['bundles.code'], name=op.f('fk_bundle_members_bundle_code_bundles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_code'], ['items.code'], name=op.f('fk_bundle_members_item_code_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bundle_members')),
    sa.UniqueConstraint('bundle_code', 'item_code', name=op.f('uq_bundle_members_bundle_code'))
    )
    with op.batch_alter_table('bundle_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundle_members_bundle_code'), ['bundle_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_bundle_members_item_code'), ['item_code'], unique=False)

    op.create_table('bundle_omits',
    sa.Column('bundle_code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['bundle_code'], ['bundles.code'], name=op.f('fk_bundle_omits_bundle_code_bundles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('bundle_code', 'name', name=op.f('pk_bundle_omits'))
    )
    op.create_table('fact_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fact_key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('words', sa.JSON(), nullable=False),
    sa.Column('condition_text', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['fact_key'], ['facts.key'], name=op.f('fk_fact_options_fact_key_facts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_options')),
    sa.UniqueConstraint('fact_key', 'value', name=op.f('uq_fact_options_fact_key'))
    )
    with op.batch_alter_table('fact_options', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fact_options_fact_key'), ['fact_key'], unique=False)

    op.create_table('item_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('alias', sa.String(length=200), nullable=False),
    sa.Column('origin', sa.String(length=16), server_default='items', nullable=False),
    sa.ForeignKeyConstraint(['item_code'], ['items.code'], name=op.f('fk_item_aliases_item_code_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_aliases')),
    sa.UniqueConstraint('item_code', 'alias', name=op.f('uq_item_aliases_item_code'))
    )
    with op.batch_alter_table('item_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_aliases_item_code'), ['item_code'], unique=False)

    op.create_table('item_facts',
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('fact_key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['fact_key'], ['facts.key'], name=op.f('fk_item_facts_fact_key_facts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_code'], ['items.code'], name=op.f('fk_item_facts_item_code_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_code', 'fact_key', name=op.f('pk_item_facts'))
    )
    op.create_table('materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=True),
    sa.Column('form', sa.String(length=50), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('condition', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['item_code'], ['items.code'], name=op.f('fk_materials_item_code_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_materials'))
    )
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_materials_item_code'), ['item_code'], unique=False)

    op.create_table('region_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('alias', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_region_aliases_region_code_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region_aliases')),
    sa.UniqueConstraint('region_code', 'alias', name=op.f('uq_region_aliases_region_code'))
    )
    with op.batch_alter_table('region_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_aliases_alias'), ['alias'], unique=False)
        batch_op.create_index(batch_op.f('ix_region_aliases_region_code'), ['region_code'], unique=False)

    op.create_table('service_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('hours', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lng', sa.Float(), nullable=True),
    sa.CheckConstraint("level IN ('village', 'town', 'county')", name=op.f('ck_service_points_level')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_service_points_region_code_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_points')),
    sa.UniqueConstraint('region_code', name=op.f('uq_service_points_region_code'))
    )


def downgrade() -> None:
    op.drop_table('service_points')
    with op.batch_alter_table('region_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_aliases_region_code'))
        batch_op.drop_index(batch_op.f('ix_region_aliases_alias'))

    op.drop_table('region_aliases')
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_materials_item_code'))

    op.drop_table('materials')
    op.drop_table('item_facts')
    with op.batch_alter_table('item_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_aliases_item_code'))

    op.drop_table('item_aliases')
    with op.batch_alter_table('fact_options', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fact_options_fact_key'))

    op.drop_table('fact_options')
    op.drop_table('bundle_omits')
    with op.batch_alter_table('bundle_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundle_members_item_code'))
        batch_op.drop_index(batch_op.f('ix_bundle_members_bundle_code'))

    op.drop_table('bundle_members')
    with op.batch_alter_table('bundle_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundle_materials_bundle_code'))

    op.drop_table('bundle_materials')
    op.drop_table('bundle_facts')
    with op.batch_alter_table('bundle_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundle_aliases_bundle_code'))

    op.drop_table('bundle_aliases')
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regions_parent_code'))
        batch_op.drop_index(batch_op.f('ix_regions_level'))

    op.drop_table('regions')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_items_name'))

    op.drop_table('items')
    op.drop_table('facts')
    op.drop_table('catalog_meta')
    op.drop_table('bundles')
