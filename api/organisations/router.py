from api.crud.router import crud_router
from api.organisations.service import organisations

router = crud_router(organisations, tag="organisations", singular="organisation")
