"""Dependencies every router uses: the request's session and the page it asks for."""

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from api.core.db import WRITE_METHODS, _read_session, close_write, commit_write, open_write
from api.core.pagination import MAX_LIMIT, PageParams

T = TypeVar("T")


_write_session: ContextVar[Session | None] = ContextVar("lsphub_write_session", default=None)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session, with as few worker-thread hops as the work allows.

    A write's session opens without I/O; its transaction begins at its first statement (BEGIN
    IMMEDIATE on SQLite) and a synchronous endpoint commits it in its own worker thread
    (:func:`in_one_hop`), so a write costs the one hop its endpoint takes. Only
    what the endpoint left uncommitted costs a hop here: a rollback after an error, or the
    commit of an asynchronous endpoint's work.

    A read's session opens without I/O (its transaction, if any, begins at the first query, in
    the endpoint's thread) and on PostgreSQL closes without I/O, so it costs no hop at all.
    """
    if request.method in WRITE_METHODS:
        session, intent = open_write()
        current = _write_session.set(session)
        try:
            try:
                yield session
            except BaseException:
                if session.in_transaction():
                    with anyio.CancelScope(shield=True):
                        await run_in_threadpool(session.rollback)
                raise
            if session.in_transaction():
                with anyio.CancelScope(shield=True):
                    await run_in_threadpool(commit_write, session)
        finally:
            _write_session.reset(current)
            close_write(session, intent)
        return
    session, close_inline = _read_session()
    try:
        yield session
    finally:
        if close_inline:
            session.close()
        else:
            await run_in_threadpool(session.close)


def in_one_hop(endpoint: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """The synchronous ``endpoint`` as a coroutine that runs it in one worker thread and, in a
    write request, commits the request's session and runs the after-commit work there too. An
    endpoint that raises commits nothing.

    FastAPI checks a synchronous endpoint's return value against the response model in a
    worker-thread hop of its own, and a coroutine's on the event loop: as a coroutine, a read
    costs one hop and a write one (:func:`api.core.web.routing.include_flat` wraps them)."""

    def work(arguments: dict[str, Any]) -> T:
        result = endpoint(**arguments)
        session = _write_session.get()  # set by get_session for write requests only
        if session is not None and session.in_transaction():
            commit_write(session)
        return result

    @functools.wraps(endpoint)
    async def run(**arguments: Any) -> T:
        return await run_in_threadpool(work, arguments)

    return run


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (max 500)")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> PageParams:
    """Async because it does no I/O: it runs on the event loop, without a thread-pool hop."""
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]
