from api.crud.router import crud_router
from api.indicators.service import indicators

router = crud_router(indicators, tag="indicators", singular="indicator")
