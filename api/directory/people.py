"""The people directory: every staff role reads it, contact details only where shared;
officers add people and correct those of the partnerships they manage (DESIGN §5)."""

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, case, null
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from api.core.policy import ManagedReferencePolicy
from api.core.principal import Principal
from api.crud.service import Resource, ResourceRules
from api.partnerships.access import (
    contacts_visible,
    people_with_visible_contacts,
    require_edit_person,
)
from api.people.models import Person
from api.people.schemas import (
    CONTACT_FIELDS,
    PersonCreate,
    PersonFilters,
    PersonRead,
    PersonUpdate,
)


class PersonPolicy(ManagedReferencePolicy):
    def masked(self, session: Session, principal: Principal) -> Mapping[str, ColumnElement[Any]]:
        if principal.is_admin:
            return {}
        shown = contacts_visible(session, principal)
        table = Person.__table__  # type: ignore[attr-defined]
        return {name: case((shown, table.c[name]), else_=null()) for name in CONTACT_FIELDS}

    def authorize_update(
        self, session: Session, principal: Principal, row: SQLModel, changes: dict[str, Any]
    ) -> None:
        super().authorize_update(session, principal, row, changes)
        assert isinstance(row, Person) and row.id is not None
        require_edit_person(session, principal, row.id)


def present(session: Session, principal: Principal, rows: Sequence[Any]) -> list[BaseModel]:
    """Each person as ``principal`` may see them: without e-mail and phone unless shared."""
    shown = people_with_visible_contacts(session, principal, [row.id for row in rows])
    return [
        PersonRead.model_validate(
            {
                name: getattr(row, name)
                for name in PersonRead.model_fields
                if name != "can" and (row.id in shown or name not in CONTACT_FIELDS)
            }
        )
        for row in rows
    ]


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
    policy=PersonPolicy(),
    rules=PersonRules(),
    present=present,
)
