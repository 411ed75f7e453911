"""Who may see and change outcomes and tasks (DESIGN §5).

Outcomes belong to a strategy; the officers of the strategy's partnership keep them. The
officers of an outcome's lead partnership keep it too, when the strategy is their
partnership's own or that of a partnership above it (the community strategy a thematic
group delivers): they add, change and delete the outcomes they lead, and may not hand one to
a partnership they do not manage.

Tasks:

- Admins and the officers of the task's partnership do anything.
- Members read their partnerships' tasks and those their organisation leads, and update the
  status fields of the tasks their organisation leads.
- Partner keys see only the tasks their organisation leads (others are 404) and update
  their status fields (``write:status``).
"""

from collections.abc import Hashable, Mapping
from typing import Any

from sqlalchemy import Select, false, or_
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from api.core.errors import Forbidden
from api.core.permissions import partnership_of, row_data
from api.core.policy import allowed, require_scope
from api.core.principal import Principal, Role, Scope
from api.partnerships.access import (
    authorize_on_behalf_of,
    can_manage_partnership,
    lineage,
    visible_clause,
)
from api.partnerships.policy import PartnershipPolicy
from api.plans.models import Outcome, Strategy, Task

TASK_CHAIN = ("action_id", "action_plan_id", "partnership_id")
STRATEGY_CHAIN = ("strategy_id", "partnership_id")


class OutcomePolicy(PartnershipPolicy):
    """Every staff role reads the strategy's outcomes; see the module docstring for writes."""

    def __init__(self) -> None:
        super().__init__(Outcome, STRATEGY_CHAIN, narrow_reads=False)

    def _may_keep(self, session: Session, principal: Principal, data: dict[str, Any]) -> bool:
        """``principal`` may keep an outcome with these ``strategy_id`` and
        ``lead_partnership_id``."""
        if can_manage_partnership(session, principal, self.partnership_id(session, data)):
            return True
        lead = data.get("lead_partnership_id")
        if lead is None or not can_manage_partnership(session, principal, lead):
            return False
        strategy = session.get(Strategy, data.get("strategy_id"))
        return strategy is not None and (
            strategy.partnership_id is None or strategy.partnership_id in lineage(session, lead)
        )

    def _require(self, session: Session, principal: Principal, data: dict[str, Any]) -> None:
        require_scope(principal, Scope.write_all)
        if not self._may_keep(session, principal, data):
            raise Forbidden(
                "Only the officers of the strategy's partnership, or of the partnership that "
                "leads the outcome, may change it"
            )

    def authorize_create(
        self, session: Session, principal: Principal, data: dict[str, Any]
    ) -> None:
        self._require(session, principal, data)

    def authorize_update(
        self, session: Session, principal: Principal, row: SQLModel, changes: dict[str, Any]
    ) -> None:
        current = row_data(row, ("strategy_id", "lead_partnership_id"))
        self._require(session, principal, current)
        if "lead_partnership_id" in changes:  # handing it over: the new lead must be kept too
            self._require(session, principal, {**current, **changes})

    def authorize_delete(self, session: Session, principal: Principal, row: SQLModel) -> None:
        self._require(session, principal, row_data(row, ("strategy_id", "lead_partnership_id")))


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
        return led_by(principal, task.lead_organisation_id)

    def status_refusal(
        self, session: Session, principal: Principal, task: Task
    ) -> Forbidden | None:
        """Why ``principal`` may not move the status of ``task`` (``None``: they may).

        The one rule behind every status change (PATCH of status fields, a status update)
        and so behind ``can.update_status``: members and partner keys move the status of the
        tasks their organisation leads (``write:status``); admins and the officers of the
        task's partnership that of any task (``write:all``).
        """
        if principal.role in (Role.member, Role.partner):
            if not self.leads(principal, task):
                return Forbidden("Only the lead organisation may update this task")
            if not principal.has_scope(Scope.write_status):
                return Forbidden(f"This credential lacks the '{Scope.write_status}' scope")
            return None
        if not principal.has_scope(Scope.write_all):
            return Forbidden(f"This credential lacks the '{Scope.write_all}' scope")
        if principal.is_admin:
            return None
        partnership_id = self.partnership_id(session, row_data(task, self.chain[:1]))
        if not can_manage_partnership(session, principal, partnership_id):
            return Forbidden("Only the partnership's officers and administrators may change this")
        return None

    def authorize_update(
        self, session: Session, principal: Principal, row: SQLModel, changes: dict[str, Any]
    ) -> None:
        assert isinstance(row, Task)
        if set(changes) <= set(STATUS_FIELDS):
            refusal = self.status_refusal(session, principal, row)
            if refusal is not None:
                raise refusal
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

    def can_key(self, principal: Principal, values: Mapping[str, Any]) -> Hashable | None:
        """An admin's answers depend on their scopes alone; a member's or partner key's on
        whether their organisation leads the task (they may never change the task itself nor
        delete it); an officer's on the task's partnership, which its action fixes."""
        if principal.is_admin:
            return ()
        if principal.role in (Role.member, Role.partner):
            return led_by(principal, values["lead_organisation_id"])
        return values["action_id"]


def led_by(principal: Principal, lead_organisation_id: int | None) -> bool:
    """Is ``principal``'s organisation the lead organisation ``lead_organisation_id``?"""
    return lead_organisation_id is not None and lead_organisation_id == principal.organisation_id


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
