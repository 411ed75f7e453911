from enum import StrEnum

from sqlmodel import Field, SQLModel

from api.core.models import Entity, enum_check, enum_column


class Sector(StrEnum):
    public = "public"
    private = "private"
    voluntary_community = "voluntary_community"
    faith = "faith"
    business = "business"
    education = "education"
    health = "health"
    police = "police"
    fire = "fire"
    other = "other"


class OrganisationBase(SQLModel):
    name: str = Field(max_length=200, index=True)
    short_name: str | None = Field(default=None, max_length=50)
    slug: str = Field(max_length=80, unique=True)
    sector: Sector = enum_column(Sector, index=True)
    org_id: str | None = Field(default=None, max_length=64, unique=True)
    website: str | None = Field(default=None, max_length=300)


class Organisation(OrganisationBase, Entity, table=True):
    __table_args__ = (enum_check("sector", Sector),)
