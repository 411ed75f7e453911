from api.crud.router import crud_router
from api.people.service import people

router = crud_router(people, tag="people", singular="person")
