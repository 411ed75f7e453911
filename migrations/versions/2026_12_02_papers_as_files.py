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

    # Plain ALTER TABLE ... ADD COLUMN on every database: a batch copy of a table others
    # refer to would fail their foreign keys on SQLite.
    op.add_column('agenda_item', sa.Column('minutes_allotted', sa.Integer(), nullable=True))
    op.add_column(
        'meeting',
        sa.Column('agenda_published_at', api.core.models.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column('report', sa.Column('performance_as_of', sa.Date(), nullable=True))


def _drop_column(table: str, column: str) -> None:
    # SQLite drops a plain column in place (3.35+); a batch copy of a table others refer to
    # would fail their foreign keys.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    else:
        op.drop_column(table, column)


def downgrade() -> None:
    with op.batch_alter_table('paper_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_file_sha256'))

    op.drop_table('paper_file')
    op.drop_table('paper_chunk')
    op.drop_table('paper_blob')
    _drop_column('report', 'performance_as_of')
    _drop_column('meeting', 'agenda_published_at')
    _drop_column('agenda_item', 'minutes_allotted')
