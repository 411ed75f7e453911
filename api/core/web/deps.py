"""Dependencies every router uses: the request's session and the page it asks for."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.concurrency import contextmanager_in_threadpool, run_in_threadpool
from sqlmodel import Session

from api.core.db import WRITE_METHODS, _read_session, session_scope
from api.core.pagination import MAX_LIMIT, PageParams


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session, with as few worker-thread hops as the work allows.

    Writes BEGIN up front (IMMEDIATE on SQLite) and commit or roll back in a worker thread.
    A read's session opens without I/O (its transaction, if any, begins at the first query, in
    the endpoint's thread) and on PostgreSQL closes without I/O, so it costs no hop at all.
    """
    if request.method in WRITE_METHODS:
        async with contextmanager_in_threadpool(session_scope(write=True)) as session:
            yield session
        return
    session, close_inline = _read_session()
    try:
        yield session
    finally:
        if close_inline:
            session.close()
        else:
            await run_in_threadpool(session.close)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (max 500)")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> PageParams:
    """Async because it does no I/O: it runs on the event loop, without a thread-pool hop."""
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]
