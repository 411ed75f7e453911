"""The meetings timetable with agenda items: one row per agenda item, or per meeting without."""

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

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
    check_partnership,
    chunks,
    insert_rows,
    pairs,
    update_rows,
)
from api.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus
from api.partnerships.models import Partnership

MEETING_COLUMNS = ("title", "kind", "ends_at", "location", "status", "public")
AGENDA_COLUMNS = ("agenda_title", "presenter", "agenda_outcome")
AGENDA_FIELDS = {"agenda_title": "title", "presenter": "presenter", "agenda_outcome": "outcome"}


class MeetingKindImport(Kind):
    name = "meetings"
    title = "Meetings timetable and agenda items"
    key = ("partnership", "starts_at", "agenda_position")
    has_partnership = True
    columns = (
        Column("partnership", "slug", c.text(80), key=True, required=True),
        Column(
            "starts_at",
            "datetime",
            c.aware_datetime,
            key=True,
            required=True,
            format=c.format_datetime,
            help="ISO 8601; without an offset it is Europe/London time",
        ),
        Column("title", "text", c.text(200), required=True, text=True),
        Column(
            "kind",
            "choice",
            c.choice(MeetingKind),
            default=MeetingKind.ordinary.value,
            help=c.enum_help(MeetingKind) + "; default `ordinary`",
        ),
        Column("ends_at", "datetime", c.aware_datetime, format=c.format_datetime),
        Column("location", "text", c.text(300), text=True),
        Column(
            "status",
            "choice",
            c.choice(MeetingStatus),
            default=MeetingStatus.scheduled.value,
            help=c.enum_help(MeetingStatus) + "; default `scheduled`",
        ),
        Column("public", "boolean", c.boolean, default=True, help="Default true"),
        Column(
            "agenda_position",
            "integer",
            c.integer,
            key=True,
            help="Agenda item number; blank for a meeting-only row",
        ),
        Column("agenda_title", "text", c.text(300), text=True, help="Required with a position"),
        Column("presenter", "text", c.text(200), text=True),
        Column("agenda_outcome", "text", c.long_text, text=True),
    )

    def resolve(self, ctx: Context, rows: list[Row]) -> None:
        partnerships = pairs(ctx.session, col(Partnership.slug), col(Partnership.id))
        first_seen: dict[Key, Row] = {}
        for row in rows:
            row.refs["partnership"] = check_partnership(ctx, row, "partnership", partnerships)
            has_item = row.values.get("agenda_position") is not None
            if has_item and row.values.get("agenda_title") is None:
                ctx.errors.add(row.number, "agenda_title", None, "required with agenda_position")
            if not has_item and any(row.values.get(n) is not None for n in AGENDA_COLUMNS):
                ctx.errors.add(row.number, "agenda_position", None, "required for agenda columns")
            meeting_key = (row.values.get("partnership"), row.values.get("starts_at"))
            first = first_seen.setdefault(meeting_key, row)
            for name in MEETING_COLUMNS:
                if name in row.values and first.values.get(name) != row.values.get(name):
                    ctx.errors.add(
                        row.number,
                        name,
                        row.cell(name),
                        f"differs from row {first.number} for the same meeting",
                    )

    def _current(
        self, session: Session, partnership_ids: list[int] | None
    ) -> Iterator[tuple[int, int | None, Values]]:
        """(meeting id, agenda item id, column dict) ordered by partnership, time, position."""
        slugs = pairs(session, col(Partnership.id), col(Partnership.slug))
        stmt = select(Meeting).order_by(
            col(Meeting.partnership_id), col(Meeting.starts_at), col(Meeting.id)
        )
        parts = chunks(partnership_ids, 500) if partnership_ids is not None else [None]
        for part in parts:
            query = stmt if part is None else stmt.where(col(Meeting.partnership_id).in_(part))
            meetings = list(session.scalars(query))
            items: dict[int, list[AgendaItem]] = {}
            for ids in chunks([m.id for m in meetings], 1_000):
                for item in session.scalars(
                    select(AgendaItem)
                    .where(col(AgendaItem.meeting_id).in_(ids))
                    .order_by(col(AgendaItem.position), col(AgendaItem.id))
                ):
                    items.setdefault(item.meeting_id, []).append(item)
            for m in meetings:
                assert m.id is not None
                base: Values = {
                    "partnership": slugs[m.partnership_id],
                    "starts_at": m.starts_at,
                    "title": m.title,
                    "kind": str(m.kind),
                    "ends_at": m.ends_at,
                    "location": m.location,
                    "status": str(m.status),
                    "public": m.public,
                }
                agenda = items.get(m.id, [])
                if not agenda:
                    yield m.id, None, {**base, "agenda_position": None}
                for item in agenda:
                    yield (
                        m.id,
                        item.id,
                        {
                            **base,
                            "agenda_position": item.position,
                            "agenda_title": item.title,
                            "presenter": item.presenter,
                            "agenda_outcome": item.outcome,
                        },
                    )

    def load(self, ctx: Context, rows: list[Row]) -> Iterable[tuple[Key, Existing]]:
        pids = sorted({r.refs["partnership"] for r in rows if r.refs.get("partnership")})
        found: dict[Key, Existing] = {}
        meetings: dict[Key, tuple[int, Values]] = {}
        for meeting_id, item_id, values in self._current(ctx.session, pids):
            meeting_key = (values["partnership"], values["starts_at"])
            meetings.setdefault(meeting_key, (meeting_id, values))
            ids = {"meeting": meeting_id} | ({"agenda_item": item_id} if item_id else {})
            found.setdefault(
                (*meeting_key, values["agenda_position"]), Existing(ids=ids, values=values)
            )
            # A meeting-only row matches a meeting that has agenda items too.
            found.setdefault(
                (*meeting_key, None),
                Existing(
                    ids={"meeting": meeting_id},
                    values={k: v for k, v in values.items() if k not in AGENDA_FIELDS},
                ),
            )
        ctx.state["meetings"] = meetings
        return found.items()

    def apply(self, ctx: Context, creates: list[Row], updates: list[Update]) -> None:
        meetings: dict[Key, tuple[int, Values]] = ctx.state.pop("meetings", {})
        first_rows: dict[Key, Row] = {}
        for row in sorted([*creates, *(u.row for u in updates)], key=lambda r: r.number):
            first_rows.setdefault((row.values["partnership"], row.values["starts_at"]), row)
        new_meetings, changed_meetings = [], []
        new_keys: list[Key] = []
        for key, row in first_rows.items():
            fields = _meeting_fields(row)
            if key not in meetings:
                new_keys.append(key)
                new_meetings.append(
                    {
                        "partnership_id": row.refs["partnership"],
                        "starts_at": row.values["starts_at"],
                        "kind": MeetingKind.ordinary.value,
                        "status": MeetingStatus.scheduled.value,
                        "public": True,
                        **{k: v for k, v in fields.items() if v is not None},
                    }
                )
                continue
            meeting_id, current = meetings[key]
            changed = {k: v for k, v in fields.items() if current.get(k) != row.values.get(k)}
            if changed:
                changed_meetings.append({"id": meeting_id, **changed})
        ids = insert_rows(ctx, Meeting, new_meetings, label="meetings")
        meeting_ids = {k: v[0] for k, v in meetings.items()}
        meeting_ids.update(zip(new_keys, ids, strict=True))
        update_rows(ctx, Meeting, changed_meetings)

        new_items = [
            {
                "meeting_id": meeting_ids[(r.values["partnership"], r.values["starts_at"])],
                "position": r.values["agenda_position"],
                **{AGENDA_FIELDS[n]: r.values.get(n) for n in AGENDA_COLUMNS},
            }
            for r in creates
            if r.values.get("agenda_position") is not None
        ]
        insert_rows(ctx, AgendaItem, new_items, label="agenda items")
        changed_items = []
        for u in updates:
            fields = {AGENDA_FIELDS[n]: u.row.values[n] for n in u.changed if n in AGENDA_FIELDS}
            if fields and "agenda_item" in u.existing.ids:
                changed_items.append({"id": u.existing.ids["agenda_item"], **fields})
        update_rows(ctx, AgendaItem, changed_items)

    def export(self, session: Session, partnerships: set[int] | None) -> Iterator[Values]:
        ids = sorted(partnerships) if partnerships is not None else None
        for _, _, values in self._current(session, ids):
            yield values


def _meeting_fields(row: Row) -> dict[str, Any]:
    return {n: row.values[n] for n in MEETING_COLUMNS if n in row.values}
