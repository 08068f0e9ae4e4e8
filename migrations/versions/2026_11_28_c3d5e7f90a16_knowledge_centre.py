"""Add the knowledge centre: articles, tools, concepts, revisions and attachments.

Revision ID: c3d5e7f90a16
Revises: 77c054693c96
Create Date: 2026-11-28 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'c3d5e7f90a16'
down_revision = '77c054693c96'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('knowledge_item',
    sa.Column('kind', sa.Enum('article', 'tool', 'concept', name='knowledge_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('how_to_start', sa.Text(), nullable=False),
    sa.Column('sources', sa.Text(), nullable=False),
    sa.Column('evidence_level', sa.Enum('documented', 'promising', 'experience', name='evidence_level', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('status', sa.Enum('draft', 'scheduled', 'published', name='knowledge_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('publish_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_featured', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_item')),
    sa.UniqueConstraint('slug', name=op.f('uq_knowledge_item_slug'))
    )
    with op.batch_alter_table('knowledge_item', schema=None) as batch_op:
        batch_op.create_index('ix_knowledge_item_visible', ['status', 'publish_at'], unique=False)

    op.create_table('knowledge_attachment',
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('uploaded_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['knowledge_item.id'], name=op.f('fk_knowledge_attachment_item_id_knowledge_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_knowledge_attachment_uploaded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_attachment'))
    )
    with op.batch_alter_table('knowledge_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_attachment_item_id'), ['item_id'], unique=False)

    op.create_table('knowledge_audience',
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('audience', sa.Enum('borgere', 'fagpersoner', 'frivillige', 'ledere', name='knowledge_audience', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['knowledge_item.id'], name=op.f('fk_knowledge_audience_item_id_knowledge_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'audience', name=op.f('pk_knowledge_audience'))
    )
    op.create_table('knowledge_revision',
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_knowledge_revision_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['knowledge_item.id'], name=op.f('fk_knowledge_revision_item_id_knowledge_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_revision')),
    sa.UniqueConstraint('item_id', 'number', name=op.f('uq_knowledge_revision_item_id_number'))
    )
    with op.batch_alter_table('knowledge_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_revision_item_id'), ['item_id'], unique=False)

    op.create_table('knowledge_tag',
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['knowledge_item.id'], name=op.f('fk_knowledge_tag_item_id_knowledge_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'name', name=op.f('pk_knowledge_tag'))
    )
    with op.batch_alter_table('knowledge_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_tag_name'), ['name'], unique=False)

    op.create_table('knowledge_item_term',
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('taxonomy_term_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['knowledge_item.id'], name=op.f('fk_knowledge_item_term_item_id_knowledge_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['taxonomy_term_id'], ['taxonomy_term.id'], name=op.f('fk_knowledge_item_term_taxonomy_term_id_taxonomy_term'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'taxonomy_term_id', name=op.f('pk_knowledge_item_term'))
    )
    with op.batch_alter_table('knowledge_item_term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_item_term_taxonomy_term_id'), ['taxonomy_term_id'], unique=False)

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('concept_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_service_concept_id'), ['concept_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_service_concept_id_knowledge_item'), 'knowledge_item', ['concept_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_service_concept_id_knowledge_item'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_service_concept_id'))
        batch_op.drop_column('concept_id')

    with op.batch_alter_table('knowledge_item_term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_item_term_taxonomy_term_id'))

    op.drop_table('knowledge_item_term')
    with op.batch_alter_table('knowledge_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_tag_name'))

    op.drop_table('knowledge_tag')
    with op.batch_alter_table('knowledge_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_revision_item_id'))

    op.drop_table('knowledge_revision')
    op.drop_table('knowledge_audience')
    with op.batch_alter_table('knowledge_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_attachment_item_id'))

    op.drop_table('knowledge_attachment')
    with op.batch_alter_table('knowledge_item', schema=None) as batch_op:
        batch_op.drop_index('ix_knowledge_item_visible')

    op.drop_table('knowledge_item')
