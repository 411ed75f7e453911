from fastapi import APIRouter

from api.auth.deps import PrincipalDep
from api.core.web.deps import SessionDep
from api.crud.router import PROBLEM_RESPONSES
from api.dashboard import service
from api.dashboard.schemas import Dashboard

router = APIRouter(tags=["dashboard"], responses=PROBLEM_RESPONSES)


@router.get("/dashboard", operation_id="get_dashboard")
def get_dashboard(session: SessionDep, principal: PrincipalDep) -> Dashboard:
    """The caller's partnerships, RAG per outcome, overdue and stale tasks, next meetings and
    the number of governance findings, in a fixed number of queries."""
    return service.dashboard(session, principal)
