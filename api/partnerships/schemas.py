from datetime import date

from pydantic import BaseModel, Field

from api.common import STRICT, Id, RecordMeta, partial_model
from api.partnerships.models import (
    MembershipBase,
    MembershipRole,
    PartnershipBase,
    PartnershipKind,
    PartnershipStatus,
)


class PartnershipCreate(PartnershipBase):
    model_config = STRICT
    slug: str | None = Field(  # type: ignore[assignment]
        default=None, max_length=80, pattern=r"^[a-z0-9-]+$", description="Defaults from name"
    )


PartnershipUpdate = partial_model(PartnershipBase, "PartnershipUpdate")


class PartnershipRead(PartnershipBase, RecordMeta):
    pass


class PartnershipFilters(BaseModel):
    kind: PartnershipKind | None = None
    status: PartnershipStatus | None = None
    parent_id: Id | None = None
    slug: str | None = Field(None, max_length=80)
    q: str | None = Field(None, max_length=100)


class MembershipCreate(MembershipBase):
    model_config = STRICT


MembershipUpdate = partial_model(
    MembershipBase, "MembershipUpdate", exclude=("person_id", "partnership_id")
)


class MembershipRead(MembershipBase, RecordMeta):
    pass


class MembershipFilters(BaseModel):
    partnership_id: Id | None = None
    person_id: Id | None = None
    on_behalf_of_id: Id | None = None
    role: MembershipRole | None = None
    current: bool | None = Field(None, description="Only open (true) or ended (false)")
    as_of: date | None = Field(None, description="With current: open on this date")
