from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.core import clock
from api.core.models import Entity, UTCDateTime, enum_check, enum_column


class Rag(StrEnum):
    green = "green"
    amber = "amber"
    red = "red"
    complete = "complete"


class StrategyBase(SQLModel):
    title: str = Field(max_length=300)
    vision: str | None = Field(default=None, sa_type=Text)
    period: str | None = Field(default=None, max_length=40)
    partnership_id: int | None = Field(default=None, foreign_key="partnership.id", index=True)


class Strategy(StrategyBase, Entity, table=True):
    pass


class PrincipleBase(SQLModel):
    strategy_id: int = Field(foreign_key="strategy.id", index=True)
    position: int = 0
    text: str = Field(sa_type=Text)


class Principle(PrincipleBase, Entity, table=True):
    pass


class PriorityBase(SQLModel):
    strategy_id: int = Field(foreign_key="strategy.id", index=True)
    position: int = 0
    text: str = Field(sa_type=Text)


class Priority(PriorityBase, Entity, table=True):
    pass


class OutcomeBase(SQLModel):
    strategy_id: int = Field(foreign_key="strategy.id", index=True)
    priority_id: int | None = Field(default=None, foreign_key="priority.id", index=True)
    code: str = Field(max_length=20, index=True)
    title: str = Field(max_length=300)
    achieve: str | None = Field(default=None, sa_type=Text)  # what we said we'd achieve
    how: str | None = Field(default=None, sa_type=Text)
    lead_partnership_id: int | None = Field(default=None, foreign_key="partnership.id", index=True)


class Outcome(OutcomeBase, Entity, table=True):
    __table_args__ = (UniqueConstraint("strategy_id", "code"),)


class ActionPlanBase(SQLModel):
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    title: str = Field(max_length=300)
    period: str | None = Field(default=None, max_length=40)


class ActionPlan(ActionPlanBase, Entity, table=True):
    __tablename__ = "action_plan"


class ActionBase(SQLModel):
    action_plan_id: int = Field(foreign_key="action_plan.id", index=True)
    outcome_id: int = Field(foreign_key="outcome.id", index=True)
    ref: str = Field(max_length=20)
    title: str = Field(max_length=500)
    decision_id: int | None = Field(default=None, foreign_key="decision.id", index=True)


class Action(ActionBase, Entity, table=True):
    __table_args__ = (UniqueConstraint("action_plan_id", "outcome_id", "ref"),)


class TaskBase(SQLModel):
    action_id: int = Field(foreign_key="action.id")  # indexed with ix_task_action_reported
    ref: str = Field(max_length=20)
    title: str = Field(max_length=500, index=True)
    target: str | None = Field(default=None, sa_type=Text)
    position: str | None = Field(default=None, sa_type=Text)
    rag: Rag | None = enum_column(Rag, default=None, nullable=True, index=True)
    planned_improvement: str | None = Field(default=None, sa_type=Text)
    deadline: date | None = Field(default=None, index=True)
    lead_organisation_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True
    )
    owner_person_id: int | None = Field(
        default=None,
        foreign_key="person.id",
        index=True,
        description="The person responsible for the task. When the task has a lead "
        "organisation, the owner is employed by it or represents it on a partnership today "
        "(a membership on its behalf); otherwise 422 naming this field. Null: no owner.",
    )
    last_reported_on: date | None = Field(default=None, index=True)


# Indexes for a decade of tasks (migrations 0014, 0016, 0018), PostgreSQL only: the trigram
# indexes behind ``?q=``, the covering index of open tasks the staleness counts read
# (``api.plans.service.reporting_cutoffs``) and the partial indexes of open tasks in the
# orders the dashboard lists the stalest and the most overdue. The metadata
# cannot express them for both databases, so the migrations own them and ``alembic check``
# leaves them out (migrations/env.py).
POSTGRES_ONLY_INDEXES = frozenset(
    {
        "ix_task_title_trgm",
        "ix_task_target_trgm",
        "ix_task_position_trgm",
        "ix_task_open_by_action",
        "ix_task_open_last_reported",
        # migration 0016: a RAG status by deadline; the complete tasks by action
        "ix_task_rag_deadline",
        "ix_task_complete_by_action",
        # migration 0018: the open tasks by deadline (the dashboard's most overdue)
        "ix_task_open_deadline",
    }
)


class Task(TaskBase, Entity, table=True):
    __table_args__ = (
        enum_check("rag", Rag, nullable=True),
        UniqueConstraint("action_id", "ref"),
        # An action's tasks, and its last reported read backwards (strategy progress's newest
        # updates per outcome, migration 0021).
        Index("ix_task_action_reported", "action_id", "last_reported_on", "id"),
    )


class StatusUpdate(SQLModel, table=True):
    """Append-only history of a task; the task's current fields are the latest update."""

    __tablename__ = "status_update"
    __table_args__ = (
        enum_check("rag", Rag, nullable=True),
        # A task's updates by date: its history, and its latest on or before a date for the
        # reports (migration 0014 on PostgreSQL, 0022 on SQLite).
        Index("ix_status_update_task_reported", "task_id", "reported_on", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id")
    rag: Rag | None = enum_column(Rag, default=None, nullable=True)
    position: str | None = Field(default=None, sa_type=Text)
    planned_improvement: str | None = Field(default=None, sa_type=Text)
    deadline: date | None = None
    reported_on: date = Field(index=True)
    note: str | None = Field(default=None, sa_type=Text)
    author: str = Field(max_length=200)
    author_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    author_api_key_id: int | None = Field(default=None, foreign_key="api_key.id", index=True)
    on_behalf_of_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)


class TaskIndicator(SQLModel, table=True):
    __tablename__ = "task_indicator"

    task_id: int = Field(foreign_key="task.id", primary_key=True, ondelete="CASCADE")
    indicator_id: int = Field(
        foreign_key="indicator.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class OutcomeIndicator(SQLModel, table=True):
    __tablename__ = "outcome_indicator"

    outcome_id: int = Field(foreign_key="outcome.id", primary_key=True, ondelete="CASCADE")
    indicator_id: int = Field(
        foreign_key="indicator.id", primary_key=True, index=True, ondelete="CASCADE"
    )
