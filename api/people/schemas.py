from pydantic import BaseModel, Field

from api.core.models import (
    EMAIL_PATTERN,
    STRICT,
    Id,
    Permitted,
    RecordMeta,
    StrictBody,
    partial_model,
)
from api.people.models import PersonBase

# Shown only to those who may see them (api.partnerships.access.contacts_visible).
CONTACT_FIELDS = ("email", "phone")
CONTACT_NOTE = (
    "Present only if you may see this person's contact details: admins, the person, and "
    "people who share a partnership with them today; omitted otherwise"
)


class PersonCreate(PersonBase, StrictBody):
    model_config = STRICT
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)


PersonUpdate = partial_model(PersonCreate, "PersonUpdate")


class PersonRead(PersonBase, RecordMeta, Permitted):
    """A person in the directory: name, employer and job title for every reader; e-mail and
    phone only for those who may see them (the fields are then absent, not null)."""

    email: str | None = Field(default=None, max_length=254, description=CONTACT_NOTE)
    phone: str | None = Field(default=None, max_length=40, description=CONTACT_NOTE)


class PersonFilters(BaseModel):
    organisation_id: Id | None = None
    email: str | None = Field(
        None, max_length=254, description="Matches only people whose e-mail you may see"
    )
    q: str | None = Field(
        None,
        max_length=100,
        description="Text in name, job title or (where you may see it) e-mail",
    )
