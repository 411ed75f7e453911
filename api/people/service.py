from typing import Any

from sqlalchemy.orm import Session

from api.core.policy import ManagedReferencePolicy
from api.core.principal import Principal
from api.crud.service import Resource, ResourceRules
from api.people.models import Person
from api.people.schemas import PersonCreate, PersonFilters, PersonRead, PersonUpdate


def _normalise_email(row: Person) -> None:
    if row.email:
        row.email = row.email.strip().lower()


class PersonRules(ResourceRules[Person]):
    """E-mail addresses are stored trimmed and lower-cased (they are unique)."""

    def before_create(self, session: Session, principal: Principal, row: Person) -> None:
        _normalise_email(row)

    def before_update(
        self,
        session: Session,
        principal: Principal,
        row: Person,
        changes: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        _normalise_email(row)


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
    rules=PersonRules(),
)
