"""Search index: one entry per task, action, outcome, decision, minutes, paper, person and
organisation, kept by triggers; PostgreSQL full-text (tsvector + GIN), SQLite FTS5.

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-02 02:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.search import index

revision: str = "0012"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_search_entry"),
        sa.UniqueConstraint("kind", "object_id", name="uq_search_entry_kind_object_id"),
    )
    dialect = op.get_bind().dialect.name
    for statement in index.create_statements(dialect):
        op.execute(statement)


def downgrade() -> None:
    for statement in index.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("search_entry")
