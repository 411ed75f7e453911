from pydantic import BaseModel, Field

from api.common import EMAIL_PATTERN, STRICT, Id, RecordMeta, StrictBody, partial_model
from api.people.models import PersonBase


class PersonCreate(PersonBase, StrictBody):
    model_config = STRICT
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)


PersonUpdate = partial_model(PersonCreate, "PersonUpdate")


class PersonRead(PersonBase, RecordMeta):
    pass


class PersonFilters(BaseModel):
    organisation_id: Id | None = None
    email: str | None = Field(None, max_length=254)
    q: str | None = Field(None, max_length=100, description="Text in name, e-mail or job title")
