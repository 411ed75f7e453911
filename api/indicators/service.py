from api.crud.policy import PublicReadPolicy
from api.crud.service import Resource
from api.indicators.models import Indicator
from api.indicators.schemas import (
    IndicatorCreate,
    IndicatorFilters,
    IndicatorRead,
    IndicatorUpdate,
)

indicators = Resource(
    model=Indicator,
    path="indicators",
    create_schema=IndicatorCreate,
    update_schema=IndicatorUpdate,
    read_schema=IndicatorRead,
    filter_schema=IndicatorFilters,
    sortable=("id", "code", "title", "updated_at"),
    default_sort=("id",),
    search=("code", "title"),
    policy=PublicReadPolicy(),
)
