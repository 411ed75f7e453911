from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from api.core.models import STRICT, Id, Permitted, QueryDate, RecordMeta, StrictBody, partial_model
from api.partnerships.models import (
    MembershipBase,
    MembershipRole,
    PartnershipBase,
    PartnershipKind,
    PartnershipStatus,
    TermsOfReference,
)


class PartnershipCreate(PartnershipBase, StrictBody):
    model_config = STRICT
    slug: str | None = Field(  # type: ignore[assignment]
        default=None, max_length=80, pattern=r"^[a-z0-9-]+$", description="Defaults from name"
    )


PartnershipUpdate = partial_model(PartnershipBase, "PartnershipUpdate")


class PartnershipRead(PartnershipBase, RecordMeta, Permitted):
    pass


class PartnershipFilters(BaseModel):
    kind: PartnershipKind | None = None
    status: PartnershipStatus | None = None
    parent_id: Id | None = None
    slug: str | None = Field(None, max_length=80)
    q: str | None = Field(None, max_length=100)


class MembershipCreate(MembershipBase, StrictBody):
    model_config = STRICT


MembershipUpdate = partial_model(
    MembershipBase, "MembershipUpdate", exclude=("person_id", "partnership_id")
)


class MembershipRead(MembershipBase, RecordMeta, Permitted):
    pass


class MembershipFilters(BaseModel):
    partnership_id: Id | None = None
    person_id: Id | None = None
    on_behalf_of_id: Id | None = None
    role: MembershipRole | None = None
    current: bool | None = Field(None, description="Only open (true) or ended (false)")
    as_of: QueryDate | None = Field(None, description="With current: open on this date")


class TermsOfReferenceUpdate(TermsOfReference, StrictBody):
    """The whole terms of reference; absent fields take the handbook default."""

    model_config = STRICT


class TermsOfReferenceRead(TermsOfReference):
    partnership_id: int
    version: int = Field(description="The partnership's version; send it as If-Match")


class TermsOfReferenceVersion(BaseModel):
    """One change to a partnership's terms of reference, from the audit log."""

    at: datetime
    principal: str
    action: str
    changes: dict[str, tuple[Any, Any]] = Field(description="field -> [before, after]")


class EmployerChange(StrictBody):
    model_config = STRICT
    organisation_id: Id | None = Field(description="The new employer; null when none")
    changed_on: date


class EmployerChangeResult(BaseModel):
    person_id: int
    previous_organisation_id: int | None
    organisation_id: int | None
    changed_on: date
    ended_memberships: list[MembershipRead]


class ResignationTerms(BaseModel):
    """When a resignation given notice on ``notice_given_on`` may take effect, and the rule."""

    membership_id: int
    notice_given_on: date
    notice_months: int = Field(description="From the partnership's terms of reference")
    earliest_ended_on: date = Field(description="The first day the resignation may take effect")
    rule: str = Field(description="The rule in words, as shown before a resignation is saved")
