from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.auth.deps import PrincipalDep
from api.core.models import Id, QueryDate
from api.core.web.deps import SessionDep
from api.core.web.routing import include_flat
from api.crud.router import (
    PROBLEM_RESPONSES,
    VERSIONED_WRITE_RESPONSES,
    IfMatch,
    crud_router,
    parse_if_match,
)
from api.partnerships import service
from api.partnerships.schemas import (
    EmployerChange,
    EmployerChangeResult,
    ResignationTerms,
    TermsOfReferenceRead,
    TermsOfReferenceUpdate,
    TermsOfReferenceVersion,
)
from api.partnerships.service import memberships, partnerships

router = APIRouter()
include_flat(router, crud_router(partnerships, tag="partnerships", singular="partnership"))
include_flat(router, crud_router(memberships, tag="memberships", singular="membership"))

terms = APIRouter(
    prefix="/partnerships/{partnership_id}/terms-of-reference",
    tags=["partnerships"],
    responses=PROBLEM_RESPONSES,
)


@terms.get("", operation_id="get_terms_of_reference")
def get_terms_of_reference(
    partnership_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> TermsOfReferenceRead:
    """Quorum, meeting frequency, attendance and substitution limits, chair terms, notice."""
    terms_read = service.get_terms(session, principal, partnership_id)
    response.headers["ETag"] = f'"{terms_read.version}"'
    return terms_read


@terms.put("", operation_id="replace_terms_of_reference", responses=VERSIONED_WRITE_RESPONSES)
def replace_terms_of_reference(
    partnership_id: Id,
    body: TermsOfReferenceUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatch = None,
) -> TermsOfReferenceRead:
    """Replace the terms of reference (officers of the partnership, admins); absent fields take
    the handbook default. Each change is kept in the audit log."""
    terms_read = service.replace_terms(
        session, principal, partnership_id, body, parse_if_match(if_match)
    )
    response.headers["ETag"] = f'"{terms_read.version}"'
    return terms_read


@terms.get("/versions", operation_id="list_terms_of_reference_versions")
def list_terms_of_reference_versions(
    partnership_id: Id, session: SessionDep, principal: PrincipalDep
) -> list[TermsOfReferenceVersion]:
    """Every change to the terms of reference, newest first, from the audit log."""
    return service.terms_history(session, principal, partnership_id)


include_flat(router, terms)


@router.post(
    "/people/{person_id}/employer-change",
    operation_id="record_employer_change",
    tags=["memberships"],
    responses=PROBLEM_RESPONSES,
)
def record_employer_change(
    person_id: Id, body: EmployerChange, session: SessionDep, principal: PrincipalDep
) -> EmployerChangeResult:
    """A new employer ends the person's strategic and executive memberships that day."""
    return service.change_employer(session, principal, person_id, body)


@router.get(
    "/memberships/{membership_id}/resignation",
    operation_id="get_resignation_terms",
    tags=["memberships"],
    responses=PROBLEM_RESPONSES,
)
def get_resignation_terms(
    membership_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    notice_given_on: Annotated[QueryDate | None, Query(description="Default: today")] = None,
) -> ResignationTerms:
    """The earliest day a resignation with notice given on `notice_given_on` may take effect
    under the partnership's terms of reference, and the rule in words (shown before saving)."""
    return service.resignation_terms(session, principal, membership_id, notice_given_on)
