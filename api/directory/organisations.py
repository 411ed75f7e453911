"""Organisations in the directory: officers correct only those on a partnership they manage."""

from typing import Any

from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from api.core.models import slugify
from api.core.policy import ManagedReferencePolicy
from api.core.principal import Principal
from api.crud.service import Resource, ResourceRules
from api.organisations.models import Organisation
from api.organisations.schemas import (
    OrganisationCreate,
    OrganisationFilters,
    OrganisationRead,
    OrganisationUpdate,
)
from api.partnerships.access import require_edit_organisation


class OrganisationPolicy(ManagedReferencePolicy):
    def authorize_update(
        self, session: Session, principal: Principal, row: SQLModel, changes: dict[str, Any]
    ) -> None:
        """Officers correct only organisations on a partnership they manage."""
        super().authorize_update(session, principal, row, changes)
        assert isinstance(row, Organisation) and row.id is not None
        require_edit_organisation(session, principal, row.id)


class OrganisationRules(ResourceRules[Organisation]):
    def before_create(self, session: Session, principal: Principal, row: Organisation) -> None:
        """A slug made from the short name (or the name) when none is given."""
        if not row.slug:
            row.slug = slugify(row.short_name or row.name)


organisations = Resource(
    model=Organisation,
    path="organisations",
    create_schema=OrganisationCreate,
    update_schema=OrganisationUpdate,
    read_schema=OrganisationRead,
    filter_schema=OrganisationFilters,
    sortable=("id", "name", "sector", "updated_at"),
    default_sort=("name",),
    search=("name", "short_name"),
    policy=OrganisationPolicy(),
    rules=OrganisationRules(),
)
