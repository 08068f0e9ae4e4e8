"""Add the editable list of search synonym groups.

Revision ID: fd7e7a77e603
Revises: 8d0a2a00b41b
Create Date: 2026-11-28 03:13:48.258653
"""

from alembic import op
import sqlalchemy as sa


revision = 'fd7e7a77e603'
down_revision = '8d0a2a00b41b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('synonym_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('words', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synonym_group')),
    sa.UniqueConstraint('words', name=op.f('uq_synonym_group_words'))
    )


def downgrade() -> None:
    op.drop_table('synonym_group')
