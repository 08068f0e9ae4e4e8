"""Add referrals with their timeline, professionals, two-factor sign-in and the audit trail.

Revision ID: 0c845ede2c67
Revises: d4e6f8a01b27
Create Date: 2026-11-28 05:01:30.381861
"""

from alembic import op
import sqlalchemy as sa


revision = '0c845ede2c67'
down_revision = 'd4e6f8a01b27'
branch_labels = None
depends_on = None


# The audit trail is append-only in the database too, whatever the client.
_SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
]
_POSTGRES_TRIGGER = [
    """CREATE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
]


def _create_audit_triggers() -> None:
    statements = _POSTGRES_TRIGGER if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)


def _drop_audit_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('organization_id', sa.Uuid(), nullable=True),
    sa.Column('action', sa.Enum('create', 'view', 'update', 'export', 'delete', 'purge', 'break_glass', 'access_request', 'erasure', name='audit_action', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('detail', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_referral_id'), ['referral_id'], unique=False)

    op.create_table('recovery_code',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_recovery_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)

    op.create_table('two_factor',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_step', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_two_factor_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_two_factor'))
    )
    op.create_table('professional_profile',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('gp', 'municipal', 'hospital', 'other', name='professional_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('workplace', sa.String(length=200), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('municipality_code', sa.String(length=3), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_professional_profile_municipality_code_municipality')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_professional_profile_user_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['user_account.id'], name=op.f('fk_professional_profile_verified_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_professional_profile')),
    sa.UniqueConstraint('user_id', name=op.f('uq_professional_profile_user_id'))
    )
    op.create_table('referral',
    sa.Column('form_token', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Enum('referral', 'contact_request', name='referral_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('referrer_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.Enum('sent', 'opened', 'contacted', 'started', 'not_started', 'declined', name='referral_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('outcome_reason', sa.Enum('unreachable', 'not_interested', 'waiting_list', 'not_suitable', 'other', name='not_started_reason', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('municipality_code', sa.String(length=4), nullable=True),
    sa.Column('reason_code', sa.String(length=50), nullable=True),
    sa.Column('citizen_name', sa.Text(), nullable=True),
    sa.Column('citizen_phone', sa.Text(), nullable=True),
    sa.Column('citizen_email', sa.Text(), nullable=True),
    sa.Column('contact_time', sa.Text(), nullable=True),
    sa.Column('needs', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decline_message', sa.Text(), nullable=True),
    sa.Column('phone_fingerprint', sa.String(length=64), nullable=True),
    sa.Column('email_fingerprint', sa.String(length=64), nullable=True),
    sa.Column('consent_by', sa.String(length=30), nullable=True),
    sa.Column('consent_method', sa.Enum('verbal', 'written', 'online', name='consent_method', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consent_text_version', sa.String(length=20), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_reaction_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_referral_organization_id_organization')),
    sa.ForeignKeyConstraint(['referrer_id'], ['user_account.id'], name=op.f('fk_referral_referrer_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_referral_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral')),
    sa.UniqueConstraint('form_token', name=op.f('uq_referral_form_token'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_email_fingerprint', ['email_fingerprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('ix_referral_phone_fingerprint', ['phone_fingerprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_referrer_id'), ['referrer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_service_id'), ['service_id'], unique=False)
        batch_op.create_index('ix_referral_status_created', ['status', 'created_at'], unique=False)

    op.create_table('referral_event',
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.Enum('status', 'message', 'flagged', name='event_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.String(length=30), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_referral_event_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_event_referral_id_referral'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_event'))
    )
    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_event_referral_id'), ['referral_id'], unique=False)

    _create_audit_triggers()


def downgrade() -> None:
    _drop_audit_triggers()
    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_event_referral_id'))

    op.drop_table('referral_event')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_status_created')
        batch_op.drop_index(batch_op.f('ix_referral_service_id'))
        batch_op.drop_index(batch_op.f('ix_referral_referrer_id'))
        batch_op.drop_index('ix_referral_phone_fingerprint')
        batch_op.drop_index(batch_op.f('ix_referral_organization_id'))
        batch_op.drop_index('ix_referral_email_fingerprint')

    op.drop_table('referral')
    op.drop_table('professional_profile')
    op.drop_table('two_factor')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))

    op.drop_table('recovery_code')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_referral_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_at'))

    op.drop_table('audit_entry')
