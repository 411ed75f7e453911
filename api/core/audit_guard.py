"""A safety net for "every write is audited": a request transaction that writes to a table but
adds no audit event is refused at commit when ``LSPHUB_ENV=test`` (so the test suite fails on
any unaudited write) and logged as an error otherwise.

Tables that are themselves records of activity rather than data are exempt.
"""

import logging
from itertools import chain
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from api.core.audit import AUDITED, request_id_var
from api.core.settings import get_settings

log = logging.getLogger("lsphub.audit")

EXEMPT_TABLES = frozenset(
    {
        "audit_event",
        "tombstone",
        "login_attempt",
        "idempotency_record",
        "webhook_delivery",
    }
)
_KEY = "lsphub_audit_guard"


class UnauditedWrite(RuntimeError):
    """A request changed data without recording an audit event."""


def _state(session: Session) -> dict[str, Any]:
    state: dict[str, Any] = session.info.setdefault(_KEY, {"tables": set(), "audited": False})
    return state


def _table_of(obj: Any) -> str | None:
    table = getattr(type(obj), "__table__", None)
    return None if table is None else str(table.name)


def _note_pending(session: Session) -> None:
    state = _state(session)
    if session.info.get(AUDITED):
        state["audited"] = True
    changed = chain(
        session.new,
        session.deleted,
        (o for o in session.dirty if session.is_modified(o, include_collections=False)),
    )
    for obj in changed:
        name = _table_of(obj)
        if name and name not in EXEMPT_TABLES:
            state["tables"].add(name)


def _before_flush(session: Session, *_: Any) -> None:
    _note_pending(session)


AUDIT_EXEMPT = "lsphub_audit_exempt"  # execution option: why a statement is not audited
WRITES = "lsphub_writes"
"""Execution option: the tables a statement writes where the guard cannot see it (a SELECT
over data-modifying CTEs)."""


def _on_execute(state: ORMExecuteState) -> None:
    """Bulk ``insert()``/``update()``/``delete()`` statements count as writes too, unless they
    carry the ``AUDIT_EXEMPT`` execution option naming why (bookkeeping such as key use), and so
    do the tables a statement names in its ``WRITES`` option."""
    written = state.execution_options.get(WRITES)
    if written is None:
        if not (state.is_insert or state.is_update or state.is_delete):
            return
        if state.execution_options.get(AUDIT_EXEMPT):
            return
        name = getattr(getattr(state.statement, "table", None), "name", None)
        written = (name,) if name else ()
    for name in written:
        if name == "audit_event":
            _state(state.session)["audited"] = True
        elif name not in EXEMPT_TABLES:
            _state(state.session)["tables"].add(str(name))


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction() or request_id_var.get() is None:
        return
    _note_pending(session)
    state = session.info.pop(_KEY, None)
    if not state or state["audited"] or not state["tables"]:
        return
    tables = ", ".join(sorted(state["tables"]))
    message = f"request {request_id_var.get()} wrote to {tables} without an audit event"
    if get_settings().env == "test":
        raise UnauditedWrite(message)
    log.error(message)


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_KEY, None)
        session.info.pop(AUDITED, None)


def install_audit_guard() -> None:
    """Listen on every Session (idempotent)."""
    for name, listener in (
        ("before_flush", _before_flush),
        ("do_orm_execute", _on_execute),
        ("before_commit", _before_commit),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
