"""Papers in the LSP report form, with their linked indicators, attachable to agenda items
(``agenda_item.report_id``)."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, or_
from sqlalchemy.orm import Session
from sqlmodel import col, delete, select

from api.core import audit, clock
from api.core.errors import Unprocessable, field_error
from api.core.pagination import PageParams
from api.core.principal import Principal, Role
from api.crud import service as crud
from api.crud.service import Resource, ResourceRules
from api.indicators.models import Indicator
from api.partnerships.access import partnership_ids_for
from api.partnerships.policy import PartnershipPolicy
from api.reports.models import Report, ReportBase, ReportIndicator
from api.reports.performance import REPORT_READ_ROLES, REPORT_READ_SCOPES
from api.reports.schemas import (
    ReportCreate,
    ReportFilters,
    ReportRead,
    ReportUpdate,
    _ReportFieldsUpdate,
)


class ReportPolicy(PartnershipPolicy):
    """Papers: admins, officers and members read those of their partnerships and those of no
    partnership; the county reads all (DESIGN §5); admins and the partnership's officers
    write. Partner keys read none."""

    read_roles = REPORT_READ_ROLES
    read_scopes = REPORT_READ_SCOPES

    def __init__(self) -> None:
        super().__init__(Report, ("partnership_id",))

    def visible(self, session: Session, principal: Principal, stmt: Select[Any]) -> Select[Any]:
        self.authorize_read(principal)
        if principal.role == Role.county:
            return stmt
        ids = partnership_ids_for(session, principal)
        if ids is None:
            return stmt
        partnership = col(Report.partnership_id)
        return stmt.where(or_(partnership.is_(None), partnership.in_(sorted(ids))))


class ReportFields(ReportBase):
    """The paper's own columns (a create body without its indicator links)."""


class ReportRules(ResourceRules[Report]):
    def filter(self, stmt: Select[Any], filters: BaseModel) -> Select[Any]:
        return _report_filters(stmt, filters)


def _report_filters(stmt: Select[Any], filters: BaseModel) -> Select[Any]:
    assert isinstance(filters, ReportFilters)
    if filters.indicator_id is not None:
        linked = select(ReportIndicator.report_id).where(
            col(ReportIndicator.indicator_id) == filters.indicator_id
        )
        stmt = stmt.where(col(Report.id).in_(linked))
    return stmt


reports = Resource(
    model=Report,
    path="reports",
    create_schema=ReportCreate,
    update_schema=ReportUpdate,
    read_schema=ReportRead,
    filter_schema=ReportFilters,
    sortable=("id", "title", "published_on", "updated_at"),
    default_sort=("id",),
    search=("title", "description"),
    policy=ReportPolicy(),
    rules=ReportRules(),
)


def _links(session: Session, report_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    if not report_ids:
        return found
    rows = session.execute(
        select(ReportIndicator.report_id, ReportIndicator.indicator_id)
        .where(col(ReportIndicator.report_id).in_(report_ids))
        .order_by(col(ReportIndicator.report_id), col(ReportIndicator.indicator_id))
    )
    for report_id, indicator_id in rows:
        found[report_id].append(indicator_id)
    return found


def _read(
    session: Session, principal: Principal, row: Report, indicator_ids: list[int]
) -> ReportRead:
    return ReportRead.model_validate(
        {
            **row.model_dump(),
            "indicator_ids": indicator_ids,
            "can": reports.policy.can(session, principal, row),
        }
    )


def _check_indicators(session: Session, indicator_ids: list[int]) -> list[int]:
    wanted = sorted(set(indicator_ids))
    if not wanted:
        return []
    existing = set(session.scalars(select(Indicator.id).where(col(Indicator.id).in_(wanted))))
    missing = [i for i in wanted if i not in existing]
    if missing:
        raise Unprocessable(
            f"indicator_ids: no indicator with id {missing[0]}",
            slug="missing-reference",
            errors=[field_error("indicator_ids", f"no indicator with id {i}") for i in missing],
        )
    return wanted


def _set_links(session: Session, report_id: int, indicator_ids: list[int]) -> None:
    session.execute(delete(ReportIndicator).where(col(ReportIndicator.report_id) == report_id))
    session.add_all(ReportIndicator(report_id=report_id, indicator_id=i) for i in indicator_ids)


def list_reports(
    session: Session,
    principal: Principal,
    page: PageParams,
    filters: ReportFilters,
    sort: str | None,
) -> tuple[list[ReportRead], int]:
    rows, total = crud.list_rows(session, principal, reports, page, filters, sort)
    links = _links(session, [r.id for r in rows if r.id is not None])
    return [_read(session, principal, r, links.get(r.id or 0, [])) for r in rows], total


def get_report(session: Session, principal: Principal, report_id: int) -> tuple[ReportRead, int]:
    row = crud.get_row(session, principal, reports, report_id)
    return _read(
        session, principal, row, _links(session, [report_id]).get(report_id, [])
    ), row.version


def create_report(
    session: Session, principal: Principal, body: ReportCreate
) -> tuple[ReportRead, int]:
    fields = ReportFields.model_validate(body.model_dump(exclude={"indicator_ids"}))
    wanted = _check_indicators(session, body.indicator_ids)
    row = crud.create_row(session, principal, reports, fields)
    assert row.id is not None
    if wanted:
        _set_links(session, row.id, wanted)
        crud.flush(session, reports, "create")
        audit.record(session, principal, "link", "report", row.id, after={"indicator_ids": wanted})
    return _read(session, principal, row, wanted), row.version


def update_report(
    session: Session,
    principal: Principal,
    report_id: int,
    body: ReportUpdate,
    expected_version: int | None,
) -> tuple[ReportRead, int]:
    changes = body.model_dump(exclude_unset=True, exclude={"indicator_ids"})
    fields = _ReportFieldsUpdate.model_validate(changes)
    row = crud.update_row(session, principal, reports, report_id, fields, expected_version)
    current = _links(session, [report_id]).get(report_id, [])
    if "indicator_ids" in body.model_fields_set:
        wanted = _check_indicators(session, body.indicator_ids or [])
        if wanted != current:
            _set_links(session, report_id, wanted)
            row.updated_at = clock.now()  # a new version, so ETags see the change
            crud.flush(session, reports, "update")
            audit.record(
                session,
                principal,
                "link",
                "report",
                report_id,
                before={"indicator_ids": current},
                after={"indicator_ids": wanted},
            )
            current = wanted
    return _read(session, principal, row, current), row.version


def delete_report(
    session: Session, principal: Principal, report_id: int, expected_version: int | None
) -> None:
    crud.delete_row(session, principal, reports, report_id, expected_version)
