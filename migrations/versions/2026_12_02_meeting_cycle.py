"""Meeting cycle: online link, cancellation and adjournment reasons, the resumed meeting's
link back, minutes per agenda item, the decision that approves minutes, and memberships ended
by the substitution limit.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 02:37:31.806867
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.core.models

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


END_REASONS = (
    "'resigned', 'employer_changed', 'attendance', 'substitutions', 'expelled', 'term_ended', "
    "'other'"
)


def _end_reason_check(values: str) -> None:
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_membership_end_reason'), type_='check')
        batch_op.create_check_constraint(
            'end_reason', sa.text(f"end_reason IS NULL OR end_reason IN ({values})")
        )


def upgrade() -> None:
    _end_reason_check(END_REASONS + ", 'substitution_limit'")
    op.create_table('minute',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', api.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', api.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], ),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'agenda_item_id')
    )
    with op.batch_alter_table('minute', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minute_agenda_item_id'), ['agenda_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_minute_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_minute_updated_at'), ['updated_at'], unique=False)

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approves_minutes_of_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_decision_approves_minutes_of_id'), ['approves_minutes_of_id'], unique=False)
        batch_op.create_foreign_key('fk_decision_approves_minutes_of_id_meeting', 'meeting', ['approves_minutes_of_id'], ['id'])

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('online_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.add_column(sa.Column('adjourned_from_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('adjournment_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))
        batch_op.add_column(sa.Column('cancellation_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))
        batch_op.create_index(batch_op.f('ix_meeting_adjourned_from_id'), ['adjourned_from_id'], unique=False)
        batch_op.create_foreign_key('fk_meeting_adjourned_from_id_meeting', 'meeting', ['adjourned_from_id'], ['id'])



def downgrade() -> None:
    op.execute(
        "UPDATE membership SET end_reason = 'substitutions' "
        "WHERE end_reason = 'substitution_limit'"
    )
    # SQLite changes a CHECK by copying the table, which its foreign keys refuse once
    # attendance refers to members; the wider check it keeps still holds every row.
    if op.get_bind().dialect.name != "sqlite":
        _end_reason_check(END_REASONS)
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_constraint('fk_meeting_adjourned_from_id_meeting', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_meeting_adjourned_from_id'))
        batch_op.drop_column('cancellation_reason')
        batch_op.drop_column('adjournment_reason')
        batch_op.drop_column('adjourned_from_id')
        batch_op.drop_column('online_url')

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_constraint('fk_decision_approves_minutes_of_id_meeting', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_decision_approves_minutes_of_id'))
        batch_op.drop_column('approves_minutes_of_id')

    with op.batch_alter_table('minute', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minute_updated_at'))
        batch_op.drop_index(batch_op.f('ix_minute_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_minute_agenda_item_id'))

    op.drop_table('minute')
