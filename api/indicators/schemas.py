import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from api.core.models import (
    STRICT,
    Id,
    Permitted,
    QueryDate,
    QueryDateTime,
    RecordMeta,
    StrictBody,
    partial_model,
)
from api.indicators.models import IndicatorBase, LaaTargetBase, MeasurementBase, Polarity, Unit

AREA_PATTERN = r"^[EWSN]\d{8}$"
PERIOD_SHAPE = r"^[0-9]{4}-[0-9]{2}(-Q[1-4])?$"
# The OpenAPI pattern spells out that a financial year's two years are consecutive (2008-09,
# 1999-00), so every period the schema allows is one the API accepts; check_period() gives
# the readable messages.
_YEAR_ENDS = "|".join(f"{n:02d}-{(n + 1) % 100:02d}" for n in range(100))
PERIOD_PATTERN = rf"^[0-9]{{2}}({_YEAR_ENDS})(-Q[1-4])?$"


def check_period(value: str) -> str:
    """``2008-09`` (financial year) or ``2008-09-Q2``; the two years must be consecutive."""
    if not re.fullmatch(PERIOD_SHAPE, value):
        raise ValueError("must be a financial year like 2008-09 or a quarter like 2008-09-Q2")
    first, second = int(value[:4]), int(value[5:7])
    if (first + 1) % 100 != second:
        raise ValueError(f"the years of {value[:7]} are not consecutive")
    return value


Area = Annotated[
    str,
    Field(
        pattern=AREA_PATTERN,
        min_length=9,
        max_length=9,
        description="ONS area code, e.g. E07000078",
        examples=["E07000078"],
    ),
]
Period = Annotated[
    str,
    AfterValidator(check_period),
    Field(
        max_length=10,
        description="Financial year (2008-09) or quarter of one (2008-09-Q2)",
        examples=["2008-09", "2008-09-Q2"],
        json_schema_extra={"pattern": PERIOD_PATTERN},
    ),
]


# -- indicators --------------------------------------------------------------------------------


class IndicatorCreate(IndicatorBase, StrictBody):
    model_config = STRICT


IndicatorUpdate = partial_model(IndicatorBase, "IndicatorUpdate")


class IndicatorRead(IndicatorBase, RecordMeta, Permitted):
    pass


class IndicatorFilters(BaseModel):
    code: str | None = Field(None, max_length=30)
    unit: Unit | None = None
    polarity: Polarity | None = None
    national: bool | None = None
    outcome_id: Id | None = Field(None, description="Indicators linked to this outcome")
    task_id: Id | None = Field(None, description="Indicators linked to this task")
    q: str | None = Field(None, max_length=100)


class IndicatorLinks(StrictBody):
    """The outcomes and tasks an indicator belongs to (none, one or many of each)."""

    model_config = STRICT

    outcome_ids: list[Id] = Field(default_factory=list, max_length=500)
    task_ids: list[Id] = Field(default_factory=list, max_length=2000)


class IndicatorLinksRead(IndicatorLinks):
    indicator_id: int
    version: int


# -- LAA targets -------------------------------------------------------------------------------


class LaaTargetFields(LaaTargetBase):
    area: Area
    period: Period


class LaaTargetCreate(LaaTargetFields, StrictBody):
    model_config = STRICT


# The natural key (indicator, area, period) is fixed: moving a target is a delete plus a create.
LaaTargetUpdate = partial_model(
    LaaTargetFields, "LaaTargetUpdate", exclude=("indicator_id", "area", "period")
)


class LaaTargetRead(LaaTargetBase, RecordMeta, Permitted):
    pass


class LaaTargetFilters(BaseModel):
    indicator_id: Id | None = None
    area: str | None = Field(None, max_length=9)
    period: str | None = Field(None, max_length=10)
    updated_at_after: QueryDateTime | None = None


# -- measurements ------------------------------------------------------------------------------


class MeasurementFields(MeasurementBase):
    area: Area
    period: Period


class MeasurementCreate(MeasurementFields, StrictBody):
    model_config = STRICT


# Moving a measurement to another indicator, area or period is a delete plus a create.
MeasurementUpdate = partial_model(
    MeasurementFields, "MeasurementUpdate", exclude=("indicator_id", "area", "period")
)


class MeasurementRead(MeasurementBase, RecordMeta, Permitted):
    reported_by: str | None = Field(None, description="Who recorded it (set by the server)")


class MeasurementFilters(BaseModel):
    indicator_id: Id | None = None
    area: str | None = Field(None, max_length=9)
    period: str | None = Field(None, max_length=10)
    reported_on_after: QueryDate | None = None
    reported_on_before: QueryDate | None = None
    updated_at_after: QueryDateTime | None = None
