"""Indicators (national and local), their links to outcomes and tasks, LAA targets and
measurements. Values are checked against the indicator's unit; a new measurement is announced
to webhooks in the same transaction."""

from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, delete, insert
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import audit, clock
from api.core.errors import invalid
from api.core.principal import Principal
from api.crud import service as crud
from api.crud.service import Resource, ResourceRules, WriteAction
from api.indicators.models import Indicator, LaaTarget, Measurement, Unit
from api.indicators.policy import LaaDataPolicy, LaaReadPolicy
from api.indicators.schemas import (
    IndicatorCreate,
    IndicatorFilters,
    IndicatorLinks,
    IndicatorLinksRead,
    IndicatorRead,
    IndicatorUpdate,
    LaaTargetCreate,
    LaaTargetFilters,
    LaaTargetRead,
    LaaTargetUpdate,
    MeasurementCreate,
    MeasurementFilters,
    MeasurementRead,
    MeasurementUpdate,
)
from api.plans.models import Outcome, OutcomeIndicator, Task, TaskIndicator
from api.webhooks import service as webhooks
from api.webhooks.schemas import WebhookEvent


class IndicatorRules(ResourceRules[Indicator]):
    def filter(self, stmt: Select[Any], filters: BaseModel) -> Select[Any]:
        """Indicators linked to an outcome or a task."""
        assert isinstance(filters, IndicatorFilters)
        if filters.outcome_id is not None:
            stmt = stmt.join(
                OutcomeIndicator, col(OutcomeIndicator.indicator_id) == col(Indicator.id)
            ).where(col(OutcomeIndicator.outcome_id) == filters.outcome_id)
        if filters.task_id is not None:
            stmt = stmt.join(
                TaskIndicator, col(TaskIndicator.indicator_id) == col(Indicator.id)
            ).where(col(TaskIndicator.task_id) == filters.task_id)
        return stmt


indicators = Resource(
    model=Indicator,
    path="indicators",
    create_schema=IndicatorCreate,
    update_schema=IndicatorUpdate,
    read_schema=IndicatorRead,
    filter_schema=IndicatorFilters,
    sortable=("id", "code", "title", "updated_at"),
    default_sort=("id",),
    search=("code", "title"),
    rules=IndicatorRules(),
    policy=LaaReadPolicy(),
)


# -- values by unit ----------------------------------------------------------------------------


def check_value(unit: Unit, field: str, value: float | None) -> None:
    """Counts are whole and non-negative, percents 0-100, rates non-negative."""
    if value is None:
        return
    if unit == Unit.count_ and (value < 0 or not float(value).is_integer()):
        raise invalid(field, "a count must be a whole number of zero or more")
    if unit == Unit.percent and not 0 <= value <= 100:
        raise invalid(field, "a percentage must be between 0 and 100")
    if unit.value.startswith("rate_") and value < 0:
        raise invalid(field, "a rate must be zero or more")


def _unit_of(session: Session, indicator_id: int) -> Unit:
    unit = session.scalar(select(Indicator.unit).where(col(Indicator.id) == indicator_id))
    if unit is None:
        raise invalid("indicator_id", f"no indicator with id {indicator_id}")
    return Unit(unit)


class LaaTargetRules(ResourceRules[LaaTarget]):
    """Baseline, target and stretch fit the indicator's unit."""

    def before_create(self, session: Session, principal: Principal, row: LaaTarget) -> None:
        self._check_values(session, row)

    def before_update(
        self,
        session: Session,
        principal: Principal,
        row: LaaTarget,
        changes: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        self._check_values(session, row)

    @staticmethod
    def _check_values(session: Session, row: LaaTarget) -> None:
        unit = _unit_of(session, row.indicator_id)
        for name in ("baseline", "target", "stretch"):
            check_value(unit, name, getattr(row, name))


class MeasurementRules(ResourceRules[Measurement]):
    """The value fits the indicator's unit; a new measurement records who reported it and is
    announced to webhooks."""

    def before_create(self, session: Session, principal: Principal, row: Measurement) -> None:
        check_value(_unit_of(session, row.indicator_id), "value", row.value)
        row.reported_by = principal.label

    def before_update(
        self,
        session: Session,
        principal: Principal,
        row: Measurement,
        changes: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        check_value(_unit_of(session, row.indicator_id), "value", row.value)

    def after_write(
        self, session: Session, principal: Principal, row: Measurement, action: WriteAction
    ) -> None:
        if action == "create":
            webhooks.enqueue(session, WebhookEvent.measurement_created, audit.snapshot(row) or {})


laa_targets = Resource(
    model=LaaTarget,
    path="laa-targets",
    create_schema=LaaTargetCreate,
    update_schema=LaaTargetUpdate,
    read_schema=LaaTargetRead,
    filter_schema=LaaTargetFilters,
    sortable=("id", "area", "period", "updated_at"),
    default_sort=("indicator_id", "area", "period"),
    policy=LaaDataPolicy(),
    rules=LaaTargetRules(),
    tombstones=True,
)

measurements = Resource(
    model=Measurement,
    path="measurements",
    create_schema=MeasurementCreate,
    update_schema=MeasurementUpdate,
    read_schema=MeasurementRead,
    filter_schema=MeasurementFilters,
    sortable=("id", "area", "period", "reported_on", "updated_at"),
    default_sort=("indicator_id", "area", "period", "reported_on"),
    policy=LaaDataPolicy(),
    rules=MeasurementRules(),
    tombstones=True,
)


# -- links to outcomes and tasks ---------------------------------------------------------------


def get_links(session: Session, principal: Principal, indicator_id: int) -> IndicatorLinksRead:
    indicator = crud.get_row(session, principal, indicators, indicator_id)
    return _links(session, indicator)


def _links(session: Session, indicator: Indicator) -> IndicatorLinksRead:
    assert indicator.id is not None
    outcome_ids = session.scalars(
        select(OutcomeIndicator.outcome_id)
        .where(col(OutcomeIndicator.indicator_id) == indicator.id)
        .order_by(col(OutcomeIndicator.outcome_id))
    ).all()
    task_ids = session.scalars(
        select(TaskIndicator.task_id)
        .where(col(TaskIndicator.indicator_id) == indicator.id)
        .order_by(col(TaskIndicator.task_id))
    ).all()
    return IndicatorLinksRead(
        indicator_id=indicator.id,
        version=indicator.version,
        outcome_ids=list(outcome_ids),
        task_ids=list(task_ids),
    )


def _missing(session: Session, model: type[Outcome] | type[Task], ids: set[int]) -> list[int]:
    if not ids:
        return []
    found = set(session.scalars(select(model.id).where(col(model.id).in_(ids))))
    return sorted(ids - found)


def set_links(
    session: Session,
    principal: Principal,
    indicator_id: int,
    body: IndicatorLinks,
    expected_version: int | None,
) -> IndicatorLinksRead:
    """Replace the indicator's outcome and task links; the indicator's version moves on, so
    the LAA export's ``updated_since`` and ETag see the new outcome codes."""
    indicator = crud.get_row(session, principal, indicators, indicator_id)
    crud.check_version(indicator, expected_version)
    indicators.policy.authorize_update(session, principal, indicator, body.model_dump())
    outcome_ids, task_ids = set(body.outcome_ids), set(body.task_ids)
    for field, model, ids in (("outcome_ids", Outcome, outcome_ids), ("task_ids", Task, task_ids)):
        missing = _missing(session, model, ids)
        if missing:
            raise invalid(field, f"no {model.__tablename__} with id {missing[0]}")
    before = _links(session, indicator)
    if set(before.outcome_ids) == outcome_ids and set(before.task_ids) == task_ids:
        return before
    session.execute(
        delete(OutcomeIndicator).where(col(OutcomeIndicator.indicator_id) == indicator_id)
    )
    session.execute(delete(TaskIndicator).where(col(TaskIndicator.indicator_id) == indicator_id))
    if outcome_ids:
        session.execute(
            insert(OutcomeIndicator),
            [{"indicator_id": indicator_id, "outcome_id": i} for i in sorted(outcome_ids)],
        )
    if task_ids:
        session.execute(
            insert(TaskIndicator),
            [{"indicator_id": indicator_id, "task_id": i} for i in sorted(task_ids)],
        )
    indicator.updated_at = clock.now()
    session.flush()
    after = _links(session, indicator)
    audit.record(
        session,
        principal,
        "update",
        "indicator_links",
        indicator_id,
        before=before.model_dump(),
        after=after.model_dump(),
    )
    return after
