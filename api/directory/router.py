from api.crud.router import crud_router
from api.directory.organisations import organisations
from api.directory.people import people

people_router = crud_router(people, tag="people", singular="person")
organisations_router = crud_router(organisations, tag="organisations", singular="organisation")
