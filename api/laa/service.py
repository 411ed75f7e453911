"""The Local Area Agreement export: one row per LAA target (indicator x area x period).

The rows come from one streaming query (server-side cursor on PostgreSQL) plus two small
look-ups made before it (indicator codes and outcome links), so memory stays flat however many
rows there are. The latest value of a target is its latest measurement (by ``reported_on``,
then id) for the same indicator and area whose period is the target's period or, for a
financial-year target, one of its quarters.
"""

import csv
import hashlib
import io
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    true,
    tuple_,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from api.core import clock
from api.core.audit import Tombstone
from api.core.cells import FORMULA_START
from api.core.db import session_scope
from api.core.principal import Principal
from api.core.settings import get_settings
from api.indicators.models import Indicator, LaaTarget, Measurement, Polarity
from api.indicators.policy import authorize_laa_read
from api.laa.rag import rag_for
from api.partnerships.models import Partnership
from api.plans.models import Outcome, OutcomeIndicator

COLUMNS: tuple[str, ...] = (
    "code",
    "title",
    "area",
    "period",
    "baseline",
    "target",
    "latest_value",
    "reported_on",
    "rag",
    "outcome_codes",
    "lead_partnership",
    "stretch",
    "updated_at",
)
TEXT_COLUMNS = frozenset({"code", "title", "area", "period", "outcome_codes", "lead_partnership"})
BATCH_ROWS = 1000


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


MEDIA_TYPES = {
    ExportFormat.csv: "text/csv; charset=utf-8",
    ExportFormat.json: "application/x-ndjson",
    ExportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportFilters:
    area: str | None = None
    period: str | None = None
    indicator: str | None = None  # indicator code, e.g. "NI 186"
    updated_since: datetime | None = None
    partnership_id: int | None = None  # lead partnership of an outcome the indicator serves


@dataclass(frozen=True)
class ExportPlan:
    """What the router needs before streaming: the validator and when the snapshot began."""

    etag: str
    started_at: datetime


t = LaaTarget.__table__  # type: ignore[attr-defined]
m = Measurement.__table__  # type: ignore[attr-defined]
i = Indicator.__table__  # type: ignore[attr-defined]
tomb = Tombstone.__table__  # type: ignore[attr-defined]
EXPORTED_RESOURCES = ("laa_target", "measurement")


# -- planning: authorisation and the ETag ------------------------------------------------------


def plan_export(
    session: Session, principal: Principal, filters: ExportFilters, fmt: ExportFormat
) -> ExportPlan:
    """Check access and compute a cheap validator for the filtered set.

    The ETag hashes counts and latest change times of the targets, measurements, tombstones,
    indicators, outcome links, outcomes and partnerships behind the export (one statement),
    with the area/period/indicator filters, the format and the RAG tolerance. It leaves out
    ``updated_since`` on purpose: it names the state of the data set, so a nightly delta with
    a new ``updated_since`` still gets ``304`` when nothing changed.
    """
    authorize_laa_read(principal)
    started_at = clock.now()
    target_where = _target_conditions(filters)
    measurement_where: list[ColumnElement[bool]] = []
    if filters.area:
        measurement_where.append(m.c.area == filters.area)
    if filters.indicator:
        measurement_where.append(
            m.c.indicator_id.in_(select(i.c.id).where(i.c.code == filters.indicator))
        )

    def aggregate(table: Any, changed: Any, where: Sequence[ColumnElement[bool]] = ()) -> Any:
        stmt = select(func.count(), func.max(changed)).select_from(table)
        return stmt.where(*where)

    parts = [
        aggregate(t.join(i, i.c.id == t.c.indicator_id), t.c.updated_at, target_where),
        aggregate(m, m.c.updated_at, measurement_where),
        aggregate(tomb, tomb.c.deleted_at, [tomb.c.resource.in_(EXPORTED_RESOURCES)]),
        aggregate(i, i.c.updated_at),
        aggregate(OutcomeIndicator.__table__, literal(0)),  # type: ignore[attr-defined]
        aggregate(Outcome.__table__, Outcome.__table__.c.updated_at),  # type: ignore[attr-defined]
        aggregate(Partnership.__table__, Partnership.__table__.c.updated_at),  # type: ignore[attr-defined]
    ]
    columns = []
    for part in parts:
        sub = part.subquery()
        columns += [select(c).select_from(sub).scalar_subquery() for c in sub.c]
    state = session.execute(select(*columns)).one()
    key = json.dumps(
        [
            [str(v) for v in state],
            filters.area,
            filters.period,
            filters.indicator,
            fmt.value,
            get_settings().laa_rag_tolerance,
            filters.partnership_id,
        ]
    )
    return ExportPlan(
        etag=f'W/"{hashlib.sha256(key.encode()).hexdigest()[:32]}"', started_at=started_at
    )


# -- the rows ----------------------------------------------------------------------------------


def _target_conditions(filters: ExportFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.area:
        conditions.append(t.c.area == filters.area)
    if filters.period:
        conditions.append(t.c.period == filters.period)
    if filters.indicator:
        conditions.append(i.c.code == filters.indicator)
    if filters.partnership_id is not None:
        conditions.append(t.c.indicator_id.in_(_led_indicators(filters.partnership_id)))
    return conditions


def _led_indicators(partnership_id: int) -> Select[Any]:
    """Ids of the indicators linked to outcomes that ``partnership_id`` leads."""
    o, oi = Outcome.__table__, OutcomeIndicator.__table__  # type: ignore[attr-defined]
    return (
        select(oi.c.indicator_id)
        .join(o, o.c.id == oi.c.outcome_id)
        .where(o.c.lead_partnership_id == partnership_id)
    )


def _deleted_measurement_keys(session: Session, since: datetime) -> list[tuple[int, str, str]]:
    """Targets whose latest value may have changed because a measurement was deleted."""
    keys: set[tuple[int, str, str]] = set()
    rows = session.scalars(
        select(tomb.c.natural_key).where(
            tomb.c.resource == "measurement", tomb.c.deleted_at > since
        )
    )
    for natural_key in rows:
        if not natural_key:
            continue
        indicator_id, area, period = (
            natural_key.get("indicator_id"),
            natural_key.get("area"),
            natural_key.get("period"),
        )
        if indicator_id is None or not area or not period:
            continue
        keys.add((int(indicator_id), str(area), str(period)))
        keys.add((int(indicator_id), str(area), str(period)[:7]))
    return sorted(keys)


def _matching(alias: Any) -> ColumnElement[bool]:
    """Measurements of a target: same indicator and area, and the target's period or (for a
    financial-year target) one of its quarters. Walks ix_measurement_indicator_area_period."""
    return and_(
        alias.c.indicator_id == t.c.indicator_id,
        alias.c.area == t.c.area,
        func.substr(alias.c.period, 1, func.length(t.c.period)) == t.c.period,
    )


def export_statement(
    filters: ExportFilters,
    deleted_keys: Sequence[tuple[int, str, str]] = (),
    dialect: str = "postgresql",
) -> Select[Any]:
    """The single query behind the export, in the order of the unique index
    ``(indicator_id, area, period)``.

    Each target looks up its latest measurement by index (a LATERAL subquery on PostgreSQL,
    correlated subqueries on SQLite), so the plan is a nested loop over an index scan: no sort,
    no hash of the whole set, the first row is out at once and memory stays flat, whatever
    the row estimates say.
    """
    source, values, values_changed_at = _latest_values(dialect)
    changed_at = _changed_at_text(dialect, values_changed_at)
    stmt = (
        select(
            i.c.code,
            i.c.title,
            i.c.polarity,
            t.c.indicator_id,
            t.c.area,
            t.c.period,
            t.c.baseline,
            t.c.target,
            t.c.stretch,
            *values,
            type_coerce(changed_at, String()).label("changed_at"),
        )
        .select_from(source)
        .where(*_target_conditions(filters))
        .order_by(t.c.indicator_id, t.c.area, t.c.period)
    )
    since = filters.updated_since
    if since is not None:
        changed_m = m.alias("changed")
        changed: list[ColumnElement[bool]] = [
            t.c.updated_at > since,
            i.c.updated_at > since,
            exists().where(_matching(changed_m), changed_m.c.updated_at > since),
        ]
        if deleted_keys:
            changed.append(tuple_(t.c.indicator_id, t.c.area, t.c.period).in_(deleted_keys))
        stmt = stmt.where(or_(*changed))
    return stmt


def _latest_values(dialect: str) -> tuple[Any, list[Any], Any]:
    """Targets joined to their indicator and to each target's latest measurement: the joined
    source, the value columns, and the time any of the target's measurements last changed."""
    recent = m.alias("recent")
    if dialect == "postgresql":
        latest: Any = (
            select(
                recent.c.value,
                recent.c.period.label("value_period"),
                recent.c.reported_on,
                func.max(recent.c.updated_at).over().label("values_changed_at"),
            )
            .where(_matching(recent))
            .order_by(recent.c.reported_on.desc(), recent.c.id.desc())
            .limit(1)
            .lateral("latest")
        )
        source = t.join(i, i.c.id == t.c.indicator_id).outerjoin(latest, true())
        values = [latest.c.value, latest.c.value_period, cast(latest.c.reported_on, String())]
        return source, values, latest.c.values_changed_at
    # Ordered by ``+reported_on``: SQLite's planner, without statistics, would take
    # ix_measurement_indicator_reported for the order and walk every measurement of the
    # indicator for each target (100,000 targets took a minute); the unary plus keeps that
    # index out, and the target's few measurements are found by its area's index.
    latest_id = (
        select(recent.c.id)
        .where(_matching(recent))
        .order_by(UnaryExpression(recent.c.reported_on, operator=custom_op("+")).desc())
        .order_by(recent.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    every = m.alias("every")
    values_changed_at = (
        select(func.max(every.c.updated_at)).where(_matching(every)).scalar_subquery()
    )
    latest = m.alias("latest")
    source = t.join(i, i.c.id == t.c.indicator_id).outerjoin(latest, latest.c.id == latest_id)
    values = [
        latest.c.value,
        latest.c.period.label("value_period"),
        cast(latest.c.reported_on, String()),
    ]
    return source, values, values_changed_at


def _changed_at_text(dialect: str, values_changed_at: Any) -> Any:
    """The row's last change as ISO 8601 text, formatted by the database."""
    if dialect == "postgresql":
        return func.to_char(
            func.timezone("UTC", func.greatest(t.c.updated_at, i.c.updated_at, values_changed_at)),
            'YYYY-MM-DD"T"HH24:MI:SS.US"Z"',
        )
    # Stored as "YYYY-MM-DD HH:MM:SS.ffffff" UTC; max() of the texts is the latest.
    latest_text = func.max(t.c.updated_at, i.c.updated_at, func.coalesce(values_changed_at, ""))
    return func.replace(type_coerce(latest_text, String()), " ", "T") + "Z"


def _links(session: Session) -> dict[int, tuple[str, str]]:
    """indicator id -> (outcome codes, lead partnership names), both sorted and joined."""
    o, oi, p = Outcome.__table__, OutcomeIndicator.__table__, Partnership.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        select(oi.c.indicator_id, o.c.code, p.c.name).select_from(
            oi.join(o, o.c.id == oi.c.outcome_id).outerjoin(p, p.c.id == o.c.lead_partnership_id)
        )
    )
    codes: dict[int, set[str]] = {}
    leads: dict[int, set[str]] = {}
    for indicator_id, code, lead in rows:
        codes.setdefault(indicator_id, set()).add(code)
        if lead:
            leads.setdefault(indicator_id, set()).add(lead)
    return {
        key: (" ".join(sorted(codes[key], key=_code_order)), "; ".join(sorted(leads.get(key, ()))))
        for key in codes
    }


def _code_order(code: str) -> tuple[Any, ...]:
    """``1.2`` before ``1.10``."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))


def _tombstones(
    session: Session, filters: ExportFilters, codes: dict[int, str]
) -> list[dict[str, Any]]:
    since = filters.updated_since
    if since is None:
        return []
    led = (
        None
        if filters.partnership_id is None
        else set(session.scalars(_led_indicators(filters.partnership_id)))
    )
    rows = session.execute(
        select(tomb.c.natural_key, tomb.c.deleted_at)
        .where(tomb.c.resource == "laa_target", tomb.c.deleted_at > since)
        .order_by(tomb.c.deleted_at, tomb.c.id)
    )
    deleted = []
    for natural_key, deleted_at in rows:
        key = natural_key or {}
        indicator_id = int(key.get("indicator_id", 0))
        code = codes.get(indicator_id)
        if code is None or (led is not None and indicator_id not in led):
            continue
        row = {"deleted": True, "code": code, "area": key.get("area"), "period": key.get("period")}
        if (
            (filters.area and row["area"] != filters.area)
            or (filters.period and row["period"] != filters.period)
            or (filters.indicator and code != filters.indicator)
        ):
            continue
        deleted.append({**row, "deleted_at": deleted_at.isoformat()})
    return deleted


Row = tuple[Any, ...]  # the values of COLUMNS, in order, unescaped


def _rows(
    records: Iterable[Any], links: dict[int, tuple[str, str]], tolerance: float
) -> Iterator[Row]:
    """Database records -> export rows (the hot loop: keep it lean)."""
    higher = Polarity.higher_is_better.value
    for (
        code,
        title,
        polarity,
        indicator_id,
        area,
        period,
        baseline,
        target,
        stretch,
        value,
        value_period,
        reported_on,
        changed_at,
    ) in records:
        outcome_codes, leads = links.get(indicator_id, ("", ""))
        status = rag_for(
            polarity == higher, baseline, target, period, value, value_period, tolerance
        )
        yield (
            code,
            title,
            area,
            period,
            baseline,
            target,
            value,
            reported_on,
            status.value,
            outcome_codes,
            leads,
            stretch,
            changed_at,
        )


def _batches(filters: ExportFilters) -> Iterator[list[Row | dict[str, Any]]]:
    """Tombstones (dicts) then rows (tuples), from a session of its own, batch by batch."""
    tolerance = get_settings().laa_rag_tolerance
    with session_scope(write=False) as session:
        links = _links(session)
        codes: dict[int, str] = {
            row[0]: row[1] for row in session.execute(select(i.c.id, i.c.code))
        }
        deleted: list[Row | dict[str, Any]] = list(_tombstones(session, filters, codes))
        if deleted:
            yield deleted
        deleted_keys = (
            _deleted_measurement_keys(session, filters.updated_since)
            if filters.updated_since
            else []
        )
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            # The plan is cheap per row but its total cost can trip JIT compilation, which
            # costs more than the whole query saves.
            session.execute(text("SET LOCAL jit = off"))
        result = session.execute(
            export_statement(filters, deleted_keys, dialect).execution_options(yield_per=BATCH_ROWS)
        )
        for partition in result.partitions():
            yield list(_rows(partition, links, tolerance))


def iter_rows(filters: ExportFilters) -> Iterator[Row | dict[str, Any]]:
    """Tombstones (dicts) then rows (tuples), one at a time."""
    for batch in _batches(filters):
        yield from batch


# -- encodings ---------------------------------------------------------------------------------

DANGEROUS = frozenset(FORMULA_START)
TEXT_INDEXES = tuple(n for n, name in enumerate(COLUMNS) if name in TEXT_COLUMNS)


assert TEXT_INDEXES == (0, 1, 2, 3, 9, 10), "update _csv_row with COLUMNS"


def _csv_row(row: Row) -> Row | list[Any]:
    """Escape the text cells that could run as formulas (numbers are written as they are)."""
    d = DANGEROUS
    if (
        row[0][:1] in d
        or row[1][:1] in d
        or row[2][:1] in d
        or row[3][:1] in d
        or row[9][:1] in d
        or row[10][:1] in d
    ):
        cells = list(row)
        for n in TEXT_INDEXES:
            if cells[n][:1] in d:
                cells[n] = "'" + cells[n]
        return cells
    return row


def iter_csv(rows: Iterable[Row | dict[str, Any]]) -> Iterator[bytes]:
    """CSV with a header row; deletions are not representable here (use JSON Lines)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    pending, flush_at = 0, 1  # the first row goes out at once, then batches
    for row in rows:
        if isinstance(row, dict):
            continue
        writer.writerow(_csv_row(row))
        pending += 1
        if pending >= flush_at:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            pending, flush_at = 0, BATCH_ROWS
    yield buffer.getvalue().encode()


def iter_jsonl(rows: Iterable[Row | dict[str, Any]]) -> Iterator[bytes]:
    """One JSON object a line: rows carry ``"deleted": false``, tombstones ``true``."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    chunk: list[str] = []
    flush_at = 1  # the first line goes out at once, then batches
    for row in rows:
        document = (
            row if isinstance(row, dict) else dict(zip(COLUMNS, row, strict=True), deleted=False)
        )
        chunk.append(encode(document))
        if len(chunk) >= flush_at:
            yield ("\n".join(chunk) + "\n").encode()
            chunk, flush_at = [], BATCH_ROWS
    if chunk:
        yield ("\n".join(chunk) + "\n").encode()


def iter_xlsx(rows: Iterable[Row | dict[str, Any]]) -> Iterator[bytes]:
    """A workbook built in openpyxl's write-only mode (rows go to disk, not memory)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("LAA")
    sheet.append(list(COLUMNS))
    for row in rows:
        if isinstance(row, dict):
            continue
        sheet.append(_csv_row(row))
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(64 * 1024):
            yield chunk


ENCODERS = {ExportFormat.csv: iter_csv, ExportFormat.json: iter_jsonl, ExportFormat.xlsx: iter_xlsx}


def stream_export(filters: ExportFilters, fmt: ExportFormat) -> Iterator[bytes]:
    """The response body: encodes :func:`iter_rows` lazily."""
    return ENCODERS[fmt](iter_rows(filters))
