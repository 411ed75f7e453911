"""Who may see and change tasks (DESIGN §5).

- Admins and the officers of the task's partnership do anything.
- Members read their partnerships' tasks and those their organisation leads, and update the
  status fields of the tasks their organisation leads.
- Partner keys see only the tasks their organisation leads (others are 404) and update
  their status fields (``write:status``).
"""

from typing import Any

from sqlalchemy import Select, false, or_
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from api.core.errors import Forbidden
from api.core.permissions import partnership_of
from api.core.policy import allowed, require_scope
from api.core.principal import Principal, Role, Scope
from api.partnerships.access import authorize_on_behalf_of, visible_clause
from api.partnerships.policy import PartnershipPolicy
from api.plans.models import Task

TASK_CHAIN = ("action_id", "action_plan_id", "partnership_id")
# The fields a status update moves; members and partners may change only these.
STATUS_FIELDS = ("rag", "position", "planned_improvement", "deadline")


class TaskPolicy(PartnershipPolicy):
    def __init__(self) -> None:
        super().__init__(Task, TASK_CHAIN)

    def visible(self, session: Session, principal: Principal, stmt: Select[Any]) -> Select[Any]:
        self.authorize_read(principal)
        if principal.is_admin:
            return stmt
        led = (
            col(Task.lead_organisation_id) == principal.organisation_id
            if principal.organisation_id is not None
            else false()
        )
        if principal.role == Role.partner:
            return stmt.where(led)
        return stmt.where(or_(visible_clause(session, principal, Task, TASK_CHAIN), led))

    def leads(self, principal: Principal, task: Task) -> bool:
        return task.lead_organisation_id is not None and (
            task.lead_organisation_id == principal.organisation_id
        )

    def authorize_update(
        self, session: Session, principal: Principal, row: SQLModel, changes: dict[str, Any]
    ) -> None:
        assert isinstance(row, Task)
        if (
            principal.role in (Role.member, Role.partner)
            and self.leads(principal, row)
            and set(changes) <= set(STATUS_FIELDS)
        ):
            require_scope(principal, Scope.write_status)
            return
        if principal.role in (Role.member, Role.partner):
            raise Forbidden(
                "You may update only the status of tasks your organisation leads"
                if self.leads(principal, row)
                else "Only the lead organisation may update this task"
            )
        super().authorize_update(session, principal, row, changes)

    def authorize_status(self, session: Session, principal: Principal, task: Task) -> None:
        """May ``principal`` record a status update of ``task`` for their own organisation?"""
        self.authorize_update(session, principal, task, {"rag": task.rag})
        authorize_status_on_behalf_of(session, principal, task, None)

    def can(self, session: Session, principal: Principal, row: SQLModel) -> dict[str, bool]:
        """Beyond ``update`` (the task itself: title, lead, target, ...) and ``delete``:
        ``update_status``, recording a status update for one's own organisation."""
        assert isinstance(row, Task)
        return {
            "update": allowed(lambda: self.authorize_update(session, principal, row, {"title": 0})),
            "update_status": allowed(lambda: self.authorize_status(session, principal, row)),
            "delete": allowed(lambda: self.authorize_delete(session, principal, row)),
        }


def authorize_status_on_behalf_of(
    session: Session, principal: Principal, task: Task, organisation_id: int | None
) -> None:
    """A status update is on behalf of your own organisation; admins and the officers of the
    task's partnership may also record one for the task's lead organisation."""
    authorize_on_behalf_of(
        session,
        principal,
        organisation_id,
        partnership=lambda: partnership_of(
            session, Task, TASK_CHAIN, {"action_id": task.action_id}
        ),
        also_allowed=task.lead_organisation_id,
    )
