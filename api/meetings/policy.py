"""Who may see and change meetings and what hangs off them.

Reads: members of the meeting's partnership, plus any reader for public meetings. Writes:
the partnership's officers and admins; members record their own apologies (attendance).
"""

from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select, true
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from api.core.policy import Policy
from api.core.principal import Principal
from api.meetings.models import AgendaItem, Meeting
from api.partnerships.access import require_manage_partnership, visible_clause


def meeting_visible(session: Session, principal: Principal) -> ColumnElement[bool]:
    """SQL condition on ``meeting``: public, or of a partnership ``principal`` may read."""
    return or_(
        col(Meeting.public) == true(),
        visible_clause(session, principal, Meeting, ("partnership_id",)),
    )


def partnership_of_meeting(session: Session, meeting_id: int | None) -> int | None:
    if meeting_id is None:
        return None
    return session.scalar(select(col(Meeting.partnership_id)).where(col(Meeting.id) == meeting_id))


class MeetingPolicy(Policy):
    def visible(self, session: Session, principal: Principal, stmt: Select[Any]) -> Select[Any]:
        return super().visible(session, principal, stmt).where(meeting_visible(session, principal))

    def authorize_create(
        self, session: Session, principal: Principal, data: dict[str, Any]
    ) -> None:
        require_manage_partnership(session, principal, data.get("partnership_id"))

    def authorize_update(
        self, session: Session, principal: Principal, row: SQLModel, changes: dict[str, Any]
    ) -> None:
        assert isinstance(row, Meeting)
        require_manage_partnership(session, principal, row.partnership_id)

    def authorize_delete(self, session: Session, principal: Principal, row: SQLModel) -> None:
        assert isinstance(row, Meeting)
        require_manage_partnership(session, principal, row.partnership_id)


class AgendaItemPolicy(Policy):
    def visible(self, session: Session, principal: Principal, stmt: Select[Any]) -> Select[Any]:
        meetings = select(col(Meeting.id)).where(meeting_visible(session, principal))
        return (
            super()
            .visible(session, principal, stmt)
            .where(col(AgendaItem.meeting_id).in_(meetings))
        )

    def authorize_create(
        self, session: Session, principal: Principal, data: dict[str, Any]
    ) -> None:
        partnership_id = partnership_of_meeting(session, data.get("meeting_id"))
        require_manage_partnership(session, principal, partnership_id)

    def authorize_update(
        self, session: Session, principal: Principal, row: SQLModel, changes: dict[str, Any]
    ) -> None:
        assert isinstance(row, AgendaItem)
        require_manage_partnership(
            session, principal, partnership_of_meeting(session, row.meeting_id)
        )

    def authorize_delete(self, session: Session, principal: Principal, row: SQLModel) -> None:
        assert isinstance(row, AgendaItem)
        require_manage_partnership(
            session, principal, partnership_of_meeting(session, row.meeting_id)
        )
