from sqlalchemy.orm import Session

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
    policy=ManagedReferencePolicy(),
    rules=OrganisationRules(),
)
