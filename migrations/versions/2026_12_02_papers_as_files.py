"""Papers as files (content-addressed chunks), performance-report papers,
minutes allotted to agenda items and the agenda pack's publication time.

Revision ID: 0006
Revises: 0010
Create Date: 2026-12-02 02:38:11.570780
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.core.models

revision: str = '0006'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('paper_blob',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('chunk_count', sa.Integer(), nullable=False),
    sa.Column('created_at', api.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('paper_chunk',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['paper_blob.sha256'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sha256', 'seq')
    )
    op.create_table('paper_file',
    sa.Column('report_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('uploaded_at', api.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['paper_blob.sha256'], ),
    sa.PrimaryKeyConstraint('report_id')
    )
    with op.batch_alter_table('paper_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_file_sha256'), ['sha256'], unique=False)

    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minutes_allotted', sa.Integer(), nullable=True))

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda_published_at', api.core.models.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('performance_as_of', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('performance_as_of')

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('agenda_published_at')

    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_column('minutes_allotted')

    with op.batch_alter_table('paper_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_file_sha256'))

    op.drop_table('paper_file')
    op.drop_table('paper_chunk')
    op.drop_table('paper_blob')
