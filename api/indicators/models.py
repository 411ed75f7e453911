from datetime import date
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.core.models import Entity, enum_check, enum_column


class Unit(StrEnum):
    percent = "percent"
    count_ = "count"  # trailing _: `count` would shadow str.count
    rate_per_1000 = "rate_per_1000"
    rate_per_10000 = "rate_per_10000"
    rate_per_100000 = "rate_per_100000"
    number = "number"
    score = "score"


class Polarity(StrEnum):
    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"


class IndicatorBase(SQLModel):
    code: str = Field(max_length=30, unique=True)
    title: str = Field(max_length=300)
    unit: Unit = enum_column(Unit)
    polarity: Polarity = enum_column(Polarity)
    source: str | None = Field(default=None, max_length=300)
    national: bool = Field(default=False, index=True)
    description: str | None = Field(default=None, sa_type=Text)


class Indicator(IndicatorBase, Entity, table=True):
    __table_args__ = (enum_check("unit", Unit), enum_check("polarity", Polarity))


class LaaTargetBase(SQLModel):
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    area: str = Field(max_length=9, index=True)  # ONS code, e.g. E07000078
    period: str = Field(max_length=10, index=True)  # 2008-09 or 2008-09-Q2
    baseline: float
    target: float
    stretch: float | None = None


class LaaTarget(LaaTargetBase, Entity, table=True):
    __tablename__ = "laa_target"
    __table_args__ = (UniqueConstraint("indicator_id", "area", "period"),)


class MeasurementBase(SQLModel):
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    area: str = Field(max_length=9, index=True)
    period: str = Field(max_length=10, index=True)
    value: float
    reported_on: date = Field(index=True)
    source: str | None = Field(default=None, max_length=300)
    note: str | None = Field(default=None, sa_type=Text)


class Measurement(MeasurementBase, Entity, table=True):
    __table_args__ = (
        Index("ix_measurement_indicator_area_period", "indicator_id", "area", "period"),
        # Each indicator's latest measurement on or before a date, read backwards (migration 0020).
        Index("ix_measurement_indicator_reported", "indicator_id", "reported_on", "id"),
    )

    reported_by: str | None = Field(default=None, max_length=200)  # the caller's label
