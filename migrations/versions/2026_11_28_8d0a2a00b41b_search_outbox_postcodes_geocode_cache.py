"""Add the search outbox, the postcode list and the geocoding cache.

Revision ID: 8d0a2a00b41b
Revises: fb479e280f87
Create Date: 2026-11-28 02:20:21.792938
"""

from alembic import op
import sqlalchemy as sa


revision = '8d0a2a00b41b'
down_revision = 'fb479e280f87'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('geocode_cache',
    sa.Column('query_key', sa.String(length=200), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=False),
    sa.Column('longitude', sa.Double(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('query_key', name=op.f('pk_geocode_cache'))
    )
    op.create_table('search_outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('available_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_outbox'))
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_outbox_available_at'), ['available_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_outbox_service_id'), ['service_id'], unique=False)

    op.create_table('postcode',
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('municipality_code', sa.String(length=3), nullable=True),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_postcode_municipality_code_municipality')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_postcode'))
    )
    with op.batch_alter_table('postcode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_postcode_name'), ['name'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('postcode', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_postcode_name'))

    op.drop_table('postcode')
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_outbox_service_id'))
        batch_op.drop_index(batch_op.f('ix_search_outbox_available_at'))

    op.drop_table('search_outbox')
    op.drop_table('geocode_cache')
