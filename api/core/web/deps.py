"""Dependencies every router uses: the request's session and the page it asks for."""

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from api.core.db import (
    WRITE_METHODS,
    _read_session,
    close_write,
    commit_write,
    open_write,
    ready_in_turn,
)
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
    the endpoint's thread) and on PostgreSQL closes without I/O, so it costs no hop at all; on
    SQLite it closes in a hop of its own, unless the endpoint ran in turn (:func:`in_turn`).
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
        if close_inline or session.info.get(_RAN_IN_TURN):
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


_IN_TURN = "__lsphub_in_turn__"
_RAN_IN_TURN = "lsphub_ran_in_turn"  # session.info flag: the request's work ran on the loop
E = TypeVar("E", bound=Callable[..., Any])


def in_turn(endpoint: E) -> E:
    """Mark a synchronous read endpoint, whose work is bounded (a list's first page, one
    plan's report), to run on the event loop, in turn, rather than in a worker thread.

    On the two cores this service is sized for, the hop to a worker thread and back costs
    about half a millisecond of CPU by itself, and the requests a worker runs in its threads at
    once take the GIL in no fixed order. Run in turn, each request goes from start to finish
    while the next waits, and the worker serves more of them sooner (docs/performance.md,
    "Reads in turn": the list 0.66-0.72 -> 0.93-0.97 of the bare app, the report 0.72-0.76 ->
    1.02-1.09). The loop waits for the database meanwhile, so only bounded work is marked;
    a request whose session would have to open a connection, or wait for one, still takes the
    hop (:func:`in_turn_or_one_hop`)."""
    setattr(endpoint, _IN_TURN, True)
    return endpoint


def runs_in_turn(endpoint: Callable[..., Any]) -> bool:
    return bool(getattr(endpoint, _IN_TURN, False))


def in_turn_or_one_hop(endpoint: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """An :func:`in_turn` endpoint as a coroutine: on the event loop when its ``session`` can
    have a connection there without waiting (:func:`api.core.db.ready_in_turn`), else in one
    worker-thread hop (:func:`in_one_hop`)."""
    hop = in_one_hop(endpoint)

    @functools.wraps(endpoint)
    async def run(**arguments: Any) -> T:
        session = arguments.get("session")
        if isinstance(session, Session) and ready_in_turn(session):
            session.info[_RAN_IN_TURN] = True  # closed in turn too (get_session)
            return endpoint(**arguments)
        return await hop(**arguments)

    return run


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (max 500)")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> PageParams:
    """Async because it does no I/O: it runs on the event loop, without a thread-pool hop."""
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]
