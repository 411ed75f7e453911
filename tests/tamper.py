"""Tampering with the audit trail as someone with rights over the schema could: drop the
triggers that refuse UPDATE and DELETE on audit_event, change rows with raw SQL, and put the
triggers back exactly as they were."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

_TRIGGERS = {
    "postgresql": (
        "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE tgrelid = 'audit_event'::regclass AND NOT tgisinternal",
        'DROP TRIGGER "{}" ON audit_event',
    ),
    "sqlite": (
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'",
        'DROP TRIGGER "{}"',
    ),
}


@contextmanager
def triggers_dropped(conn: Connection) -> Iterator[None]:
    """Without audit_event's triggers inside the block; recreated from their definitions after."""
    find, drop = _TRIGGERS[conn.dialect.name]
    triggers = conn.exec_driver_sql(find).all()
    assert triggers, "audit_event has no triggers"
    for name, _ in triggers:
        conn.exec_driver_sql(drop.format(name))
    try:
        yield
    finally:
        for _, definition in triggers:
            conn.exec_driver_sql(definition)
