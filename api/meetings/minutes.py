"""Minutes written per agenda item, with the decisions taken on each; drafts are versioned
(If-Match) and frozen once a later meeting approves them."""

from collections import defaultdict

from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import audit
from api.core.errors import NotFound, PreconditionFailed
from api.core.principal import Principal
from api.crud import service as crud
from api.crud.service import check_version
from api.meetings.decisions import reads as decision_reads
from api.meetings.models import AgendaItem, Decision, Minute
from api.meetings.schemas import (
    DecisionRead,
    MinuteRead,
    MinutesItem,
    MinutesRead,
    MinuteWrite,
)
from api.meetings.service import check_write_minutes, meetings


def _read(row: Minute) -> MinuteRead:
    return MinuteRead.model_validate(crud.column_values(row))


def get_minutes(session: Session, principal: Principal, meeting_id: int) -> MinutesRead:
    """The agenda in order, each item with its minute and decisions (four queries)."""
    meeting = crud.get_row(session, principal, meetings, meeting_id)
    items = session.scalars(
        select(AgendaItem)
        .where(col(AgendaItem.meeting_id) == meeting_id)
        .order_by(col(AgendaItem.position), col(AgendaItem.id))
    ).all()
    minutes = {
        m.agenda_item_id: m
        for m in session.scalars(select(Minute).where(col(Minute.meeting_id) == meeting_id))
    }
    decisions = decision_reads(
        session,
        session.scalars(
            select(Decision)
            .where(col(Decision.meeting_id) == meeting_id)
            .order_by(col(Decision.id))
        ).all(),
    )
    by_item: dict[int | None, list[DecisionRead]] = defaultdict(list)
    for decision in decisions:
        by_item[decision.agenda_item_id].append(decision)
    return MinutesRead(
        meeting_id=meeting_id,
        approved=meeting.minutes_approved_at is not None,
        minutes_approved_at=meeting.minutes_approved_at,
        minutes_approved_by_meeting_id=meeting.minutes_approved_by_meeting_id,
        general=meeting.minutes,
        items=[
            MinutesItem(
                agenda_item_id=item.id,
                position=item.position,
                title=item.title,
                minute=_read(minutes[item.id]) if item.id in minutes else None,
                decisions=by_item.get(item.id, []),
            )
            for item in items
            if item.id is not None
        ],
        other_decisions=by_item.get(None, []),
    )


def write_minute(
    session: Session,
    principal: Principal,
    meeting_id: int,
    agenda_item_id: int,
    body: MinuteWrite,
    expected_version: int | None,
) -> tuple[MinuteRead, bool]:
    """Save the draft minute of one agenda item; 412 when someone saved it meanwhile, 409
    once the minutes are approved. ``If-Match: "0"`` creates it only if none exists yet.
    Returns it and whether it was created."""
    meeting = crud.get_row(session, principal, meetings, meeting_id)
    check_write_minutes(session, principal, meeting)
    item = session.get(AgendaItem, agenda_item_id)
    if item is None or item.meeting_id != meeting_id:
        raise NotFound(f"No agenda item {agenda_item_id} at meeting {meeting_id}")
    row = session.scalar(
        select(Minute).where(
            col(Minute.meeting_id) == meeting_id, col(Minute.agenda_item_id) == agenda_item_id
        )
    )
    created = row is None
    if row is None:
        if expected_version not in (None, 0):
            raise PreconditionFailed(
                f"The minute of agenda item {agenda_item_id} no longer exists; reload",
                current_version=0,
            )
        row = Minute(meeting_id=meeting_id, agenda_item_id=agenda_item_id, text=body.text)
        session.add(row)
        session.flush()
        audit.record(session, principal, "create", "minute", row.id, after=audit.snapshot(row))
        return _read(row), True
    # If-Match: "0" says the writer saw no minute yet: someone else wrote one meanwhile.
    check_version(row, expected_version)
    if row.text != body.text:
        before = audit.snapshot(row)
        row.text = body.text
        session.flush()
        audit.record(
            session,
            principal,
            "update",
            "minute",
            row.id,
            before=before,
            after=audit.snapshot(row),
        )
    return _read(row), created
