from typing import Annotated

from fastapi import APIRouter, Query

from api.auth.deps import PrincipalDep
from api.core.web.deps import SessionDep
from api.crud.router import PROBLEM_RESPONSES
from api.search import service
from api.search.schemas import SearchParams, SearchResults

router = APIRouter(tags=["search"], responses=PROBLEM_RESPONSES)


@router.get("/search", operation_id="search")
def search(
    params: Annotated[SearchParams, Query()], session: SessionDep, principal: PrincipalDep
) -> SearchResults:
    """Tasks, actions, outcomes, decisions, meetings' minutes, papers' titles, people and
    organisations matching every word of `q` (the last word also as the start of a word),
    among the records the caller may read; best first, each with a snippet whose matching
    words are marked."""
    return service.search(session, principal, params)
