"""Add imported population figures and boundaries, and the counters of unmet searches.

Revision ID: d4e6f8a01b27
Revises: c3d5e7f90a16
Create Date: 2026-11-28 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'd4e6f8a01b27'
down_revision = 'c3d5e7f90a16'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('municipality_population',
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('population >= 0', name=op.f('ck_municipality_population_population_not_negative')),
    sa.CheckConstraint('year >= 1900 AND year <= 2200', name=op.f('ck_municipality_population_year_range')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_municipality_population_municipality_code_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('municipality_code', 'year', name=op.f('pk_municipality_population'))
    )
    op.create_table('municipality_boundary',
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.Column('geometry', sa.Text(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_municipality_boundary_municipality_code_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('municipality_code', name=op.f('pk_municipality_boundary'))
    )
    op.create_table('search_demand_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.Column('target_group', sa.String(length=255), nullable=False),
    sa.Column('activity', sa.String(length=255), nullable=False),
    sa.Column('life_situation', sa.String(length=255), nullable=False),
    sa.Column('searches', sa.Integer(), nullable=False),
    sa.Column('without_results', sa.Integer(), nullable=False),
    sa.CheckConstraint('searches >= 1', name=op.f('ck_search_demand_day_searches_positive')),
    sa.CheckConstraint('without_results >= 0 AND without_results <= searches', name=op.f('ck_search_demand_day_without_results_range')),
    sa.PrimaryKeyConstraint('day', 'municipality_code', 'target_group', 'activity', 'life_situation', name=op.f('pk_search_demand_day'))
    )


def downgrade() -> None:
    op.drop_table('search_demand_day')
    op.drop_table('municipality_boundary')
    op.drop_table('municipality_population')
