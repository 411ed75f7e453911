from fastapi import APIRouter

from api.auth.deps import PrincipalDep
from api.core.models import Id
from api.core.web.deps import SessionDep
from api.crud.router import PROBLEM_RESPONSES
from api.governance import service
from api.governance.schemas import GovernanceReport

router = APIRouter(tags=["governance"], responses=PROBLEM_RESPONSES)


@router.get("/partnerships/{partnership_id}/governance", operation_id="get_partnership_governance")
def get_partnership_governance(
    partnership_id: Id, session: SessionDep, principal: PrincipalDep
) -> GovernanceReport:
    """Breaches of the partnership's terms of reference, each with its rule and evidence:
    attendance below the threshold over the last 12 months, substitutions over the limit,
    meetings overdue or too few, chairs past term, no voluntary-sector member, inquorate
    meetings."""
    return service.partnership_report(session, principal, partnership_id)


@router.get("/governance", operation_id="get_governance")
def get_governance(session: SessionDep, principal: PrincipalDep) -> GovernanceReport:
    """The governance checks for every partnership the caller can see."""
    return service.all_partnerships_report(session, principal)
