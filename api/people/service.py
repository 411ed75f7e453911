from typing import Any

from sqlalchemy.orm import Session

from api.auth.principal import Principal
from api.crud.policy import ManagedReferencePolicy
from api.crud.service import Resource
from api.people.models import Person
from api.people.schemas import PersonCreate, PersonFilters, PersonRead, PersonUpdate


def _normalise_email(session: Session, principal: Principal, row: Person, *_: Any) -> None:
    if row.email:
        row.email = row.email.strip().lower()


people = Resource(
    model=Person,
    path="people",
    create_schema=PersonCreate,
    update_schema=PersonUpdate,
    read_schema=PersonRead,
    filter_schema=PersonFilters,
    sortable=("id", "name", "email", "updated_at"),
    default_sort=("name",),
    search=("name", "email", "job_title"),
    policy=ManagedReferencePolicy(),
    before_create=_normalise_email,
    before_update=_normalise_email,
)
