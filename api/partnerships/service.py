from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, or_
from sqlalchemy.orm import Session
from sqlmodel import col

from api.auth.principal import Principal
from api.common import slugify
from api.crud.service import Resource
from api.errors import invalid
from api.partnerships.models import Membership, Partnership
from api.partnerships.schemas import (
    MembershipCreate,
    MembershipFilters,
    MembershipRead,
    MembershipUpdate,
    PartnershipCreate,
    PartnershipFilters,
    PartnershipRead,
    PartnershipUpdate,
)


def _fill_slug(session: Session, principal: Principal, row: Partnership) -> None:
    if not row.slug:
        row.slug = slugify(row.name)


def _no_self_parent(
    session: Session, principal: Principal, row: Partnership, changes: dict[str, Any], _: Any
) -> None:
    if row.parent_id is not None and row.parent_id == row.id:
        raise invalid("parent_id", "a partnership cannot be its own parent")


partnerships = Resource(
    model=Partnership,
    path="partnerships",
    create_schema=PartnershipCreate,
    update_schema=PartnershipUpdate,
    read_schema=PartnershipRead,
    filter_schema=PartnershipFilters,
    sortable=("id", "name", "kind", "status", "updated_at"),
    default_sort=("name",),
    search=("name", "purpose"),
    before_create=_fill_slug,
    before_update=_no_self_parent,
)


def _membership_dates(session: Session, principal: Principal, row: Membership, *_: Any) -> None:
    if row.ended_on is not None and row.ended_on < row.started_on:
        raise invalid("ended_on", "must not be before started_on")


def open_on(day: date) -> Any:
    """SQL condition: membership open on ``day``."""
    ended_on = col(Membership.ended_on)
    return (col(Membership.started_on) <= day) & or_(ended_on.is_(None), ended_on >= day)


def _membership_filters(stmt: Select[Any], filters: BaseModel) -> Select[Any]:
    assert isinstance(filters, MembershipFilters)
    if filters.current is None:
        return stmt
    day = filters.as_of or date.today()
    return stmt.where(open_on(day) if filters.current else ~open_on(day))


memberships = Resource(
    model=Membership,
    path="memberships",
    create_schema=MembershipCreate,
    update_schema=MembershipUpdate,
    read_schema=MembershipRead,
    filter_schema=MembershipFilters,
    sortable=("id", "started_on", "ended_on", "role", "updated_at"),
    default_sort=("started_on",),
    filter_hook=_membership_filters,
    before_create=_membership_dates,
    before_update=_membership_dates,
)
