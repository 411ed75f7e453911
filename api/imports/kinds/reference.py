"""Kinds that map one row to one record of one table: organisations, indicators, LAA targets,
measurements."""

from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from api.core.models import slugify
from api.imports import columns as c
from api.imports.columns import Column
from api.imports.kinds.base import (
    Context,
    Existing,
    Key,
    Kind,
    Row,
    Update,
    Values,
    insert_rows,
    pairs,
    table_of,
    update_rows,
)
from api.indicators.models import Indicator, LaaTarget, Measurement, Polarity, Unit
from api.organisations.models import Organisation, Sector


class FlatKind(Kind):
    """Columns are the table's fields, except ``indicator_code`` which names an indicator."""

    model: type[SQLModel]

    def field(self, column: str) -> str:
        return "indicator_id" if column == "indicator_code" else column

    def _indicator_codes(self, session: Session) -> dict[int, str]:
        return pairs(session, col(Indicator.id), col(Indicator.code))

    def resolve(self, ctx: Context, rows: list[Row]) -> None:
        if "indicator_code" not in ctx.columns_present:
            return
        codes = {code: i for i, code in self._indicator_codes(ctx.session).items()}
        for row in rows:
            code = row.values.get("indicator_code")
            if code is None:
                continue
            if code not in codes:
                ctx.errors.add(row.number, "indicator_code", code, "no indicator with this code")
            else:
                row.refs["indicator_id"] = codes[code]

    def _current(self, session: Session) -> Iterator[tuple[int, Values]]:
        table = table_of(self.model)
        codes = self._indicator_codes(session) if "indicator_id" in table.c else {}
        order = [table.c[self.field(k)] for k in self.key if self.field(k) in table.c]
        stmt = select(table).order_by(*order, table.c.id)
        for record in session.connection().execute(stmt).mappings():
            values = {}
            for column in self.columns:
                if column.name == "indicator_code":
                    values[column.name] = codes.get(record["indicator_id"])
                else:
                    values[column.name] = record[column.name]
            yield record["id"], values

    def load(self, ctx: Context, rows: list[Row]) -> Iterable[tuple[Key, Existing]]:
        found: dict[Key, Existing] = {}
        for record_id, values in self._current(ctx.session):
            key = tuple(values[k] for k in self.key)
            found.setdefault(key, Existing(ids={"id": record_id}, values=values))
        return found.items()

    def _fields(self, row: Row, names: Sequence[str]) -> Values:
        out: Values = {}
        for name in names:
            if name == "indicator_code":
                out["indicator_id"] = row.refs["indicator_id"]
            else:
                out[name] = row.values.get(name)
        return out

    def apply(self, ctx: Context, creates: list[Row], updates: list[Update]) -> None:
        insert_rows(ctx, self.model, [self._fields(r, list(r.values)) for r in creates])
        update_rows(
            ctx,
            self.model,
            [{"id": u.existing.ids["id"], **self._fields(u.row, list(u.changed))} for u in updates],
        )

    def export(self, session: Session, partnerships: set[int] | None) -> Iterator[Values]:
        for _, values in self._current(session):
            yield values


class OrganisationKind(FlatKind):
    name = "organisations"
    title = "Organisations"
    model = Organisation
    key = ("slug",)
    columns = (
        Column("slug", "text", c.text(80), key=True, help="Natural key; blank: made from the name"),
        Column("name", "text", c.text(200), required=True, text=True),
        Column("short_name", "text", c.text(50), text=True),
        Column("sector", "choice", c.choice(Sector), required=True, help=c.enum_help(Sector)),
        Column(
            "org_id",
            "text",
            c.text(64),
            help="org-id.guide identifier, e.g. `GB-CHC-123456`; when given it is the key",
        ),
        Column("website", "text", c.text(300), text=True),
    )

    def row_key(self, row: Row) -> Key:
        if row.refs.get("org_key"):
            return tuple(row.refs["org_key"])
        return ("slug", row.values.get("slug"))

    def resolve(self, ctx: Context, rows: list[Row]) -> None:
        by_org_id = {
            org_id: slug
            for org_id, slug in ctx.session.execute(
                select(col(Organisation.org_id), col(Organisation.slug))
            )
            if org_id
        }
        for row in rows:
            org_id = row.values.get("org_id")
            if org_id and org_id in by_org_id:
                row.refs["org_key"] = ("org_id", org_id)
                if row.values.get("slug") is None:
                    row.values.pop("slug", None)  # matched by org_id: keep its slug
                continue
            if row.values.get("slug") is None:
                row.values["slug"] = slugify(
                    row.values.get("short_name") or row.values.get("name") or ""
                )
            row.refs["org_key"] = ("slug", row.values["slug"])

    def load(self, ctx: Context, rows: list[Row]) -> Iterable[tuple[Key, Existing]]:
        found: dict[Key, Existing] = {}
        for record_id, values in self._current(ctx.session):
            existing = Existing(ids={"id": record_id}, values=values)
            found[("slug", values["slug"])] = existing
            if values["org_id"]:
                found[("org_id", values["org_id"])] = existing
        return found.items()


class IndicatorKind(FlatKind):
    name = "indicators"
    title = "Indicators"
    model = Indicator
    key = ("code",)
    columns = (
        Column("code", "text", c.text(30), key=True, required=True, help="e.g. `NI 186`"),
        Column("title", "text", c.text(300), required=True, text=True),
        Column("unit", "choice", c.choice(Unit), required=True, help=c.enum_help(Unit)),
        Column("polarity", "choice", c.choice(Polarity), required=True, help=c.enum_help(Polarity)),
        Column("source", "text", c.text(300), text=True),
        Column(
            "national",
            "boolean",
            c.boolean,
            default=False,
            help="true for the National Indicator Set; default false",
        ),
        Column("description", "text", c.long_text, text=True),
    )


class LaaTargetKind(FlatKind):
    name = "laa-targets"
    title = "LAA targets"
    model = LaaTarget
    key = ("indicator_code", "area", "period")
    columns = (
        Column("indicator_code", "text", c.text(30), key=True, required=True),
        Column("area", "text", c.text(9), key=True, required=True, help="ONS area code"),
        Column("period", "text", c.text(10), key=True, required=True, help="e.g. `2008-09`"),
        Column("baseline", "number", c.number, required=True, format=c.format_number),
        Column("target", "number", c.number, required=True, format=c.format_number),
        Column("stretch", "number", c.number, format=c.format_number),
    )


class MeasurementKind(FlatKind):
    name = "measurements"
    title = "Measurements"
    model = Measurement
    key = ("indicator_code", "area", "period", "reported_on")
    columns = (
        Column("indicator_code", "text", c.text(30), key=True, required=True),
        Column("area", "text", c.text(9), key=True, required=True, help="ONS area code"),
        Column("period", "text", c.text(10), key=True, required=True),
        Column("reported_on", "date", c.iso_date, key=True, required=True, format=c.format_date),
        Column("value", "number", c.number, required=True, format=c.format_number),
        Column("source", "text", c.text(300), text=True),
        Column("note", "text", c.long_text, text=True),
        Column("reported_by", "text", c.text(200), text=True),
    )
