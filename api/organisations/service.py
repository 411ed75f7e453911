from typing import Any

from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from api.auth.permissions import require_edit_organisation
from api.auth.principal import Principal
from api.common import slugify
from api.crud.policy import ManagedReferencePolicy
from api.crud.service import Resource
from api.organisations.models import Organisation
from api.organisations.schemas import (
    OrganisationCreate,
    OrganisationFilters,
    OrganisationRead,
    OrganisationUpdate,
)


class OrganisationPolicy(ManagedReferencePolicy):
    def authorize_update(
        self, session: Session, principal: Principal, row: SQLModel, changes: dict[str, Any]
    ) -> None:
        """Officers correct only organisations on a partnership they manage."""
        super().authorize_update(session, principal, row, changes)
        assert isinstance(row, Organisation) and row.id is not None
        require_edit_organisation(session, principal, row.id)


def _fill_slug(session: Session, principal: Principal, row: Organisation) -> None:
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
    before_create=_fill_slug,
)
