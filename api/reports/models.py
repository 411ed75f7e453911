from datetime import date

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from api.core.models import Entity


class ReportBase(SQLModel):
    """A paper in the LSP report form, attachable to agenda items."""

    partnership_id: int | None = Field(default=None, foreign_key="partnership.id", index=True)
    title: str = Field(max_length=300)
    description: str | None = Field(default=None, sa_type=Text)
    purpose: str | None = Field(default=None, sa_type=Text)
    circulation: str | None = Field(default=None, max_length=300)
    author: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=300)
    published_on: date | None = None
    target_audience: str | None = Field(default=None, max_length=300)
    cross_reference: str | None = Field(default=None, max_length=300)
    narrative: str | None = Field(default=None, sa_type=Text)
    decision_required: str | None = Field(default=None, sa_type=Text)
    # Papers are private unless marked public: then the residents' site offers them.
    public: bool = Field(default=False, index=True)


class Report(ReportBase, Entity, table=True):
    pass


class ReportIndicator(SQLModel, table=True):
    __tablename__ = "report_indicator"

    report_id: int = Field(foreign_key="report.id", primary_key=True, ondelete="CASCADE")
    indicator_id: int = Field(
        foreign_key="indicator.id", primary_key=True, index=True, ondelete="CASCADE"
    )
