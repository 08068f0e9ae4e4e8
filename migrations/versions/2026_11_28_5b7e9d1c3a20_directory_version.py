"""Add the directory's change counter, which tells page caches when to forget.

Revision ID: 5b7e9d1c3a20
Revises: 0c845ede2c67
Create Date: 2026-11-28 12:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '5b7e9d1c3a20'
down_revision = '0c845ede2c67'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table('directory_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_version'))
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade() -> None:
    op.drop_table('directory_version')
