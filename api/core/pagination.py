"""One way to page through lists: ``limit``/``offset`` in, ``{items,total,limit,offset}`` out."""

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_LIMIT = 500


class PageParams(BaseModel):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10_000_000)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def paginate(session: Session, stmt: Select[Any], page: PageParams) -> tuple[Sequence[Any], int]:
    """Rows of one page and the total count; ``stmt`` must already be fully ordered."""
    total = count_rows(session, stmt)
    return session.scalars(stmt.limit(page.limit).offset(page.offset)).all(), total


def page_statement(stmt: Select[Any], limit: int, offset: int) -> Select[Any]:
    """One page of a Core select of columns (read-only lists) with its total: the total rides
    along as an uncorrelated scalar subquery, which the database evaluates once, in the last
    column. ``stmt`` must already be fully ordered."""
    total_column = _count(stmt).scalar_subquery().correlate(None)
    return stmt.add_columns(total_column).limit(limit).offset(offset)


def read_page(
    session: Session, stmt: Select[Any], paged: Select[Any], offset: int
) -> tuple[list[dict[str, Any]], int]:
    """:func:`paginate` for ``paged``, a :func:`page_statement` of ``stmt`` (or a select around
    it keeping the total last): plain ``column -> value`` dicts, no ORM objects, and one round
    trip. Only a page past the end costs a second query (the count of ``stmt``)."""
    result = session.connection().execute(paged)  # Core: a select needs no ORM execution
    names = list(result.keys())[:-1]
    rows = result.all()
    if not rows:
        return [], count_rows(session, stmt) if offset else 0
    return [dict(zip(names, row, strict=False)) for row in rows], rows[0][-1]


def _count(stmt: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(stmt.order_by(None).subquery())


def count_rows(session: Session, stmt: Select[Any]) -> int:
    return session.scalar(_count(stmt)) or 0
