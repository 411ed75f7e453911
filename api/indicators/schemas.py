from pydantic import BaseModel, Field

from api.common import STRICT, RecordMeta, partial_model
from api.indicators.models import IndicatorBase, Polarity, Unit


class IndicatorCreate(IndicatorBase):
    model_config = STRICT


IndicatorUpdate = partial_model(IndicatorBase, "IndicatorUpdate")


class IndicatorRead(IndicatorBase, RecordMeta):
    pass


class IndicatorFilters(BaseModel):
    code: str | None = Field(None, max_length=30)
    unit: Unit | None = None
    polarity: Polarity | None = None
    national: bool | None = None
    q: str | None = Field(None, max_length=100)
