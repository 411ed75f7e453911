from fastapi import APIRouter

from api.crud.router import crud_router
from api.partnerships.service import memberships, partnerships

router = APIRouter()
router.include_router(crud_router(partnerships, tag="partnerships", singular="partnership"))
router.include_router(crud_router(memberships, tag="memberships", singular="membership"))
