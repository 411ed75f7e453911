"""Generic list/get/create/update/delete with filters, sorting, versions and audit.

Feature services configure a :class:`Resource` and state their rules as the typed methods of
a :class:`ResourceRules` subclass; routers are built from the same description by
``api.crud.router``.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, bindparam, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.util import ClauseAdapter
from sqlmodel import SQLModel

from api.core import audit
from api.core.audit import Tombstone
from api.core.errors import Conflict, PreconditionFailed, Unprocessable, field_error
from api.core.pagination import (
    PageParams,
    compiled_page,
    page_statement,
    paginate,
    read_compiled_page,
    read_page,
)
from api.core.policy import Policy, not_found
from api.core.principal import Principal

M = TypeVar("M", bound=SQLModel)

WriteAction = Literal["create", "update", "delete"]


class ResourceRules(Generic[M]):
    """A resource's domain rules, called by the generic operations at fixed points.

    Each method has one job and a default that adds nothing; a feature subclasses this and
    overrides what its resource needs. Checks raise domain errors; nothing here commits.
    """

    def filter(self, stmt: Select[Any], filters: BaseModel) -> Select[Any]:
        """Filters that need joins, beyond the plain column filters."""
        return stmt

    def before_create(self, session: Session, principal: Principal, row: M) -> None:
        """Check or complete a new row before it is flushed."""

    def before_update(
        self,
        session: Session,
        principal: Principal,
        row: M,
        changes: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        """Check a changed row before it is flushed: ``changes`` are already applied to
        ``row``; ``previous`` holds its column values before them."""

    def before_delete(self, session: Session, principal: Principal, row: M) -> None:
        """Refuse or prepare a deletion."""

    def after_write(
        self, session: Session, principal: Principal, row: M, action: WriteAction
    ) -> None:
        """React to a flushed and audited write (e.g. queue a webhook event)."""


@dataclass(eq=False)  # each resource is one object, equal to itself alone (and hashable)
class Resource(Generic[M]):
    model: type[M]
    path: str  # URL segment, plural kebab-case: "action-plans"
    create_schema: type[SQLModel]
    update_schema: type[SQLModel]
    read_schema: type[SQLModel]
    filter_schema: type[BaseModel] | None = None
    sortable: Sequence[str] = ("id",)
    default_sort: Sequence[str] = ("id",)
    search: Sequence[str] = ()  # columns matched by ?q=
    policy: Policy = field(default_factory=Policy)
    rules: ResourceRules[M] = field(default_factory=ResourceRules)
    tombstones: bool = False
    # Rows -> Read models for this principal, when some fields are not everyone's to see;
    # fields left unset are omitted from the response. (session, principal, rows)
    present: Callable[[Session, Principal, Sequence[Any]], list[BaseModel]] | None = None
    # Read-only fields of the Read schema computed in SQL from the row, such as a referenced
    # person's name: field -> scalar expression correlated with the resource's table. Lists
    # select them with the row's columns; single rows fetch them in one query.
    lookups: Mapping[str, ColumnElement[Any]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.model.__tablename__)

    @property
    def ident(self) -> str:
        """Plural snake_case for operation ids: ``list_action_plans``."""
        return self.path.replace("-", "_")


# -- reading -----------------------------------------------------------------------------------

_RANGE_SUFFIXES = {"_before": "<=", "_after": ">=", "_min": ">=", "_max": "<="}


def _column(
    model: type[SQLModel], name: str, masked: Mapping[str, ColumnElement[Any]] | None = None
) -> Any:
    if masked and name in masked:
        return masked[name]
    return model.__table__.c[name]  # type: ignore[attr-defined]


def apply_filters(
    res: Resource[M],
    stmt: Select[Any],
    filters: BaseModel | None,
    masked: Mapping[str, ColumnElement[Any]] | None = None,
) -> Select[Any]:
    """Filters, ranges and ``q``; a column in ``masked`` is matched through its stand-in."""
    if filters is None:
        return stmt
    columns = res.model.__table__.c  # type: ignore[attr-defined]
    masked = masked or {}
    for name, value in filters.model_dump(exclude_none=True).items():
        if name == "q":
            pattern = f"%{_escape_like(str(value))}%"
            stmt = stmt.where(
                or_(
                    *(_column(res.model, c, masked).ilike(pattern, escape="\\") for c in res.search)
                )
            )
            continue
        for suffix, op in _RANGE_SUFFIXES.items():
            base = name.removesuffix(suffix)
            if name.endswith(suffix) and base in columns:
                col = _column(res.model, base, masked)
                stmt = stmt.where(col <= value if op == "<=" else col >= value)
                break
        else:
            if name in columns:
                stmt = stmt.where(_column(res.model, name, masked) == value)
    return res.rules.filter(stmt, filters)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def order_clauses(
    res: Resource[M], sort: str | None, masked: Mapping[str, ColumnElement[Any]] | None = None
) -> list[ColumnElement[Any]]:
    """``sort=-deadline,title`` -> ORDER BY deadline DESC, title ASC, id ASC."""
    keys = [k.strip() for k in sort.split(",") if k.strip()] if sort else list(res.default_sort)
    clauses: list[ColumnElement[Any]] = []
    for key in keys:
        name = key.lstrip("-+")
        if sort and name not in res.sortable:
            allowed = ", ".join(res.sortable)
            raise Unprocessable(
                f"Cannot sort by '{name}'; use one of: {allowed}",
                errors=[field_error(["query", "sort"], f"unknown sort field '{name}'")],
            )
        col = _column(res.model, name, masked)
        clauses.append(col.desc() if key.startswith("-") else col.asc())
    pk = _column(res.model, "id")
    if not any(name.lstrip("-+") == "id" for name in keys):
        clauses.append(pk.asc())
    return clauses


def list_rows(
    session: Session,
    principal: Principal,
    res: Resource[M],
    page: PageParams,
    filters: BaseModel | None = None,
    sort: str | None = None,
) -> tuple[Sequence[M], int]:
    stmt = res.policy.visible(session, principal, select(res.model))
    masked = res.policy.masked(session, principal)
    stmt = apply_filters(res, stmt, filters, masked).order_by(*order_clauses(res, sort, masked))
    return paginate(session, stmt, page)


def list_records(
    session: Session,
    principal: Principal,
    res: Resource[M],
    columns: Sequence[str],
    page: PageParams,
    filters: BaseModel | None = None,
    sort: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """:func:`list_rows` for read-only lists: the same visibility, filters and order, but the
    page comes back as plain ``column -> value`` dicts of ``columns`` (no ORM objects, no
    identity map), ready to validate into a ``*Read`` schema.

    When neither the policy nor the filters narrow the resource's select (an administrator's
    unfiltered list, a list every reader sees whole), the page's statement depends on ``sort``,
    ``limit`` and ``offset`` alone and is built once (:func:`_whole_page`)."""
    key = tuple(columns)
    deep = _deep(res, key, page.offset)
    base = _record_select(res, key, deep)
    narrowed = res.policy.visible(session, principal, base)
    masked = res.policy.masked(session, principal)
    stmt = apply_filters(res, narrowed, filters, masked)
    if stmt is base and not masked:
        ordered, paged = _whole_page(res, key, sort, page.limit, page.offset)
        if COMPILE_WHOLE_PAGES:
            compiled = compiled_page(paged, session.get_bind().dialect)
            if compiled is not None:
                return read_compiled_page(session, ordered, compiled, page.offset)
    else:
        order = order_clauses(res, sort, masked)
        ordered, paged = _page(res, key, stmt, order, page.limit, page.offset)
    return read_page(session, ordered, paged, page.offset)


COMPILE_WHOLE_PAGES = True  # whole pages sent to the driver as compiled once (bench/ab_list.py)


def _deep(res: Resource[Any], columns: tuple[str, ...], offset: int) -> bool:
    """Past an offset, the lookups are selected around the page (:func:`_look_up_the_page`)."""
    return offset > 0 and any(name in res.lookups for name in columns)


@lru_cache(maxsize=256)
def _record_select(res: Resource[Any], columns: tuple[str, ...], deep: bool) -> Select[Any]:
    """``SELECT columns FROM res`` (a lookup by its expression; none when ``deep``), built
    once."""
    table = res.model.__table__
    return select(
        *(
            res.lookups[name].label(name) if name in res.lookups else table.c[name]
            for name in columns
            if not (deep and name in res.lookups)
        )
    )


@lru_cache(maxsize=256)  # bounded: sort and offset come from the query string
def _whole_page(
    res: Resource[Any], columns: tuple[str, ...], sort: str | None, limit: int, offset: int
) -> tuple[Select[Any], Select[Any]]:
    """The resource's select ordered by ``sort``, and the statement of that page (statements
    are immutable: they are shared between requests and threads)."""
    base = _record_select(res, columns, _deep(res, columns, offset))
    return _page(res, columns, base, order_clauses(res, sort), limit, offset)


def _page(
    res: Resource[Any],
    columns: tuple[str, ...],
    stmt: Select[Any],
    order: Sequence[ColumnElement[Any]],
    limit: int,
    offset: int,
) -> tuple[Select[Any], Select[Any]]:
    """``stmt`` ordered, and the statement of its page with the total (the lookups around it
    past an offset)."""
    ordered = stmt.order_by(*order)
    paged = page_statement(ordered, limit, offset)
    if _deep(res, columns, offset):
        paged = _look_up_the_page(res, columns, paged, order)
    return ordered, paged


def _look_up_the_page(
    res: Resource[Any],
    columns: tuple[str, ...],
    paged: Select[Any],
    order: Sequence[ColumnElement[Any]],
) -> Select[Any]:
    """Past an offset, the lookups are selected around the page: in the page's own select list
    PostgreSQL would compute them for every row the offset skips (90,000 subqueries at offset
    90,000). The total stays the last column."""
    inner = paged.subquery()
    adapt = ClauseAdapter(inner).traverse
    outer = [adapt(res.lookups[name]).label(name) if name in res.lookups else inner.c[name]
             for name in columns]  # fmt: skip
    return select(*outer, list(inner.c)[-1]).order_by(*(adapt(c) for c in order))


def lookup_values(
    session: Session, res: Resource[M], rows: Sequence[SQLModel]
) -> dict[int, dict[str, Any]]:
    """The values of ``res.lookups`` for each of ``rows`` (one query), by row id."""
    ids = sorted({row.id for row in rows})  # type: ignore[attr-defined]
    if not res.lookups or not ids:
        return {row_id: {} for row_id in ids}
    pk = _column(res.model, "id")
    names = list(res.lookups)
    stmt = select(pk, *(res.lookups[name].label(name) for name in names)).where(pk.in_(ids))
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in session.execute(stmt)}


def get_row(session: Session, principal: Principal, res: Resource[M], row_id: int) -> M:
    stmt = res.policy.visible(session, principal, _select_by_id(res.model))
    row = session.scalar(stmt, {"row_id": row_id})
    if row is None:
        raise not_found(res.name, row_id)
    return row


@lru_cache(maxsize=64)
def _select_by_id(model: type[SQLModel]) -> Select[Any]:
    """``SELECT model WHERE id = :row_id``, built once per model (a write reads its row)."""
    return select(model).where(_column(model, "id") == bindparam("row_id"))


# -- writing -----------------------------------------------------------------------------------


MAX_ID = 2_147_483_647  # ids are positive 32-bit integers; larger ones overflow SQLite's binding


def check_references(session: Session, model: type[SQLModel], data: dict[str, Any]) -> None:
    """422 naming every ``*_id`` field that points at a missing row."""
    errors = []
    for fk in model.__table__.foreign_keys:  # type: ignore[attr-defined]
        name = fk.parent.name
        value = data.get(name)
        if value is None:
            continue
        target = fk.column
        out_of_range = isinstance(value, int) and not 1 <= value <= MAX_ID
        if out_of_range or not session.scalar(select(exists().where(target == value))):
            errors.append(field_error(name, f"no {target.table.name} with id {value}"))
    if errors:
        raise Unprocessable(
            f"{errors[0]['loc'][-1]}: {errors[0]['msg']}", errors=errors, slug="missing-reference"
        )


def column_values(row: SQLModel) -> dict[str, Any]:
    """A row's column values as Python objects (``audit.snapshot`` is their JSON)."""
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}  # type: ignore[attr-defined]


def check_version(row: SQLModel, expected: int | None) -> None:
    if expected is not None and expected != row.version:  # type: ignore[attr-defined]
        raise PreconditionFailed(
            f"The record is at version {row.version}, not {expected}; reload it and try again",  # type: ignore[attr-defined]
            current_version=row.version,  # type: ignore[attr-defined]
        )


def flush(session: Session, res: Resource[M], what: str) -> None:
    """Flush, with a clash turned into an error that names the resource
    (:func:`integrity_errors`).

    No savepoint: the error ends the request, whose transaction is then rolled back whole.
    (``begin_nested`` flushes what is pending before its SAVEPOINT, so it never covered this
    flush anyway; it only cost a nested transaction per write.)"""
    with integrity_errors(res, what):
        session.flush()


@contextmanager
def integrity_errors(res: Resource[Any], what: str) -> Iterator[None]:
    """Turn a unique clash into a 409 that names the resource, a missing reference into a
    422, and a delete of a row still referenced into a 409."""
    try:
        yield
    except IntegrityError as exc:
        message = str(exc.orig).lower()
        if "foreign key" in message:
            if what == "delete":
                raise Conflict(
                    f"This {res.name} is still referenced by other records", slug="in-use"
                ) from exc
            raise Unprocessable("A referenced record does not exist") from exc
        raise Conflict(f"A {res.name} with these values already exists", slug="duplicate") from exc


def create_row(session: Session, principal: Principal, res: Resource[M], body: SQLModel) -> M:
    data = body.model_dump()
    res.policy.authorize_create(session, principal, data)
    check_references(session, res.model, data)
    row = res.model(**data)
    res.rules.before_create(session, principal, row)
    session.add(row)
    flush(session, res, "create")
    audit.record(session, principal, "create", res.name, row.id, after=audit.snapshot(row))  # type: ignore[attr-defined]
    res.rules.after_write(session, principal, row, "create")
    return row


def check_not_null(model: type[SQLModel], changes: dict[str, Any]) -> None:
    """A 422 naming each field a PATCH would set to null where a value is required (the
    database would refuse it with an error that says nothing about the field)."""
    columns = model.__table__.c  # type: ignore[attr-defined]
    errors = [
        field_error(name, "may not be null")
        for name, value in changes.items()
        if value is None and name in columns and not columns[name].nullable
    ]
    if errors:
        raise Unprocessable("Some fields may not be null", errors=errors)


def update_row(
    session: Session,
    principal: Principal,
    res: Resource[M],
    row_id: int,
    body: SQLModel,
    expected_version: int | None,
) -> M:
    row = get_row(session, principal, res, row_id)
    check_version(row, expected_version)
    changes = body.model_dump(exclude_unset=True)
    res.policy.authorize_update(session, principal, row, changes)
    check_not_null(res.model, changes)
    check_references(session, res.model, changes)
    previous = column_values(row)
    before = audit.snapshot(row)
    for key, value in changes.items():
        setattr(row, key, value)
    res.rules.before_update(session, principal, row, changes, previous)
    if not session.is_modified(row):
        return row
    flush(session, res, "update")
    audit.record(
        session, principal, "update", res.name, row_id, before=before, after=audit.snapshot(row)
    )
    res.rules.after_write(session, principal, row, "update")
    return row


def delete_row(
    session: Session,
    principal: Principal,
    res: Resource[M],
    row_id: int,
    expected_version: int | None,
) -> None:
    row = get_row(session, principal, res, row_id)
    check_version(row, expected_version)
    res.policy.authorize_delete(session, principal, row)
    res.rules.before_delete(session, principal, row)
    before = audit.snapshot(row)
    session.delete(row)
    flush(session, res, "delete")
    if res.tombstones:
        session.add(Tombstone(resource=res.name, resource_id=row_id, natural_key=before))
    audit.record(session, principal, "delete", res.name, row_id, before=before)
    res.rules.after_write(session, principal, row, "delete")
