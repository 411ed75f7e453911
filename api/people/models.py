from sqlmodel import Field, SQLModel

from api.core.models import Entity


class PersonBase(SQLModel):
    name: str = Field(max_length=200, index=True)
    email: str | None = Field(default=None, max_length=254, unique=True)
    phone: str | None = Field(default=None, max_length=40)
    job_title: str | None = Field(default=None, max_length=200)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)


class Person(PersonBase, Entity, table=True):
    pass
