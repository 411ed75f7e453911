from datetime import date
from enum import StrEnum

from sqlalchemy import Index, Text, text
from sqlmodel import Field, SQLModel

from api.core.models import Entity, enum_check, enum_column


class PartnershipKind(StrEnum):
    strategic = "strategic"
    executive = "executive"
    thematic = "thematic"
    delivery = "delivery"
    management = "management"
    area = "area"


class PartnershipStatus(StrEnum):
    active = "active"
    inactive = "inactive"


class MembershipRole(StrEnum):
    chair = "chair"
    vice_chair = "vice_chair"
    member = "member"
    officer = "officer"
    representative = "representative"
    observer = "observer"
    adviser = "adviser"


class EndReason(StrEnum):
    resigned = "resigned"
    employer_changed = "employer_changed"
    attendance = "attendance"
    substitutions = "substitutions"
    expelled = "expelled"
    term_ended = "term_ended"
    other = "other"


class TermsOfReference(SQLModel):
    """Rules a partnership runs by; defaults from a real LSP handbook."""

    quorum: int = Field(default=5, ge=1)
    max_months_between_meetings: int = Field(default=4, ge=1)
    min_meetings_per_year: int | None = Field(default=None, ge=0)
    attendance_threshold: float = Field(default=0.5, ge=0, le=1)
    max_substitutions_per_year: int = Field(default=3, ge=0)
    chair_term_months: int = Field(default=24, ge=1)
    reporting_cycle_months: int = Field(default=2, ge=1)
    resignation_notice_months: int = Field(default=1, ge=0)
    voluntary_rep_required: bool = True


class PartnershipBase(TermsOfReference):
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True)
    kind: PartnershipKind = enum_column(PartnershipKind, index=True)
    parent_id: int | None = Field(default=None, foreign_key="partnership.id", index=True)
    status: PartnershipStatus = enum_column(
        PartnershipStatus, default=PartnershipStatus.active, index=True
    )
    purpose: str | None = Field(default=None, sa_type=Text)
    # Shown on the residents' site (/public) with its public meetings; false hides it there.
    public: bool = Field(default=True, index=True)


class Partnership(PartnershipBase, Entity, table=True):
    __table_args__ = (
        enum_check("kind", PartnershipKind),
        enum_check("status", PartnershipStatus),
    )


class MembershipBase(SQLModel):
    person_id: int = Field(foreign_key="person.id", index=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    on_behalf_of_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    represents: str | None = Field(default=None, max_length=200)
    role: MembershipRole = enum_column(MembershipRole, default=MembershipRole.member, index=True)
    voting: bool = True
    started_on: date
    ended_on: date | None = Field(default=None, index=True)
    end_reason: EndReason | None = enum_column(EndReason, default=None, nullable=True)
    notice_given_on: date | None = None
    term_ends_on: date | None = None


class Membership(MembershipBase, Entity, table=True):
    __table_args__ = (
        enum_check("role", MembershipRole),
        enum_check("end_reason", EndReason, nullable=True),
        Index(
            "uq_membership_open_person_partnership",
            "person_id",
            "partnership_id",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
    )
