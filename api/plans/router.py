from fastapi import APIRouter, Request, Response

from api.auth.deps import PrincipalDep
from api.core.models import Id
from api.core.pagination import Page
from api.core.web import idempotency
from api.core.web.deps import PageDep, SessionDep
from api.core.web.idempotency import IdempotencyKey
from api.core.web.routing import include_flat
from api.crud.router import crud_router
from api.plans import service
from api.plans.schemas import StatusUpdateCreate, StatusUpdateRead, Worklist

router = APIRouter()
for resource, tag, singular in (
    (service.strategies, "strategies", "strategy"),
    (service.principles, "strategies", "principle"),
    (service.priorities, "strategies", "priority"),
    (service.outcomes, "strategies", "outcome"),
    (service.action_plans, "action plans", "action-plan"),
    (service.actions, "action plans", "action"),
    (service.tasks, "tasks", "task"),
):
    include_flat(router, crud_router(resource, tag=tag, singular=singular))


@router.post(
    "/tasks/{task_id}/status-updates",
    operation_id="create_status_update",
    status_code=201,
    tags=["tasks"],
    response_model=StatusUpdateRead,
    responses={
        409: {"description": "A request with this Idempotency-Key is still in progress"},
        422: {"description": "Invalid update, or Idempotency-Key reused with another body"},
    },
)
def create_status_update(
    task_id: Id,
    body: StatusUpdateCreate,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Report progress on a task: RAG, position, planned improvement, deadline.

    Refused (422) when it changes nothing and has no note, when a move to complete has no
    position, a move to red no planned improvement, or ``reported_on`` is in the future.
    """

    def run() -> tuple[StatusUpdateRead, dict[str, str]]:
        entry = service.add_status_update(session, principal, task_id, body)
        read = StatusUpdateRead.model_validate(entry)
        return read, {"Location": f"/api/v1/tasks/{task_id}/status-updates"}

    return idempotency.respond(
        session,
        principal,
        key=idempotency_key,
        method=request.method,
        path=request.url.path,
        body=body,
        status_code=201,
        run=run,
    )


@router.get("/tasks/{task_id}/status-updates", operation_id="list_status_updates", tags=["tasks"])
def list_status_updates(
    task_id: Id, session: SessionDep, principal: PrincipalDep, page: PageDep
) -> Page[StatusUpdateRead]:
    """The task's history, newest first."""
    rows, total = service.list_status_updates(session, principal, task_id, page)
    items = [StatusUpdateRead.model_validate(r, from_attributes=True) for r in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/me/tasks", operation_id="list_my_tasks", tags=["tasks"])
def list_my_tasks(session: SessionDep, principal: PrincipalDep) -> Worklist:
    """The tasks the caller's organisation leads, across the partnerships the caller belongs
    to (an API key: those its organisation sits on), grouped: due this cycle (deadline within
    the partnership's next reporting cycle), not updated this cycle, overdue, red, and the
    others. Each task says whether the caller may update its status (``can``)."""
    return service.worklist(session, principal)
